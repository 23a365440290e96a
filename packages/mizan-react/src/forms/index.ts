/**
 * Forms (spec §2.13): the checks of §2.13.2 as a function and a Zod schema, the
 * `react-hook-form` hook that submits to `<name>.submit`, and a renderer driven by the spec.
 * Re-exported by the package's entry point; kept as one module so the size check can weigh the
 * runtime without it (an app that uses no form drops it when bundling).
 * @module
 */

export {
  type Choice,
  type FieldKind,
  type FieldPath,
  type FieldSpec,
  type FormSpec,
  dottedPath,
} from './spec.js';
export { FORM_MESSAGES } from './messages.js';
export { checkForm, type FormCheckMode } from './check.js';
export { formSchema } from './schema.js';
export {
  FORM_ERROR_NAME,
  setFieldErrors,
  useMizanForm,
  type MizanFormApi,
  type UseMizanFormOptions,
} from './useMizanForm.js';
export { MizanForm, type MizanFormProps } from './MizanForm.js';
export { fieldId } from './fields.js';
