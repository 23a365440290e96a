/**
 * A form's values as they start (spec initials, a re-rendered post's values) and as they travel:
 * JSON for `<name>.validate` and a form without files, `multipart/form-data` for a form with
 * files (spec §2.13.4).
 * @module
 */

import { isBlob, isJsonObject } from './check.js';
import type { FieldSpec } from './spec.js';

/** What an input of `field` holds before anyone typed: empty, so missing (§2.13.2). */
function emptyValue(field: FieldSpec): unknown {
  switch (field.kind) {
    case 'integer':
    case 'file':
      return null;
    case 'boolean':
      return false;
    case 'multichoice':
      return [];
    case 'rows':
      // As many empty rows as the form needs at least, as the server's page shows them.
      return Array.from({ length: field.min_items ?? 0 }, () => initialValues(field.fields ?? []));
    case 'group':
      return initialValues(field.fields ?? []);
    default:
      return '';
  }
}

/**
 * The values a new form starts with: each field's `initial`, or an empty value of its kind (`''`
 * for strings, `null` for integers and files, `false`, `[]`, a group's own initial values,
 * `min_items` empty rows).
 */
export function initialValues(fields: readonly FieldSpec[]): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const field of fields) {
    const empty = emptyValue(field);
    values[field.name] = field.initial === undefined ? empty : mergeValues(empty, field.initial);
  }
  return values;
}

/**
 * `over` laid on `base`: objects member by member, anything else replaced (arrays whole), and
 * `undefined` keeping what `base` has.
 */
export function mergeValues(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (!isJsonObject(base) || !isJsonObject(over)) return over;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) merged[key] = mergeValues(base[key], value);
  return merged;
}

/** Every browser file in `values`, with its dotted path (`photos.0.file`), in document order. */
export function filesIn(values: unknown, path: readonly (string | number)[] = []): [string, Blob][] {
  if (isBlob(values)) return [[path.join('.'), values]];
  const entries: [string | number, unknown][] = Array.isArray(values)
    ? values.map((v: unknown, i) => [i, v])
    : isJsonObject(values)
      ? Object.entries(values)
      : [];
  return entries.flatMap(([key, value]) => filesIn(value, [...path, key]));
}

/**
 * `values` as JSON can carry them to `<name>.validate`: each browser file replaced by its
 * description `{name, size, type}` (§2.13.3), so the server checks its size and type without
 * the bytes.
 */
export function describedValues(values: unknown): unknown {
  if (isBlob(values)) {
    const name = values instanceof File ? values.name : 'blob';
    return { name, size: values.size, type: values.type };
  }
  if (Array.isArray(values)) return values.map(describedValues);
  if (isJsonObject(values)) {
    return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, describedValues(v)]));
  }
  return values;
}

/**
 * The `multipart/form-data` body of a submit with files (§2.13.4): first a `__values` part, the
 * values as JSON without their files (a file member is left out, so the server sees it only as
 * the file part), then one part per file named by its dotted path, with its file name. The JSON
 * part is a plain string, not a `Blob`: a part with a file name would be read as a file.
 */
export function multipartBody(values: Record<string, unknown>): FormData {
  const body = new FormData();
  body.append(
    '__values',
    JSON.stringify(values, (_key, value: unknown) => (isBlob(value) ? undefined : value)),
  );
  for (const [path, file] of filesIn(values)) {
    body.append(path, file, file instanceof File ? file.name : 'blob');
  }
  return body;
}
