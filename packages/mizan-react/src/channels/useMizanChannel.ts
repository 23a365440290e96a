/**
 * The hook behind every generated channel hook, and the hook of the socket's status.
 * @module
 */

import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import type { ZodType } from 'zod';
import { MizanError } from '../errors.js';
import { useMizanClient } from '../provider.js';
import { canonicalOrUndefined } from '../query.js';
import { validate } from '../validate.js';
import { channelSocket } from './client.js';
import type { ChannelPosition } from './frames.js';
import type { ChannelConnectionStatus } from './socket.js';
import {
  notConnected,
  type ChannelSubscription,
  type ChannelSubscriptionStatus,
} from './subscription.js';

/** Options of {@link useMizanChannel}. Every member is optional. */
export interface UseMizanChannelOptions<P, M, I> {
  /** Each message, once, in order. It may change between renders without resubscribing. */
  onMessage?: (data: M, position: ChannelPosition) => void;
  /**
   * Messages were lost and could not be recovered (spec §2.15.5): the cue to refetch whatever the
   * component built from earlier messages, e.g. `queryClient.invalidateQueries(...)` of the
   * contexts that show the same data. By default nothing is invalidated: only the application
   * knows what depends on the channel.
   */
  onGap?: (position: ChannelPosition) => void;
  /** Set `false` to hold the subscription (status `idle`), e.g. until the params are known. */
  enabled?: boolean;
  /** The channel's `schema_hash` (generated hooks pass it): `stale_client` when it changed. */
  schemaHash?: string;
  /** Checks the params before subscribing (a failure is status `error`, `validation_failed`). */
  paramsSchema?: ZodType<P>;
  /** Checks what `send` sends (a failure rejects with `validation_failed`, nothing is sent). */
  incomingSchema?: ZodType<I>;
}

/**
 * The options of a generated channel hook (`use<Pascal>Channel(params, options)`): those of
 * {@link useMizanChannel} that the application chooses; the schemas and the schema hash come from
 * the manifest.
 */
export type MizanChannelHookOptions<M> = Pick<
  UseMizanChannelOptions<Record<string, unknown>, M, unknown>,
  'onMessage' | 'onGap' | 'enabled'
>;

/** The hook's status: `idle` while not `enabled`, else its subscription's. */
export type UseMizanChannelStatus = 'idle' | ChannelSubscriptionStatus;

/** What {@link useMizanChannel} returns. */
export interface UseMizanChannelResult<M, I> {
  /** Where the subscription is; `connecting` again while a lost socket is being replaced. */
  status: UseMizanChannelStatus;
  /** Why the status is `error`: refused (`forbidden`, `validation_failed`...) or ended. */
  error: MizanError | undefined;
  /** The last message of the current params, `undefined` before the first. */
  lastMessage: M | undefined;
  /**
   * Sends `data` to the channel: resolves on the server's `ack`, rejects with a {@link MizanError}
   * (the server's, `validation_failed` from `incomingSchema`, or `network_error` when not
   * subscribed). Stable across renders.
   */
  send: (data: I) => Promise<void>;
}

interface State<M> {
  status: UseMizanChannelStatus;
  error: MizanError | undefined;
  lastMessage: M | undefined;
}

/**
 * Subscribes to the channel `channel` with `params` while the component is mounted (spec §2.15),
 * on the client's shared socket. Params that change their canonical JSON move the subscription
 * (unsubscribe, then subscribe with the new ones); a new object with the same members does not.
 * Unmounting ends it. The socket resumes it after a loss, so `onMessage` sees each message once,
 * or `onGap` says some were lost.
 */
export function useMizanChannel<P extends Record<string, unknown>, M, I = never>(
  channel: string,
  params: P,
  options: UseMizanChannelOptions<P, M, I> = {},
): UseMizanChannelResult<M, I> {
  const socket = channelSocket(useMizanClient());
  const enabled = options.enabled ?? true;
  // Params without a canonical form (a float) may still be valid channel params.
  const key = canonicalOrUndefined(params) ?? JSON.stringify(params);
  const latest = useRef({ params, options });
  const current = useRef<ChannelSubscription<I> | null>(null);
  const [state, setState] = useState<State<M>>(() => ({
    status: enabled ? 'connecting' : 'idle',
    error: undefined,
    lastMessage: undefined,
  }));

  // Declared before the subscribing effect, so it runs first and that one reads this render's.
  useEffect(() => {
    latest.current = { params, options };
  });

  useEffect(() => {
    const { params: p, options: o } = latest.current;
    if (!enabled) {
      setState({ status: 'idle', error: undefined, lastMessage: undefined });
      return;
    }
    let checked: Record<string, unknown>;
    try {
      checked = o.paramsSchema ? validate(o.paramsSchema, p) : p;
    } catch (e) {
      setState({ status: 'error', error: asMizanError(e), lastMessage: undefined });
      return;
    }
    setState({ status: 'connecting', error: undefined, lastMessage: undefined });
    const sub: ChannelSubscription<I> = socket.subscribe<M, I>(
      { channel, params: checked, schema: o.schemaHash },
      {
        onMessage: (data, position) => {
          if (current.current !== sub) return;
          setState((s) => ({ ...s, lastMessage: data }));
          latest.current.options.onMessage?.(data, position);
        },
        onGap: (position) => {
          if (current.current === sub) latest.current.options.onGap?.(position);
        },
        onStatus: (status, error) => {
          if (current.current === sub) setState((s) => ({ ...s, status, error }));
        },
      },
    );
    current.current = sub;
    return () => {
      current.current = null;
      sub.close();
    };
  }, [socket, channel, key, enabled, options.schemaHash]);

  const send = useCallback((data: I): Promise<void> => {
    const sub = current.current;
    if (!sub) return Promise.reject(notConnected('the channel is not subscribed'));
    const schema = latest.current.options.incomingSchema;
    try {
      return sub.send(schema ? validate(schema, data) : data);
    } catch (e) {
      return Promise.reject(asMizanError(e));
    }
  }, []);

  return { ...state, send };
}

function asMizanError(e: unknown): MizanError {
  return e instanceof MizanError
    ? e
    : new MizanError({ code: 'bad_request', message: String(e), cause: e });
}

/**
 * The status of the channel socket of the nearest `MizanProvider`'s client: `idle`, `connecting`,
 * `open` or `reconnecting`. For a "reconnecting…" banner.
 */
export function useMizanChannelStatus(): ChannelConnectionStatus {
  const socket = channelSocket(useMizanClient());
  return useSyncExternalStore(
    useCallback((listener: () => void) => socket.subscribeStatus(listener), [socket]),
    () => socket.status,
    () => 'idle',
  );
}
