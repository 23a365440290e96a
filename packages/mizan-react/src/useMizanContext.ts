/**
 * The hook behind every generated context hook.
 * @module
 */

import { useQuery, type UseQueryOptions, type UseQueryResult } from '@tanstack/react-query';
import type { ZodType } from 'zod';
import {
  CONTEXT_OPTIONS,
  definedOptions,
  useContextQueryCore,
  type MizanOwnContextOptions,
} from './contextQuery.js';
import type { MizanError } from './errors.js';

/**
 * The options of a generated context hook (`useGreetQuery(params, options)`,
 * `useCurrentUser(options)`): TanStack Query's `enabled`, `select` (its return type becomes the
 * result's `data` type), `placeholderData`, `staleTime` and `meta`, and Mizan's `rev`.
 *
 * The query key, the fetch, the retry policy and hydration stay Mizan's: they are not options.
 */
export interface MizanContextOptions<O, TData = O>
  extends Pick<
    UseQueryOptions<O, MizanError, TData, readonly unknown[]>,
    'enabled' | 'select' | 'placeholderData' | 'staleTime' | 'meta'
  > {
  /** The revision (spec §1.3.1): a new `rev` is a new URL, so caches on the way miss. Default 0. */
  rev?: number;
}

/** Options of {@link useMizanContext}: a generated hook's options and the function's schema hash. */
export interface UseMizanContextOptions<O = unknown, TData = O>
  extends MizanContextOptions<O, TData>,
    MizanOwnContextOptions {}

/**
 * A TanStack query that reads the context `name` with `params` (spec §2.3).
 *
 * The key is `mizanQueryKey(name, params, rev)`, so new params (in any property order that
 * changes their canonical JSON) make a new query and a new request. The query function checks
 * `params` with the `input` schema first (a failure is a `MizanError` `validation_failed` with
 * status 0 and no request), then `GET`s `client.contextUrl(name, params, rev)`.
 *
 * Data seeded from hydration by `MizanProvider` is used on mount without a request; after that,
 * `staleTime` (default 0) decides as usual. `enabled: false` sends nothing; `select` shapes what
 * the component sees (the cache keeps the context's answer); `placeholderData` shows while the
 * first answer for these params is on its way (`(previous) => previous` keeps the last params'
 * data).
 *
 * The read is fetched again when a purge meets the tags of its last answer (`Cache-Tag`, spec
 * §2.16.4): one of this client's calls, or another caller's write heard over the channel socket
 * (§2.16.5). It then asks for the rev the purge issued (the larger of it and `rev`), so no cache
 * on the way answers with data from before the write; the query key stays the same.
 */
export function useMizanContext<I extends Record<string, unknown>, O, TData = O>(
  name: string,
  params: I,
  input: ZodType<I>,
  options?: UseMizanContextOptions<O, TData>,
): UseQueryResult<TData, MizanError> {
  const core = useContextQueryCore<I, O>(name, params, input, options);
  return useQuery<O, MizanError, TData, readonly unknown[]>({
    ...definedOptions(options, CONTEXT_OPTIONS),
    ...core,
    staleTime: options?.staleTime ?? 0,
  });
}
