/**
 * One subscription of a channel socket: what the application sees of it (status, messages, gaps,
 * its end) and the position it keeps (spec §2.15.4), which outlives the sockets that carry it.
 * @module
 */

import { MizanError } from '../errors.js';
import type { ChannelPosition } from './frames.js';
import { judgeMessage } from './position.js';

/**
 * Where a subscription is: `connecting` (waiting for a socket or for `subscribed`, also again
 * after a lost socket, or while the server answers `unavailable`, which is retried with backoff),
 * `subscribed`, `error` (the server refused or ended it: see its error), or
 * `closed` (its owner ended it). `error` and `closed` are final.
 */
export type ChannelSubscriptionStatus = 'connecting' | 'subscribed' | 'error' | 'closed';

/** What a subscription tells its owner. Every member is optional. */
export interface ChannelListener<M> {
  /** A message, each once and in order within an epoch. */
  onMessage?: (data: M, position: ChannelPosition) => void;
  /**
   * Messages were lost (spec §2.15.5: a `gap` frame, or a message of another epoch): state built
   * from earlier messages may be out of date and should be fetched again.
   */
  onGap?: (position: ChannelPosition) => void;
  /** The status changed; `error` is set when it became `error`. */
  onStatus?: (status: ChannelSubscriptionStatus, error: MizanError | undefined) => void;
}

/**
 * One subscription, as its owner holds it.
 *
 * Made by `ChannelSocket.subscribe`; {@link ChannelSubscription.close} ends it.
 */
export interface ChannelSubscription<I = unknown> {
  /** Where the subscription is. */
  readonly status: ChannelSubscriptionStatus;
  /** Why it is `error`; `undefined` otherwise. */
  readonly error: MizanError | undefined;
  /** The position of the last message handed over (or of `subscribed`, or of a gap). */
  readonly position: ChannelPosition | undefined;
  /**
   * Sends `data` to the channel (spec §2.15.3 `send`); resolves on the server's `ack`, rejects
   * with its `error` as a {@link MizanError}, or with `network_error` when the subscription is not
   * `subscribed` or the socket closed before an answer (the data may or may not have arrived).
   */
  send(data: I): Promise<void>;
  /** Ends the subscription; nothing reaches the listener after this. */
  close(): void;
}

/**
 * A subscription's state inside its socket.
 * @internal
 */
export class Subscription<M = unknown, I = unknown> implements ChannelSubscription<I> {
  status: ChannelSubscriptionStatus = 'connecting';
  error: MizanError | undefined;
  position: ChannelPosition | undefined;
  /** The group, from `subscribed`. */
  group: string | undefined;
  /** Whether the subscribe frame went out on the current socket. */
  sent = false;
  /** Subscribes refused with `unavailable` in a row, for the retry's backoff. */
  retries = 0;

  constructor(
    readonly id: string,
    readonly channel: string,
    readonly params: Record<string, unknown>,
    readonly schema: string | undefined,
    private readonly listener: ChannelListener<M>,
    private readonly owner: {
      send(sub: Subscription<M, I>, data: I): Promise<void>;
      close(sub: Subscription<M, I>): void;
    },
  ) {}

  get live(): boolean {
    return this.status === 'connecting' || this.status === 'subscribed';
  }

  send(data: I): Promise<void> {
    return this.owner.send(this, data);
  }

  close(): void {
    if (!this.live) return;
    this.owner.close(this);
    this.setStatus('closed', undefined);
  }

  /** The subscribe frame, with `since` when a position was kept from an earlier socket. */
  subscribeFrame(): Record<string, unknown> {
    const frame: Record<string, unknown> = {
      type: 'subscribe',
      id: this.id,
      channel: this.channel,
      params: this.params,
    };
    if (this.position) frame.since = { ...this.position };
    if (this.schema !== undefined) frame.schema = this.schema;
    return frame;
  }

  subscribed(group: string, position: ChannelPosition): void {
    this.group = group;
    // With `since`, the kept position stands: the recovered messages that follow `subscribed` are
    // after it, and a `gap` frame replaces it when they cannot be recovered (spec §2.15.5).
    this.position ??= position;
    this.retries = 0;
    this.setStatus('subscribed', undefined);
  }

  message(position: ChannelPosition, data: unknown): void {
    const kept = this.position;
    const verdict = kept ? judgeMessage(kept, position) : 'deliver';
    if (verdict === 'drop') return;
    this.position = position;
    if (verdict === 'gap') this.call(() => this.listener.onGap?.(position));
    // The server checks messages against the channel's `message` schema before sending them.
    if (this.live) this.call(() => this.listener.onMessage?.(data as M, position));
  }

  gap(position: ChannelPosition): void {
    this.position = position;
    this.call(() => this.listener.onGap?.(position));
  }

  /** The socket was lost: the subscription waits for the next one. */
  lost(): void {
    this.sent = false;
    if (this.status === 'subscribed') this.setStatus('connecting', undefined);
  }

  fail(error: MizanError): void {
    if (!this.live) return;
    this.setStatus('error', error);
  }

  private setStatus(status: ChannelSubscriptionStatus, error: MizanError | undefined): void {
    this.status = status;
    this.error = error;
    this.call(() => this.listener.onStatus?.(status, error));
  }

  // A listener that throws must not break the socket's frame loop or the other subscriptions.
  private call(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      queueMicrotask(() => {
        throw e;
      });
    }
  }
}

/**
 * The error of a `send` or subscription that the socket could not carry.
 * @internal
 */
export function notConnected(message: string): MizanError {
  return new MizanError({ code: 'network_error', message });
}
