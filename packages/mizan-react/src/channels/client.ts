/**
 * The one channel socket of each `MizanClient`: every subscription of a client, from every
 * component, shares it.
 * @module
 */

import type { MizanClient } from '../client.js';
import { watchReads } from './live.js';
import { ChannelSocket, GLOBAL_TIMERS } from './socket.js';

const sockets = new WeakMap<MizanClient, ChannelSocket>();

/**
 * The channel socket of `client`, made on first use with the client's `channels` options. It
 * opens no connection until something subscribes, or, with live invalidation (the client's
 * `liveInvalidation`, on by default), until the client holds a context read with cache tags: the
 * socket then watches them (spec §2.16.5). An app with tagged contexts and no channel hook calls
 * this once at start to have live invalidation.
 */
export function channelSocket(client: MizanClient): ChannelSocket {
  let socket = sockets.get(client);
  if (!socket) {
    const options = client.channelOptions;
    socket = new ChannelSocket(
      () => options.url ?? channelUrl(client.baseUrl),
      options,
      (error) => client.noteStale(error),
    );
    sockets.set(client, socket);
    if (client.liveInvalidation) {
      watchReads(client, socket, options.timers ?? GLOBAL_TIMERS);
    }
  }
  return socket;
}

/**
 * The WebSocket URL of a Mizan base URL (spec §2.15.2: `<base>/ws`): resolved against `location`
 * (default: the page's), with `http:` made `ws:` and `https:` made `wss:`.
 *
 * @throws TypeError when `baseUrl` is relative and there is no location to resolve it against.
 */
export function channelUrl(baseUrl: string, location?: string): string {
  const url = new URL(`${baseUrl}/ws`, location ?? globalThis.location?.href);
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  return url.href;
}
