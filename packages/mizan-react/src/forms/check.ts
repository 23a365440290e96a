/**
 * The checks of spec §2.13.2 on a form's values: the same paths, the same messages and the same
 * "missing" rules as the server (`crates/mizan-core/src/form/check.rs`, of which this is a port),
 * so a form refuses on the client exactly what the server would refuse, with the same words.
 * `spec/vectors/forms.json` pins both.
 * @module
 */

import type { MizanFieldError } from '../errors.js';
import { compareDecimals, decimalDigits, isDecimal } from './decimal.js';
import { FORM_MESSAGES as m } from './messages.js';
import { EMAIL_PATTERN, URL_PATTERN, mediaTypeEssence, wholeMatch } from './patterns.js';
import type { FieldKind, FieldPath, FieldSpec, FormSpec } from './spec.js';
import { isDate, isDatetime, isTime, normalizedTime } from './temporal.js';

/**
 * What a `file` field's value may be. `validate`: a description `{name, size, type}` or a
 * browser `File`/`Blob` (what `<name>.validate` and a multipart submit see); `submit_json`: a JSON
 * submit, which cannot carry a file, so any file value other than a missing one is refused.
 */
export type FormCheckMode = 'validate' | 'submit_json';

/** The largest integer both sides hold exactly: 2^53 − 1. */
const MAX_SAFE_INTEGER = Number.MAX_SAFE_INTEGER;

// The kinds whose empty string counts as missing (§2.13.2).
const EMPTY_STRING_MISSING: ReadonlySet<FieldKind> = new Set([
  'text',
  'email',
  'url',
  'decimal',
  'choice',
  'date',
  'time',
  'datetime',
]);

/**
 * The field errors of `values` against `spec` (§2.13.2): at most one per path (the first found
 * wins), paths with keys as strings and indexes as numbers, `[]` for the form as a whole. An
 * empty list means the values pass every declared check (server rules aside).
 *
 * A member whose value is `undefined` counts as absent, as it would once written as JSON.
 */
export function checkForm(
  spec: Pick<FormSpec, 'fields'>,
  values: unknown,
  mode: FormCheckMode = 'validate',
): MizanFieldError[] {
  const errors = new FieldErrors();
  if (isJsonObject(values)) checkObject(spec.fields, values, mode, [], errors);
  else errors.add([], m.invalid);
  return errors.list;
}

/** The errors found so far, one per path. */
class FieldErrors {
  readonly list: MizanFieldError[] = [];
  readonly #seen = new Set<string>();

  add(path: FieldPath, message: string): void {
    const key = JSON.stringify(path);
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    this.list.push({ path, message });
  }
}

/**
 * Whether `v` is what JSON calls an object: a plain object, not an array, a `File` or a `Date`
 * (those are values of their own to a form, never a group of fields).
 */
export function isJsonObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function checkObject(
  fields: readonly FieldSpec[],
  object: Record<string, unknown>,
  mode: FormCheckMode,
  path: FieldPath,
  errors: FieldErrors,
): void {
  for (const [key, value] of Object.entries(object)) {
    if (value !== undefined && !fields.some((f) => f.name === key)) {
      errors.add([...path, key], m.unknownField);
    }
  }
  for (const field of fields) {
    const at = [...path, field.name];
    const value = Object.prototype.hasOwnProperty.call(object, field.name)
      ? object[field.name]
      : undefined;
    if (isMissing(field, value)) {
      if (field.required) errors.add(at, m.required);
      continue;
    }
    const message = checkField(field, value, mode, at, errors);
    if (message !== undefined) errors.add(at, message);
  }
}

/** Whether `value` counts as missing for `field` (§2.13.2). */
export function isMissing(field: Pick<FieldSpec, 'kind' | 'required'>, value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (value === '') return EMPTY_STRING_MISSING.has(field.kind);
  if (Array.isArray(value) && value.length === 0) return field.kind === 'multichoice';
  if (value === false) return field.kind === 'boolean' && field.required;
  return false;
}

/** The length of `s` in Unicode code points, as the spec counts `min_length` and `max_length`. */
function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n += 1;
  return n;
}

function lengthError(field: FieldSpec, s: string): string | undefined {
  if (field.min_length !== undefined && codePoints(s) < field.min_length) {
    return m.minLength(field.min_length);
  }
  if (field.max_length !== undefined && codePoints(s) > field.max_length) {
    return m.maxLength(field.max_length);
  }
  return undefined;
}

// Checks a value that is not missing; returns the message of the first failing check, or
// undefined. Nested errors (items, groups, rows) go straight to `errors` at their own paths.
function checkField(
  field: FieldSpec,
  value: unknown,
  mode: FormCheckMode,
  at: FieldPath,
  errors: FieldErrors,
): string | undefined {
  switch (field.kind) {
    case 'text':
      if (typeof value !== 'string') return m.invalid;
      return (
        lengthError(field, value) ??
        (field.pattern !== undefined && !wholeMatch(field.pattern, value)
          ? (field.pattern_message ?? m.invalid)
          : undefined)
      );
    case 'email':
      if (typeof value !== 'string') return m.invalidEmail;
      return lengthError(field, value) ?? (EMAIL_PATTERN.test(value) ? undefined : m.invalidEmail);
    case 'url':
      if (typeof value !== 'string') return m.invalidUrl;
      return lengthError(field, value) ?? (URL_PATTERN.test(value) ? undefined : m.invalidUrl);
    case 'integer':
      return integerError(field, value);
    case 'decimal':
      return decimalError(field, value);
    case 'boolean':
      return typeof value === 'boolean' ? undefined : m.invalidBoolean;
    case 'choice':
      return typeof value === 'string' && offered(field, value) ? undefined : m.invalidChoice;
    case 'multichoice':
      return multichoiceError(field, value, at, errors);
    case 'date':
      return temporalError(field, value, isDate, m.invalidDate);
    case 'time':
      return temporalError(field, value, isTime, m.invalidTime);
    case 'datetime':
      return temporalError(field, value, isDatetime, m.invalidDatetime);
    case 'group':
      if (!isJsonObject(value)) return m.invalid;
      checkObject(field.fields ?? [], value, mode, at, errors);
      return undefined;
    case 'rows':
      return rowsError(field, value, mode, at, errors);
    case 'file':
      return fileError(field, value, mode);
  }
}

function integerError(field: FieldSpec, value: unknown): string | undefined {
  if (typeof value !== 'number' || !Number.isInteger(value) || Math.abs(value) > MAX_SAFE_INTEGER) {
    return m.invalidInteger;
  }
  // A limit of another type than a number is not a limit of an integer field (as on the server).
  if (typeof field.min === 'number' && value < field.min) return m.minValue(String(field.min));
  if (typeof field.max === 'number' && value > field.max) return m.maxValue(String(field.max));
  return undefined;
}

function decimalError(field: FieldSpec, value: unknown): string | undefined {
  if (typeof value !== 'string' || !isDecimal(value)) return m.invalidDecimal;
  const { total, places } = decimalDigits(value);
  if (field.max_digits !== undefined && total > field.max_digits) {
    return m.maxDigits(field.max_digits);
  }
  if (field.decimal_places !== undefined && places > field.decimal_places) {
    return m.decimalPlaces(field.decimal_places);
  }
  if (typeof field.min === 'string' && compareDecimals(value, field.min) < 0) {
    return m.minValue(field.min);
  }
  if (typeof field.max === 'string' && compareDecimals(value, field.max) > 0) {
    return m.maxValue(field.max);
  }
  return undefined;
}

function offered(field: FieldSpec, value: string): boolean {
  return (field.choices ?? []).some((c) => c.value === value);
}

function multichoiceError(
  field: FieldSpec,
  value: unknown,
  at: FieldPath,
  errors: FieldErrors,
): string | undefined {
  if (!Array.isArray(value)) return m.invalidList;
  if (field.min_items !== undefined && value.length < field.min_items) {
    return m.minOptions(field.min_items);
  }
  if (field.max_items !== undefined && value.length > field.max_items) {
    return m.maxOptions(field.max_items);
  }
  value.forEach((item: unknown, i) => {
    if (typeof item !== 'string' || !offered(field, item)) errors.add([...at, i], m.invalidChoice);
  });
  return undefined;
}

function temporalError(
  field: FieldSpec,
  value: unknown,
  valid: (s: string) => boolean,
  invalid: string,
): string | undefined {
  if (typeof value !== 'string' || !valid(value)) return invalid;
  const moment = normalizedTime(value);
  if (typeof field.min === 'string' && moment < normalizedTime(field.min)) {
    return m.notBefore(field.min);
  }
  if (typeof field.max === 'string' && moment > normalizedTime(field.max)) {
    return m.notAfter(field.max);
  }
  return undefined;
}

function rowsError(
  field: FieldSpec,
  value: unknown,
  mode: FormCheckMode,
  at: FieldPath,
  errors: FieldErrors,
): string | undefined {
  if (!Array.isArray(value)) return m.invalidList;
  if (field.min_items !== undefined && value.length < field.min_items) {
    return m.minRows(field.min_items);
  }
  if (field.max_items !== undefined && value.length > field.max_items) {
    return m.maxRows(field.max_items);
  }
  value.forEach((row: unknown, i) => {
    if (isJsonObject(row)) checkObject(field.fields ?? [], row, mode, [...at, i], errors);
    else errors.add([...at, i], m.invalid);
  });
  return undefined;
}

/** A chosen file as the checks read it: a browser `Blob`/`File` or its JSON description. */
interface FileDescription {
  size: number;
  type: string;
}

/** Whether `v` is a browser `Blob` (a `File` is one). */
export function isBlob(v: unknown): v is Blob {
  return typeof Blob !== 'undefined' && v instanceof Blob;
}

// The description of §2.13.4: exactly `name`, `size` and `type`, `size` a whole number of bytes
// from 0 to 2^53 − 1 (read as for `integer`, so `2048.0` is a size).
function describedFile(value: unknown): FileDescription | undefined {
  if (isBlob(value)) return { size: value.size, type: value.type };
  if (!isJsonObject(value)) return undefined;
  const keys = Object.keys(value);
  const { name, size, type } = value;
  const exact = keys.length === 3 && ['name', 'size', 'type'].every((k) => keys.includes(k));
  return exact &&
    typeof name === 'string' &&
    typeof type === 'string' &&
    typeof size === 'number' &&
    Number.isInteger(size) &&
    size >= 0 &&
    size <= MAX_SAFE_INTEGER
    ? { size, type }
    : undefined;
}

function fileError(field: FieldSpec, value: unknown, mode: FormCheckMode): string | undefined {
  if (mode === 'submit_json') return m.invalidFile;
  const file = describedFile(value);
  if (file === undefined) return m.invalidFile;
  // The type first, as a multipart body is judged: its headers come before its bytes.
  if (field.accept !== undefined && !accepts(field.accept, file.type)) return m.fileType;
  if (field.max_size !== undefined && file.size > field.max_size) return m.maxSize(field.max_size);
  return undefined;
}

/**
 * Whether a media type (any case, parameters allowed) is one of `accept` (§2.13.4), by its
 * essence: `t/s` takes the essence `t/s`, `t/*` every essence `t/…` with more after the slash.
 */
export function accepts(accept: readonly string[], mediaType: string): boolean {
  const essence = mediaTypeEssence(mediaType);
  const slash = essence.indexOf('/');
  return accept.some((entry) => {
    if (!entry.endsWith('/*')) return entry === essence;
    const top = entry.slice(0, -2);
    return slash >= 0 && essence.slice(0, slash) === top && essence.length > slash + 1;
  });
}
