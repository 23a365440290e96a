/**
 * The hook behind every generated call hook.
 * @module
 */

import { useMutation, type UseMutationResult } from '@tanstack/react-query';
import type { ZodType } from 'zod';
import type { MizanError } from './errors.js';
import { useMizanClient } from './provider.js';
import { validate } from './validate.js';

/**
 * A TanStack mutation that runs the call `name` (spec §2.2).
 *
 * `mutate(input)` first checks `input` with the `input` schema: invalid input fails with a
 * `MizanError` `validation_failed` (status 0, `fields` from the Zod issues) and sends nothing.
 * Valid input (as parsed, so schema defaults apply) goes to `client.call`, batched with other calls
 * of the same tick. Mutations are not retried, as TanStack's default: a call may have effects.
 *
 * `schemaHash` is the function's `schema_hash` from the manifest (generated hooks pass it): the
 * server answers `stale_client` when the function has changed since (spec §2.7).
 */
export function useMizanCall<I extends Record<string, unknown>, O>(
  name: string,
  input: ZodType<I>,
  schemaHash?: string,
): UseMutationResult<O, MizanError, I> {
  const client = useMizanClient();
  return useMutation<O, MizanError, I>({
    mutationFn: async (params) => client.call<O>(name, validate(input, params), schemaHash),
  });
}
