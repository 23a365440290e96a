/**
 * The hook behind every generated call hook.
 * @module
 */

import {
  useMutation,
  type UseMutationOptions,
  type UseMutationResult,
} from '@tanstack/react-query';
import type { ZodType } from 'zod';
import { definedOptions } from './contextQuery.js';
import type { MizanError } from './errors.js';
import { useMizanClient } from './provider.js';
import { validate } from './validate.js';

/**
 * The options of a generated call hook (`useEcho(options)`): TanStack Query's mutation callbacks
 * `onMutate`, `onSuccess`, `onError`, `onSettled` and `meta`, typed with the call's input `I`
 * and output `O`; `TContext` is what `onMutate` returns (an optimistic update's rollback), which
 * the other callbacks receive.
 *
 * The mutation function stays Mizan's (validation, batching, the schema hash): it is not an
 * option, and neither is `retry` (a call may have effects, so it is never retried).
 */
export type MizanCallOptions<I, O, TContext = unknown> = Pick<
  UseMutationOptions<O, MizanError, I, TContext>,
  'onMutate' | 'onSuccess' | 'onError' | 'onSettled' | 'meta'
>;

/** Options of {@link useMizanCall}: a generated hook's options and the function's schema hash. */
export interface UseMizanCallOptions<I, O, TContext = unknown>
  extends MizanCallOptions<I, O, TContext> {
  /**
   * The function's `schema_hash` from the manifest (generated hooks pass it): the server answers
   * `stale_client` when the function has changed since (spec §2.7).
   */
  schemaHash?: string;
}

const PASSED_THROUGH = ['onMutate', 'onSuccess', 'onError', 'onSettled', 'meta'] as const;

/**
 * A TanStack mutation that runs the call `name` (spec §2.2).
 *
 * `mutate(input)` first checks `input` with the `input` schema: invalid input fails with a
 * `MizanError` `validation_failed` (status 0, `fields` from the Zod issues) and sends nothing
 * (`onMutate` has run by then, `onError` and `onSettled` then run as for any failure). Valid
 * input (as parsed, so schema defaults apply) goes to `client.call`, batched with other calls of
 * the same tick. Mutations are not retried, as TanStack's default: a call may have effects.
 */
export function useMizanCall<I extends Record<string, unknown>, O, TContext = unknown>(
  name: string,
  input: ZodType<I>,
  options?: UseMizanCallOptions<I, O, TContext>,
): UseMutationResult<O, MizanError, I, TContext> {
  const client = useMizanClient();
  const schemaHash = options?.schemaHash;
  return useMutation<O, MizanError, I, TContext>({
    ...definedOptions(options, PASSED_THROUGH),
    mutationFn: async (params) => client.call<O>(name, validate(input, params), schemaHash),
  });
}
