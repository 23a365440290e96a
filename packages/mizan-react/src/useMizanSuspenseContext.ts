/**
 * The hook behind every generated suspense context hook.
 * @module
 */

import {
  useSuspenseQuery,
  type UseSuspenseQueryOptions,
  type UseSuspenseQueryResult,
} from '@tanstack/react-query';
import type { ZodType } from 'zod';
import {
  CONTEXT_OPTIONS,
  definedOptions,
  useContextQueryCore,
  type MizanOwnContextOptions,
} from './contextQuery.js';
import type { MizanError } from './errors.js';

/**
 * The options of a generated suspense context hook (`useGreetSuspenseQuery(params, options)`,
 * `useCurrentUserSuspense(options)`): TanStack Query's `select`, `staleTime` and `meta`, and
 * Mizan's `rev`. A suspense query always runs and never shows placeholder data, so `enabled` and
 * `placeholderData` are not among them.
 */
export interface MizanSuspenseContextOptions<O, TData = O>
  extends Pick<
    UseSuspenseQueryOptions<O, MizanError, TData, readonly unknown[]>,
    'select' | 'staleTime' | 'meta'
  > {
  /** The revision (spec §1.3.1): a new `rev` is a new URL, so caches on the way miss. Default 0. */
  rev?: number;
}

/** Options of {@link useMizanSuspenseContext}: a generated hook's options and the schema hash. */
export interface UseMizanSuspenseContextOptions<O = unknown, TData = O>
  extends MizanSuspenseContextOptions<O, TData>,
    MizanOwnContextOptions {}

/**
 * {@link useMizanContext} on TanStack's `useSuspenseQuery`: the component suspends until the
 * context's answer is there, so `data` is never `undefined`, and a failure with no data to show
 * (a `MizanError`) is thrown to the nearest error boundary. Same key, fetch, validation, retry
 * policy, hydration (a hydrated global context never suspends) and purges as `useMizanContext`,
 * which shares the cache entry.
 */
export function useMizanSuspenseContext<I extends Record<string, unknown>, O, TData = O>(
  name: string,
  params: I,
  input: ZodType<I>,
  options?: UseMizanSuspenseContextOptions<O, TData>,
): UseSuspenseQueryResult<TData, MizanError> {
  const core = useContextQueryCore<I, O>(name, params, input, options);
  return useSuspenseQuery<O, MizanError, TData, readonly unknown[]>({
    ...definedOptions(options, CONTEXT_OPTIONS),
    ...core,
    staleTime: options?.staleTime ?? 0,
  });
}
