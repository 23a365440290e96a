/**
 * Invalidation after a write the server's purges do not cover (a sign-in, a context without a
 * cache policy): what the generated `invalidate<Pascal>` helpers call.
 * @module
 */

import type { QueryClient } from '@tanstack/react-query';
import { canonicalOrUndefined } from './query.js';

/**
 * Marks the reads of the context `name` stale and refetches those on screen: with `params`, the
 * reads of exactly those params (by canonical JSON, so in any property order) whatever their
 * `rev`; without, every read of the context. Reads of other params or other contexts are left
 * alone. Resolves when the refetches are done, as `queryClient.invalidateQueries` does.
 *
 * ```ts
 * const addNote = useNotesAdd({ onSuccess: () => invalidateNotes(queryClient, { board }) });
 * ```
 */
export function invalidateMizanContext(
  queryClient: QueryClient,
  name: string,
  params?: Record<string, unknown>,
): Promise<void> {
  // `mizanQueryKey` without its rev: a prefix, so reads with an explicit rev are included.
  const queryKey: unknown[] = ['mizan', name];
  if (params !== undefined) queryKey.push(canonicalOrUndefined(params) ?? params);
  return queryClient.invalidateQueries({ queryKey });
}
