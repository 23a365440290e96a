/**
 * A form spec as a Zod schema, for code that validates with Zod (form libraries' resolvers,
 * `safeParse` before a call): its issues are exactly the field errors of {@link checkForm}.
 * @module
 */

import { z } from 'zod';
import { checkForm, type FormCheckMode } from './check.js';
import type { FormSpec } from './spec.js';

/**
 * A Zod schema that accepts the values `spec` accepts and refuses the others with one `custom`
 * issue per field error of spec §2.13.2, at the error's path and with its message.
 *
 * Built at run time from the spec, so a spec fetched from `<name>.schema` (current
 * `dynamic_choices`) works as well as one generated at build time. The checks are
 * {@link checkForm} itself rather than a tree of Zod types: "missing", "first failing check
 * wins" and "one error per path" are rules Zod's own checks do not share, and one
 * implementation cannot drift from itself. Parsing returns the values unchanged.
 *
 * @param mode - see {@link FormCheckMode}; `validate` (the default) takes browser `File`s.
 */
export function formSchema(spec: Pick<FormSpec, 'fields'>, mode: FormCheckMode = 'validate'): z.ZodType {
  return z.unknown().superRefine((values, ctx) => {
    for (const error of checkForm(spec, values, mode)) {
      ctx.addIssue({ code: 'custom', path: error.path, message: error.message, input: values });
    }
  });
}
