/**
 * How a channel socket connects, authenticates and keeps time: the `channels` member of
 * `MizanClientOptions`. Types only, so that an app without channels ships none of their code.
 * @module
 */

import type { MizanError } from '../errors.js';

/** The timer functions a channel socket uses; tests pass a fake clock. */
export interface ChannelTimers {
  /** As `globalThis.setTimeout`. */
  setTimeout(callback: () => void, ms: number): unknown;
  /** As `globalThis.clearTimeout`, with a handle `setTimeout` returned. */
  clearTimeout(handle: unknown): void;
}

/** Options of the channel socket of a `MizanClient` (spec §2.15). Every member is optional. */
export interface ChannelOptions {
  /**
   * The socket's URL. Default: the client's `baseUrl` + `/ws`, resolved against the page's
   * location, with `http(s):` turned into `ws(s):`.
   */
  url?: string;
  /**
   * The token (an MWT) the socket authenticates with, asked for at every connection and sent as
   * an `auth` frame before any subscription (spec §2.15.3), so a reconnected socket gets the
   * current one. `null` or `undefined`: none, the socket keeps the upgrade request's credentials
   * (its cookies). Without this option, the token last given to `ChannelSocket.auth` is sent.
   */
  token?: () => string | null | undefined | Promise<string | null | undefined>;
  /** Told when the server refuses the token of an `auth` frame (`unauthenticated`). */
  onAuthError?: (error: MizanError) => void;
  /** The WebSocket class. Default `globalThis.WebSocket`, looked up at each connection. */
  WebSocket?: typeof WebSocket;
  /** How long the socket stays open after its last subscription ended, in ms. Default 5000. */
  lingerMs?: number;
  /** The timers to use. Default the global `setTimeout` and `clearTimeout`. */
  timers?: ChannelTimers;
  /** A number in [0, 1) for the reconnection delay's random factor. Default `Math.random`. */
  random?: () => number;
}
