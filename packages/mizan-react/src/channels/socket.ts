/**
 * The channel socket (spec §2.15): one WebSocket shared by every subscription of a client, opened
 * on the first subscription, closed a while after the last one ends, reconnected with backoff
 * after any loss, with each live subscription resumed from its kept position.
 * @module
 */

import { MizanError } from '../errors.js';
import { reconnectDelay } from './backoff.js';
import { PendingRequests } from './requests.js';
import { DEFAULT_WELCOME, encodeFrame, readServerFrame, type ServerFrame } from './frames.js';
import type { ChannelOptions, ChannelTimers } from './options.js';
import { WatchedTags, type ChannelWatchEvent } from './watch.js';
import {
  Subscription,
  notConnected,
  type ChannelListener,
  type ChannelSubscription,
} from './subscription.js';

/**
 * The socket's state: `idle` (no socket: nothing is subscribed), `connecting` (opening, or
 * authenticating), `open` (subscriptions flow), `reconnecting` (waiting to try again after a
 * loss).
 */
export type ChannelConnectionStatus = 'idle' | 'connecting' | 'open' | 'reconnecting';

/** What {@link ChannelSocket.subscribe} needs to know about the subscription. */
export interface ChannelSubscribeOptions {
  /** The channel's name. */
  channel: string;
  /** Its params (an object), already checked. */
  params: Record<string, unknown>;
  /** The channel's `schema_hash` the client was built with (spec §2.15.3 `subscribe`). */
  schema?: string;
}

// The socket handles every subscription alike; only their owners know the message types.
type AnySub = Subscription<unknown, unknown>;

/**
 * `globalThis`'s own, unbound calls: browsers refuse timers called on another object.
 * @internal
 */
export const GLOBAL_TIMERS: ChannelTimers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * The WebSocket of one client (see `channelSocket`). Framework-free: the React hook and any other
 * code subscribe through it.
 */
export class ChannelSocket {
  readonly #url: () => string;
  readonly #options: ChannelOptions;
  readonly #timers: ChannelTimers;
  readonly #onStale: (error: MizanError) => void;
  readonly #subs = new Map<string, AnySub>();
  readonly #requests = new PendingRequests();
  readonly #statusListeners = new Set<() => void>();
  #status: ChannelConnectionStatus = 'idle';
  #ws: WebSocket | null = null;
  /** Welcome received and the token sent: subscribe frames may go. */
  #ready = false;
  #maxFrameBytes = DEFAULT_WELCOME.maxFrameBytes;
  #livenessMs = (DEFAULT_WELCOME.pingInterval + DEFAULT_WELCOME.idleTimeout) * 1000;
  #liveness: unknown;
  #reconnect: unknown;
  #linger: unknown;
  #attempt = 0;
  #nextId = 0;
  #token: string | null = null;
  readonly #watched = new WatchedTags();

  /**
   * @param url - the WebSocket URL, computed at each connection (it may throw: no page location).
   * @param options - see {@link ChannelOptions}.
   * @param onStale - told of a `stale_client` refusal, as the client's calls are.
   */
  constructor(
    url: () => string,
    options: ChannelOptions = {},
    onStale: (e: MizanError) => void = () => {},
  ) {
    this.#url = url;
    this.#options = options;
    this.#timers = options.timers ?? GLOBAL_TIMERS;
    this.#onStale = onStale;
  }

  /** The connection's state. */
  get status(): ChannelConnectionStatus {
    return this.#status;
  }

  /**
   * Calls `listener` whenever {@link ChannelSocket.status} changes; returns the unsubscribe
   * function (the shape React's `useSyncExternalStore` expects).
   */
  subscribeStatus(listener: () => void): () => void {
    this.#statusListeners.add(listener);
    return () => {
      this.#statusListeners.delete(listener);
    };
  }

  /**
   * Subscribes to `options.channel` with `options.params`, opening the socket if needed. The
   * subscription survives lost sockets: it is resubscribed with `since` on the next one, so
   * `listener` gets every message once, or a gap when some could not be recovered.
   */
  subscribe<M, I = unknown>(
    options: ChannelSubscribeOptions,
    listener: ChannelListener<M>,
  ): ChannelSubscription<I> {
    this.#nextId += 1;
    const sub = new Subscription<M, I>(
      `s${this.#nextId}`,
      options.channel,
      options.params,
      options.schema,
      listener,
      {
        send: (s, data) => this.#send(s as unknown as AnySub, data),
        close: (s) => this.#unsubscribe(s as unknown as AnySub),
      },
    );
    this.#subs.set(sub.id, sub as AnySub);
    this.#timers.clearTimeout(this.#linger);
    if (this.#ready) this.#sendSubscribe(sub as AnySub);
    else if (this.#ws === null && this.#status !== 'reconnecting') this.#connect();
    return sub;
  }

  /**
   * Sets the socket's token (spec §2.15.3 `auth`): sent now when the socket is open, resolving on
   * the server's `ack` and rejecting with its error; sent again on every new socket unless the
   * `token` option provides one. `null` drops it: the socket's principal becomes that of its
   * upgrade request (its cookies) again.
   */
  auth(token: string | null): Promise<void> {
    this.#token = token;
    if (!this.#ready) return Promise.resolve();
    return this.#request({ type: 'auth', token });
  }

  /**
   * Replaces the socket with a new one at once, keeping every subscription: each resumes with
   * `since` (spec §2.15.5), so nothing is lost or repeated. The socket's principal comes from its
   * upgrade request (the session cookie, spec §2.15.2), so call this after a sign-in or sign-out
   * that changed the cookie; token clients use {@link ChannelSocket.auth} instead.
   */
  reconnect(): void {
    this.#timers.clearTimeout(this.#reconnect);
    this.#reconnect = undefined;
    const ws = this.#ws;
    if (ws) this.#detach(ws, 1000, 'reconnect');
    this.#reset();
    for (const sub of this.#subs.values()) sub.lost();
    this.#attempt = 0;
    if (this.#wanted()) this.#connect();
    else this.#setStatus('idle');
  }

  /**
   * Watches `tags` for purges (spec §2.16.5): replaces the socket's watched set, at once when the
   * socket is open and again on every new socket, at most `MAX_WATCH_TAGS` of them (the first),
   * and only as many as fit in the server's `max_frame_bytes`. While the set is not empty the
   * socket stays open, as for a subscription, and is opened if it is not; `[]` clears it and lets
   * the socket close when nothing is subscribed either.
   */
  watch(tags: readonly string[]): void {
    if (!this.#watched.set(tags)) return;
    if (this.#ready) this.#write(this.#watched.frame(this.#maxFrameBytes));
    if (this.#watched.tags.length === 0) this.#maybeLinger();
    else {
      this.#timers.clearTimeout(this.#linger);
      if (this.#ws === null && this.#status !== 'reconnecting') this.#connect();
    }
  }

  /**
   * Calls `listener` with the purges of watched tags and after a lost socket was replaced (see
   * {@link ChannelWatchEvent}); returns the unsubscribe function.
   */
  onWatch(listener: (event: ChannelWatchEvent) => void): () => void {
    return this.#watched.on(listener);
  }

  /** Ends every subscription, clears the watched tags and closes the socket: no reconnection. */
  close(): void {
    for (const sub of [...this.#subs.values()]) sub.close();
    this.#watched.set([]);
    this.#shutdown();
  }

  /** Anything that needs the socket: a subscription or a watched tag. */
  #wanted(): boolean {
    return this.#subs.size > 0 || this.#watched.tags.length > 0;
  }

  #setStatus(status: ChannelConnectionStatus): void {
    if (status === this.#status) return;
    this.#status = status;
    for (const listener of [...this.#statusListeners]) listener();
  }

  #connect(): void {
    this.#setStatus('connecting');
    let ws: WebSocket;
    try {
      const WS = this.#options.WebSocket ?? globalThis.WebSocket;
      if (typeof WS !== 'function') throw new Error('no WebSocket class in this environment');
      ws = new WS(this.#url());
    } catch (cause) {
      // No URL or no WebSocket: a configuration error that retrying cannot fix.
      const error = new MizanError({
        code: 'network_error',
        message: 'cannot open the channel socket',
        cause,
      });
      for (const sub of [...this.#subs.values()]) this.#end(sub, error);
      this.#setStatus('idle');
      return;
    }
    this.#ws = ws;
    this.#maxFrameBytes = DEFAULT_WELCOME.maxFrameBytes;
    this.#livenessMs = (DEFAULT_WELCOME.pingInterval + DEFAULT_WELCOME.idleTimeout) * 1000;
    this.#armLiveness();
    ws.onmessage = (event: MessageEvent) => {
      if (this.#ws !== ws) return;
      this.#armLiveness();
      const frame = readServerFrame(event.data);
      if (frame) this.#onFrame(frame);
    };
    ws.onclose = () => {
      if (this.#ws === ws) this.#lost();
    };
    // An error is always followed by `close`, which does the work.
    ws.onerror = () => {};
  }

  #onFrame(frame: ServerFrame): void {
    switch (frame.type) {
      case 'welcome':
        this.#maxFrameBytes = frame.welcome.maxFrameBytes;
        this.#livenessMs = (frame.welcome.pingInterval + frame.welcome.idleTimeout) * 1000;
        this.#armLiveness();
        this.#attempt = 0;
        void this.#start(this.#ws);
        return;
      case 'subscribed':
        this.#subs.get(frame.id)?.subscribed(frame.group, frame.position);
        return;
      case 'message':
        for (const sub of [...this.#subs.values()]) {
          const ours = sub.channel === frame.channel && sub.group === frame.group;
          if (ours && sub.status === 'subscribed') sub.message(frame.position, frame.data);
        }
        return;
      case 'gap':
        this.#subs.get(frame.id)?.gap(frame.position);
        return;
      case 'unsubscribed': {
        const sub = this.#subs.get(frame.id);
        if (sub && frame.error) this.#end(sub, frame.error);
        return;
      }
      case 'ack':
        this.#requests.settle(frame.ref, undefined);
        return;
      case 'error':
        if (frame.ref !== undefined && this.#requests.has(frame.ref)) {
          this.#requests.settle(frame.ref, frame.error);
        } else if (frame.id !== undefined) {
          const sub = this.#subs.get(frame.id);
          if (sub && frame.error.code === 'unavailable') this.#retry(sub);
          else if (sub) {
            if (frame.error.isStaleClient) this.#onStale(frame.error);
            this.#end(sub, frame.error);
          }
        }
        return;
      case 'ping':
        this.#write({ type: 'pong' });
        return;
      case 'invalidated':
        this.#watched.tell({ type: 'invalidated', tags: frame.tags, rev: frame.rev });
        return;
    }
  }

  /** After `welcome`: the token first, so that every subscription is checked with it. */
  async #start(ws: WebSocket | null): Promise<void> {
    let token: string | null | undefined = this.#token;
    if (this.#options.token) {
      try {
        token = await this.#options.token();
      } catch {
        token = null;
      }
    }
    if (this.#ws !== ws) return;
    if (token != null) {
      try {
        await this.#request({ type: 'auth', token });
      } catch (error) {
        if (this.#ws !== ws) return;
        // Refused: the socket goes on with the upgrade request's principal.
        if (error instanceof MizanError && error.code !== 'network_error') {
          this.#options.onAuthError?.(error);
        }
      }
      if (this.#ws !== ws) return;
    }
    this.#ready = true;
    this.#setStatus('open');
    if (this.#watched.tags.length > 0) this.#write(this.#watched.frame(this.#maxFrameBytes));
    for (const sub of [...this.#subs.values()]) if (!sub.sent) this.#sendSubscribe(sub);
    if (this.#watched.lost) {
      this.#watched.lost = false;
      this.#watched.tell({ type: 'resync' });
    }
  }

  #sendSubscribe(sub: AnySub): void {
    const error = this.#write(sub.subscribeFrame());
    if (error) this.#end(sub, error);
    else sub.sent = true;
  }

  /**
   * Subscribes again later: `unavailable` is the server's channel layer being out of reach, which
   * it recovers from by itself (spec §2.15.6), with the backoff of reconnections.
   */
  #retry(sub: AnySub): void {
    sub.sent = false;
    const delay = reconnectDelay(sub.retries, this.#options.random);
    sub.retries += 1;
    this.#timers.setTimeout(() => {
      // Gone, or already sent again on a socket opened meanwhile.
      if (this.#subs.get(sub.id) === sub && this.#ready && !sub.sent) this.#sendSubscribe(sub);
    }, delay);
  }

  #send(sub: AnySub, data: unknown): Promise<void> {
    if (sub.status !== 'subscribed' || !this.#ready) {
      return Promise.reject(notConnected('the subscription is not active'));
    }
    return this.#request({ type: 'send', id: sub.id, data });
  }

  #unsubscribe(sub: AnySub): void {
    this.#subs.delete(sub.id);
    if (sub.sent && this.#ready) this.#write({ type: 'unsubscribe', id: sub.id });
    this.#maybeLinger();
  }

  /** Ends `sub` with `error`: refused, or ended by the server. */
  #end(sub: AnySub, error: MizanError): void {
    this.#subs.delete(sub.id);
    sub.fail(error);
    this.#maybeLinger();
  }

  /** A frame with a new `ref`, settled by the server's `ack` or `error`. */
  #request(frame: Record<string, unknown>): Promise<void> {
    return this.#requests.start(frame, (f) => this.#write(f));
  }

  /** Writes `frame`; the error when it cannot (see `encodeFrame`, or no open socket). */
  #write(frame: Record<string, unknown>): MizanError | undefined {
    const text = encodeFrame(frame, this.#maxFrameBytes);
    if (typeof text !== 'string') return text;
    const ws = this.#ws;
    if (ws === null || ws.readyState !== 1) return notConnected('the channel socket is not open');
    try {
      ws.send(text);
    } catch (cause) {
      return new MizanError({ code: 'network_error', message: 'the channel socket failed', cause });
    }
    return undefined;
  }

  /** No server frame for `ping_interval + idle_timeout` from now: the socket is dead. */
  #armLiveness(): void {
    this.#timers.clearTimeout(this.#liveness);
    const ws = this.#ws;
    this.#liveness = this.#timers.setTimeout(() => {
      if (this.#ws !== ws || ws === null) return;
      // A dead peer never completes the close handshake: forget the socket at once.
      this.#detach(ws, 1000, 'liveness');
      this.#lost();
    }, this.#livenessMs);
  }

  #detach(ws: WebSocket, code: number, reason: string): void {
    ws.onmessage = null;
    ws.onclose = null;
    ws.onerror = null;
    try {
      ws.close(code, reason);
    } catch {
      // Already closed.
    }
  }

  /** The socket closed without the client asking: reconnect if anything is still subscribed. */
  #lost(): void {
    this.#reset();
    for (const sub of this.#subs.values()) sub.lost();
    if (!this.#wanted()) {
      this.#setStatus('idle');
      return;
    }
    this.#setStatus('reconnecting');
    const delay = reconnectDelay(this.#attempt, this.#options.random);
    this.#attempt += 1;
    this.#reconnect = this.#timers.setTimeout(() => {
      this.#reconnect = undefined;
      if (this.#wanted() && this.#ws === null) this.#connect();
      else this.#setStatus('idle');
    }, delay);
  }

  /** Forgets the current socket and fails what waited for its answers. */
  #reset(): void {
    if (this.#ready && this.#watched.tags.length > 0) this.#watched.lost = true;
    this.#ws = null;
    this.#ready = false;
    this.#timers.clearTimeout(this.#liveness);
    this.#requests.failAll(() => notConnected('the channel socket closed before the answer'));
  }

  #maybeLinger(): void {
    if (this.#wanted()) return;
    this.#timers.clearTimeout(this.#linger);
    this.#linger = this.#timers.setTimeout(() => {
      if (!this.#wanted()) this.#shutdown();
    }, this.#options.lingerMs ?? 5000);
  }

  /** Closes the socket as the client's own `1000`: nothing reconnects. */
  #shutdown(): void {
    this.#timers.clearTimeout(this.#linger);
    this.#timers.clearTimeout(this.#reconnect);
    this.#reconnect = undefined;
    const ws = this.#ws;
    if (ws) this.#detach(ws, 1000, 'done');
    this.#reset();
    this.#attempt = 0;
    this.#setStatus('idle');
  }
}
