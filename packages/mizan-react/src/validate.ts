/**
 * Client-side input validation with the generated Zod schemas: input that the server would refuse
 * with `422` is refused before sending, with the same error shape, so a form shows the same field
 * errors either way and no request is wasted.
 * @module
 */

import type { ZodType } from 'zod';
import { validationError } from './errors.js';

/**
 * `schema`'s parse of `value`.
 *
 * @throws {@link MizanError} `validation_failed` with status 0 and one field per Zod issue.
 * @internal
 */
export function validate<I>(schema: ZodType<I>, value: unknown): I {
  const result = schema.safeParse(value);
  if (!result.success) throw validationError(result.error.issues, value);
  return result.data;
}
