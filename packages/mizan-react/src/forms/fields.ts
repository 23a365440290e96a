/**
 * The inputs of one field per widget (spec §2.13.1 table), named by the field's dotted path as
 * the server's HTML for posts without JavaScript names them (§2.13.4), with their label, help
 * and error wired for assistive technology.
 * @module
 */

import { createElement as h, type ReactElement, type ReactNode } from 'react';
import {
  useFieldArray,
  useWatch,
  type FieldErrors,
  type FieldValues,
  type Path,
  type UseFormReturn,
} from 'react-hook-form';
import { dottedPath, type FieldSpec } from './spec.js';
import { initialValues } from './values.js';

/** What every field of one rendered form shares. */
export interface FieldContext {
  /** The `react-hook-form` form. */
  form: UseFormReturn<FieldValues>;
  /** The form's name, part of every id. */
  formName: string;
  /** The form's current errors. */
  errors: FieldErrors;
}

/**
 * The `id` of the element of the field at `path` in the form `formName`:
 * `mizan-<form>-<path joined by '-'>` (`mizan-order-items-0-qty`), the id the server's HTML of
 * the form gives it (§2.13.5), so styles and links written for one page fit the other. Dashes,
 * not dots: a dot in an id reads as a class in a CSS selector, and names have no dashes, so two
 * paths never share an id.
 */
export function fieldId(formName: string, path: readonly (string | number)[]): string {
  return `mizan-${formName}-${path.join('-')}`;
}

/**
 * The message of the error at `dotted` in `errors`, if there is one. A field whose items failed
 * (a multichoice's options, at `p + [i]`) shows the first item's message.
 */
export function errorMessage(errors: FieldErrors, dotted: string): string | undefined {
  let at: unknown = errors;
  for (const step of dotted.split('.')) {
    if (typeof at !== 'object' || at === null) return undefined;
    at = (at as Record<string, unknown>)[step];
  }
  if (typeof at !== 'object' || at === null) return undefined;
  const { message } = at as { message?: unknown };
  if (typeof message === 'string') return message;
  if (Array.isArray(at)) {
    for (const item of at as unknown[]) {
      const itemMessage = (item as { message?: unknown } | undefined)?.message;
      if (typeof itemMessage === 'string') return itemMessage;
    }
  }
  return undefined;
}

// The widget a field is drawn with: its own when it suits its kind, else the kind's default
// (what the server's `FieldSpec::finish` guarantees for specs it writes).
const WIDGETS: Record<FieldSpec['kind'], readonly string[]> = {
  text: ['text', 'textarea', 'password', 'hidden'],
  email: ['email'],
  url: ['url'],
  integer: ['number'],
  decimal: ['decimal'],
  boolean: ['checkbox'],
  choice: ['select', 'radio'],
  multichoice: ['checkboxes', 'select-multiple'],
  date: ['date'],
  time: ['time'],
  datetime: ['datetime-local'],
  group: ['group'],
  rows: ['rows'],
  file: ['file'],
};

function widgetOf(field: FieldSpec): string {
  const allowed = WIDGETS[field.kind];
  return allowed.includes(field.widget) ? field.widget : (allowed[0] ?? 'text');
}

/** The ids and ARIA attributes of one field's control. */
interface Described {
  id: string;
  helpId: string | undefined;
  errorId: string | undefined;
  error: string | undefined;
  aria: { 'aria-invalid'?: true; 'aria-describedby'?: string };
}

function describe(ctx: FieldContext, field: FieldSpec, path: (string | number)[]): Described {
  const id = fieldId(ctx.formName, path);
  const error = errorMessage(ctx.errors, dottedPath(path));
  const helpId = field.help === undefined ? undefined : `${id}-help`;
  const errorId = error === undefined ? undefined : `${id}-error`;
  const describedBy = [helpId, errorId].filter((x) => x !== undefined).join(' ');
  const aria: Described['aria'] = {};
  if (error !== undefined) aria['aria-invalid'] = true;
  if (describedBy !== '') aria['aria-describedby'] = describedBy;
  return { id, helpId, errorId, error, aria };
}

// Help and error under a control; the error is `role=alert` so that it is announced.
function notes(field: FieldSpec, d: Described): ReactNode[] {
  return [
    d.helpId === undefined
      ? null
      : h('small', { key: 'help', id: d.helpId, className: 'mizan-help' }, field.help),
    d.errorId === undefined
      ? null
      : h('span', { key: 'error', id: d.errorId, className: 'mizan-error', role: 'alert' }, d.error),
  ];
}

const INPUT_TYPES: Record<string, string> = {
  text: 'text',
  password: 'password',
  email: 'email',
  url: 'url',
  number: 'number',
  decimal: 'text',
  date: 'date',
  time: 'time',
  'datetime-local': 'datetime-local',
};

// An integer input's string as the values hold it: empty is missing (`null`), not `NaN`.
const integerValue = (v: unknown): unknown =>
  v === '' || v === null || v === undefined ? null : typeof v === 'number' ? v : Number(v);

/** Props of {@link FieldView}. */
export interface FieldViewProps {
  /** The field. */
  field: FieldSpec;
  /** Its path from the values object. */
  path: (string | number)[];
  /** The form it is in. */
  ctx: FieldContext;
}

/** One field of any kind, drawn with its widget. */
export function FieldView({ field, path, ctx }: FieldViewProps): ReactElement {
  const widget = widgetOf(field);
  const name = dottedPath(path);
  const d = describe(ctx, field, path);
  const wrap = (control: ReactNode, labelFirst = true): ReactElement =>
    h(
      'div',
      { className: 'mizan-field', 'data-kind': field.kind },
      labelFirst ? h('label', { htmlFor: d.id }, field.label) : null,
      control,
      labelFirst ? null : h('label', { htmlFor: d.id }, field.label),
      ...notes(field, d),
    );
  switch (widget) {
    case 'hidden':
      return h('input', { type: 'hidden', id: d.id, ...ctx.form.register(name) });
    case 'textarea':
      return wrap(
        h('textarea', { id: d.id, placeholder: field.placeholder, ...d.aria, ...ctx.form.register(name) }),
      );
    case 'checkbox':
      return wrap(h('input', { type: 'checkbox', id: d.id, ...d.aria, ...ctx.form.register(name) }), false);
    case 'select':
    case 'select-multiple': {
      const multiple = widget === 'select-multiple';
      const options = (field.choices ?? []).map((c) =>
        h('option', { key: c.value, value: c.value }, c.label),
      );
      return wrap(
        h(
          'select',
          { id: d.id, multiple, ...d.aria, ...ctx.form.register(name) },
          multiple ? null : h('option', { key: '', value: '' }, '---------'),
          ...options,
        ),
      );
    }
    case 'radio':
      return h(ChoiceSet, { field, path, ctx, d, type: 'radio' });
    case 'checkboxes':
      return h(ChoiceSet, { field, path, ctx, d, type: 'checkbox' });
    case 'group':
      return h(
        'fieldset',
        { id: d.id, className: 'mizan-group', ...d.aria },
        h('legend', null, field.label),
        ...(field.fields ?? []).map((f) =>
          h(FieldView, { key: f.name, field: f, path: [...path, f.name], ctx }),
        ),
        ...notes(field, d),
      );
    case 'rows':
      return h(RowsView, { field, path, ctx, d });
    case 'file':
      return wrap(h(FileInput, { field, name, ctx, d }));
    default: {
      const options = field.kind === 'integer' ? { setValueAs: integerValue } : undefined;
      return wrap(
        h('input', {
          type: INPUT_TYPES[widget] ?? 'text',
          id: d.id,
          placeholder: field.placeholder,
          inputMode: widget === 'decimal' ? 'decimal' : undefined,
          step: widget === 'number' ? 1 : undefined,
          ...d.aria,
          ...ctx.form.register(name, options),
        }),
      );
    }
  }
}

interface PartProps {
  field: FieldSpec;
  path: (string | number)[];
  ctx: FieldContext;
  d: Described;
}

/**
 * Radios (`choice`) or checkboxes (`multichoice`), one per choice, in a fieldset. Checkboxes are
 * kept as an array here: `react-hook-form` reads a lone checkbox as a boolean, which would turn
 * a multichoice of one option into `true`.
 */
function ChoiceSet({ field, path, ctx, d, type }: PartProps & { type: 'radio' | 'checkbox' }): ReactElement {
  const name = dottedPath(path);
  const selected: unknown = useWatch({ control: ctx.form.control, name });
  const chosen = Array.isArray(selected) ? (selected as unknown[]) : [];
  const toggle = (value: string, on: boolean): void => {
    const next = on ? [...chosen, value] : chosen.filter((v) => v !== value);
    ctx.form.setValue(name, next, {
      shouldDirty: true,
      shouldValidate: ctx.form.formState.isSubmitted,
    });
  };
  const options = (field.choices ?? []).map((c, i) => {
    const input =
      type === 'radio'
        ? h('input', { type: 'radio', id: `${d.id}-${i}`, value: c.value, ...d.aria, ...ctx.form.register(name) })
        : h('input', {
            type: 'checkbox',
            id: `${d.id}-${i}`,
            name,
            value: c.value,
            checked: chosen.includes(c.value),
            onChange: (e: { target: { checked: boolean } }) => toggle(c.value, e.target.checked),
            ...d.aria,
          });
    return h('label', { key: c.value, htmlFor: `${d.id}-${i}` }, input, ` ${c.label}`);
  });
  return h(
    'fieldset',
    { id: d.id, className: 'mizan-field mizan-choices', 'data-kind': field.kind },
    h('legend', null, field.label),
    ...options,
    ...notes(field, d),
  );
}

/**
 * A file input. Its value in the form is the chosen `File` (or `null`), set by hand: a file
 * input's own value is a `FileList`, which is not what the checks or the multipart body take.
 */
function FileInput({ field, name, ctx, d }: { field: FieldSpec; name: string; ctx: FieldContext; d: Described }): ReactElement {
  return h('input', {
    type: 'file',
    id: d.id,
    name,
    accept: field.accept?.join(','),
    ...d.aria,
    onChange: (e: { target: { files: FileList | null } }) => {
      ctx.form.setValue(name, e.target.files?.[0] ?? null, {
        shouldDirty: true,
        shouldValidate: ctx.form.formState.isSubmitted,
      });
    },
  });
}

/** A `rows` field: one fieldset per row, each with a remove button, and an add button. */
function RowsView({ field, path, ctx, d }: PartProps): ReactElement {
  const name = dottedPath(path);
  const rows = useFieldArray({ control: ctx.form.control, name: name as Path<FieldValues> });
  const fields = field.fields ?? [];
  const atMost = field.max_items !== undefined && rows.fields.length >= field.max_items;
  const atLeast = field.min_items !== undefined && rows.fields.length <= field.min_items;
  return h(
    'fieldset',
    { id: d.id, className: 'mizan-field mizan-rows', 'data-kind': 'rows', ...d.aria },
    h('legend', null, field.label),
    ...rows.fields.map((row, i) =>
      h(
        'fieldset',
        { key: row.id, id: fieldId(ctx.formName, [...path, i]), className: 'mizan-row' },
        h('legend', null, `${field.label} ${i + 1}`),
        ...fields.map((f) => h(FieldView, { key: f.name, field: f, path: [...path, i, f.name], ctx })),
        ...notes({ ...field, help: undefined }, describe(ctx, { ...field, help: undefined }, [...path, i])),
        h('button', { type: 'button', disabled: atLeast, onClick: () => rows.remove(i) }, 'Remove'),
      ),
    ),
    h(
      'button',
      { type: 'button', disabled: atMost, onClick: () => rows.append(initialValues(fields)) },
      'Add',
    ),
    ...notes(field, d),
  );
}
