/**
 * The frames of a channel socket (spec §2.15.3, §2.15.4): what the client writes, and the server
 * frames read into checked values. A server frame that is not the protocol's shape is read as
 * `null` and ignored, as the spec asks of unknown frame types, so a newer server's frames never
 * break an older client.
 * @module
 */

import { MizanError, errorFromBody } from '../errors.js';

/** A history position of a group (spec §2.15.4): a run of its history and an offset in it. */
export interface ChannelPosition {
  /** The run of the group's history; a new epoch means the history was lost. */
  epoch: string;
  /** The offset of the last message of the epoch, `0` before the first. */
  offset: number;
}

/** What `welcome` announces (spec §2.15.2). */
export interface Welcome {
  pingInterval: number;
  idleTimeout: number;
  maxFrameBytes: number;
}

/**
 * One server frame, as far as the client uses it.
 * @internal
 */
export type ServerFrame =
  | { type: 'welcome'; welcome: Welcome }
  | { type: 'subscribed'; id: string; group: string; position: ChannelPosition }
  | { type: 'message'; channel: string; group: string; position: ChannelPosition; data: unknown }
  | { type: 'gap'; id: string; position: ChannelPosition }
  | { type: 'unsubscribed'; id: string; error: MizanError | undefined }
  | { type: 'ack'; ref: string }
  | { type: 'error'; id: string | undefined; ref: string | undefined; error: MizanError }
  | { type: 'ping' }
  | { type: 'invalidated'; tags: string[]; rev: number };

// The welcome values of the reference server, used until a server announces its own.
/** @internal */
export const DEFAULT_WELCOME: Welcome = { pingInterval: 25, idleTimeout: 60, maxFrameBytes: 65536 };

const EPOCH = /^[A-Za-z0-9_-]{1,64}$/;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function position(f: Record<string, unknown>): ChannelPosition | undefined {
  const { epoch, offset } = f;
  return typeof epoch === 'string' &&
    EPOCH.test(epoch) &&
    typeof offset === 'number' &&
    Number.isSafeInteger(offset) &&
    offset >= 0
    ? { epoch, offset }
    : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function seconds(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : fallback;
}

/**
 * Reads one text frame from the server; `null` for anything the client does not know or that is
 * not the protocol's shape.
 * @internal
 */
export function readServerFrame(text: unknown): ServerFrame | null {
  if (typeof text !== 'string') return null;
  let f: unknown;
  try {
    f = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isRecord(f)) return null;
  const id = str(f.id);
  const ref = str(f.ref);
  switch (f.type) {
    case 'welcome':
      return {
        type: 'welcome',
        welcome: {
          pingInterval: seconds(f.ping_interval, DEFAULT_WELCOME.pingInterval),
          idleTimeout: seconds(f.idle_timeout, DEFAULT_WELCOME.idleTimeout),
          maxFrameBytes: seconds(f.max_frame_bytes, DEFAULT_WELCOME.maxFrameBytes),
        },
      };
    case 'subscribed': {
      const at = position(f);
      const group = str(f.group);
      return id !== undefined && group !== undefined && at
        ? { type: 'subscribed', id, group, position: at }
        : null;
    }
    case 'message': {
      const at = position(f);
      const channel = str(f.channel);
      const group = str(f.group);
      return channel !== undefined && group !== undefined && at && 'data' in f
        ? { type: 'message', channel, group, position: at, data: f.data }
        : null;
    }
    case 'gap': {
      const at = position(f);
      return id !== undefined && at ? { type: 'gap', id, position: at } : null;
    }
    case 'unsubscribed':
      if (id === undefined || typeof f.reason !== 'string') return null;
      return {
        type: 'unsubscribed',
        id,
        // A reason other than `client` is the error code; the body says the rest.
        error: f.reason === 'client' ? undefined : errorFromBody(f.error, 0),
      };
    case 'ack':
      return ref === undefined ? null : { type: 'ack', ref };
    case 'error':
      return { type: 'error', id, ref, error: errorFromBody(f.error, 0) };
    case 'ping':
      return { type: 'ping' };
    case 'invalidated': {
      const { tags, rev } = f;
      return Array.isArray(tags) &&
        tags.every((t) => typeof t === 'string') &&
        typeof rev === 'number' &&
        Number.isSafeInteger(rev) &&
        rev >= 0
        ? { type: 'invalidated', tags: tags as string[], rev }
        : null;
    }
    default:
      return null;
  }
}

/**
 * The text of a client frame, or the error why it cannot go: a frame over the server's
 * `max_frame_bytes` (UTF-8 bytes) would make the server close the socket (1009) and so cut every
 * other subscription too, so it is refused here instead.
 * @internal
 */
export function encodeFrame(
  frame: Record<string, unknown>,
  maxFrameBytes: number,
): string | MizanError {
  let text: string;
  try {
    text = JSON.stringify(frame);
  } catch (cause) {
    return new MizanError({
      code: 'malformed_json',
      message: 'the frame cannot be written as JSON',
      details: { reason: 'unsupported_value' },
      cause,
    });
  }
  if (new TextEncoder().encode(text).length > maxFrameBytes) {
    return new MizanError({
      code: 'payload_too_large',
      message: `the frame is over the server's ${maxFrameBytes} bytes`,
    });
  }
  return text;
}
