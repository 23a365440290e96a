/**
 * Live invalidation (spec §2.16.5): the channel socket watches the tags of the context reads a
 * client holds, and the purges it hears make those reads stale, as the client's own writes do.
 * @module
 */

import type { MizanClient } from '../client.js';
import type { ChannelTimers } from './options.js';
import type { ChannelSocket } from './socket.js';

/**
 * How long the tags may keep changing before the socket's watched set is sent: a page that mounts
 * many queries at once sends one `watch`, not one per query.
 */
export const WATCH_DEBOUNCE_MS = 50;

/**
 * Links `client`'s reads to `socket`: their tags, once they settle for {@link WATCH_DEBOUNCE_MS},
 * become the socket's watched set (so a client that holds no tagged read opens no socket for
 * it); an `invalidated` frame is a purge (rev `0`: none issued); a replaced socket refetches
 * every read. Returns the function that undoes it.
 * @internal
 */
export function watchReads(
  client: MizanClient,
  socket: ChannelSocket,
  timers: ChannelTimers,
): () => void {
  let pending: unknown;
  let scheduled = false;
  const offTags = client.reads.onTags(() => {
    if (scheduled) return;
    scheduled = true;
    pending = timers.setTimeout(() => {
      scheduled = false;
      socket.watch(client.reads.tags);
    }, WATCH_DEBOUNCE_MS);
  });
  const offWatch = socket.onWatch((event) => {
    if (event.type === 'resync') client.reads.refetchAll();
    else {
      client.invalidated({
        tags: event.tags,
        rev: event.rev > 0 ? event.rev : undefined,
        source: 'live',
      });
    }
  });
  // Reads held before the socket was made.
  socket.watch(client.reads.tags);
  return () => {
    timers.clearTimeout(pending);
    scheduled = false;
    offTags();
    offWatch();
  };
}
