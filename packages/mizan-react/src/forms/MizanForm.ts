/**
 * `<MizanForm>`: a whole form drawn from its spec, for the common case; forms that need their
 * own layout use `useMizanForm`'s `form.register` with the same names.
 * @module
 */

import { createElement as h, type ReactElement, type ReactNode } from 'react';
import type { FieldValues, UseFormReturn } from 'react-hook-form';
import { FieldView, errorMessage, type FieldContext } from './fields.js';
import { FORM_ERROR_NAME, type MizanFormApi } from './useMizanForm.js';

/** Props of {@link MizanForm}. */
export interface MizanFormProps<Values extends FieldValues, Output> {
  /** What `useMizanForm` (or a generated `use<Name>Form`) gave. */
  form: MizanFormApi<Values, Output>;
  /** The submit button's text. Default `'Submit'`. */
  submitLabel?: string;
  /** Classes of the `<form>`, after `mizan-form`. */
  className?: string;
  /** Drawn after the fields, before the submit button. */
  children?: ReactNode;
}

/**
 * The form of `props.form.spec`: every field with its label, help, placeholder and widget
 * (§2.13.1), its error beside it, the form's own errors above the fields, and a submit button
 * that is disabled while a submit is on its way.
 *
 * Each input is named by its dotted path (`address.city`, `items.0.qty`) and has the id
 * `mizan-<form>-<path joined by '-'>`, as in the server's HTML for posts without JavaScript
 * (whose form is `mizan-form-<form>` too); a failing input has `aria-invalid` and
 * `aria-describedby` naming its error (and help).
 */
export function MizanForm<Values extends FieldValues, Output>(
  props: MizanFormProps<Values, Output>,
): ReactElement {
  const { form: api, submitLabel = 'Submit', className, children } = props;
  const form = api.form as unknown as UseFormReturn<FieldValues>;
  const { errors } = form.formState;
  const ctx: FieldContext = { form, formName: api.spec.name, errors };
  const formError = errorMessage(errors, FORM_ERROR_NAME);
  return h(
    'form',
    {
      id: `mizan-form-${api.spec.name}`,
      className: className === undefined ? 'mizan-form' : `mizan-form ${className}`,
      method: 'post',
      encType: api.spec.multipart ? 'multipart/form-data' : undefined,
      noValidate: true,
      'aria-busy': api.submitting || undefined,
      onSubmit: api.submit,
    },
    formError === undefined
      ? null
      : h('div', { id: `mizan-form-${api.spec.name}-errors`, className: 'mizan-form-errors', role: 'alert' }, formError),
    ...api.spec.fields.map((f) => h(FieldView, { key: f.name, field: f, path: [f.name], ctx })),
    children,
    h('button', { type: 'submit', disabled: api.submitting }, submitLabel),
  );
}
