/**
 * Purges to TanStack: the provider's link between a client's {@link ReadTracker} and the query
 * cache, so a purge refetches the queries it concerns and a query the cache drops is forgotten.
 * @module
 */

import type { QueryClient } from '@tanstack/react-query';
import type { MizanClient } from './client.js';

/**
 * Refetches the queries of the reads `client` is told are stale (every `['mizan', …]` query after
 * a reconnection), and forgets a read once no query of its (name, params) is left in the cache.
 * Returns the function that undoes both.
 * @internal
 */
export function bindReads(client: MizanClient, queryClient: QueryClient): () => void {
  const cache = queryClient.getQueryCache();
  const offStale = client.reads.onStale((reads) => {
    // A prefix of the key: every query of the read, whatever its explicit `rev`, refetches (the
    // active ones now, the others when next mounted), and the key itself never changes.
    if (reads === 'all') void queryClient.invalidateQueries({ queryKey: ['mizan'] });
    else {
      for (const { name, json } of reads) {
        void queryClient.invalidateQueries({ queryKey: ['mizan', name, json] });
      }
    }
  });
  const offCache = cache.subscribe((event) => {
    if (event.type !== 'removed') return;
    const [mizan, name, json] = event.query.queryKey;
    if (mizan !== 'mizan' || typeof name !== 'string' || typeof json !== 'string') return;
    if (cache.findAll({ queryKey: ['mizan', name, json] }).length === 0) {
      client.reads.forget(name, json);
    }
  });
  return () => {
    offStale();
    offCache();
  };
}
