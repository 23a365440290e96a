// Form specs shared by the form tests, written as the server serializes them.
import type { FieldSpec, FormSpec } from '../../src/index.js';

/** A field with the server's defaults (required, the kind's default widget). */
export function field(name: string, kind: FieldSpec['kind'], extra: Partial<FieldSpec> = {}): FieldSpec {
  const widgets: Record<FieldSpec['kind'], string> = {
    text: 'text',
    email: 'email',
    url: 'url',
    integer: 'number',
    decimal: 'decimal',
    boolean: 'checkbox',
    choice: 'select',
    multichoice: 'checkboxes',
    date: 'date',
    time: 'time',
    datetime: 'datetime-local',
    group: 'group',
    rows: 'rows',
    file: 'file',
  };
  const extraLengths =
    kind === 'email' ? { max_length: 254 } : kind === 'url' ? { max_length: 2048 } : {};
  return {
    name,
    kind,
    label: name.charAt(0).toUpperCase() + name.slice(1).replace(/_/g, ' '),
    required: true,
    widget: widgets[kind],
    ...extraLengths,
    ...extra,
  };
}

/** A spec of `fields`, `multipart` derived as the server derives it. */
export function form(name: string, fields: FieldSpec[], extra: Partial<FormSpec> = {}): FormSpec {
  const hasFile = (fs: readonly FieldSpec[]): boolean =>
    fs.some((f) => f.kind === 'file' || hasFile(f.fields ?? []));
  return { name, title: name, fields, multipart: hasFile(fields), ...extra };
}

/** A sign-up form with a bit of everything but files. */
export const signup = form('signup', [
  field('name', 'text', { min_length: 2, max_length: 5, help: 'Your first name' }),
  field('email', 'email', { placeholder: 'you@example.com' }),
  field('age', 'integer', { required: false, min: 18, max: 130 }),
  field('terms', 'boolean'),
  field('plan', 'choice', {
    widget: 'radio',
    choices: [
      { value: 'free', label: 'Free' },
      { value: 'pro', label: 'Pro' },
    ],
    initial: 'free',
  }),
]);

/** A form with a file, so its submits are multipart. */
export const upload = form('upload', [
  field('title', 'text'),
  field('address', 'group', { fields: [field('city', 'text')] }),
  field('photo', 'file', { max_size: 10, accept: ['image/*'] }),
  field('extra', 'rows', {
    required: false,
    fields: [field('scan', 'file', { required: false, max_size: 100 })],
  }),
]);
