/**
 * Canonical JSON (spec §1.1): one encoding per value, so equal values give equal bytes in every
 * implementation.
 * @module
 */

import { fail, isMizanCoreError } from './errors.js';
import { parseStrict } from './parse.js';
import { utf8Encode } from './utf8.js';

/**
 * A JSON value as this package reads and writes it.
 *
 * Object members may be `undefined`: they are omitted on output, as `JSON.stringify` does.
 */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | JsonValue[]
  | { [key: string]: JsonValue | undefined };

/** Containers nest at most this deep (spec §1.1.2). */
export const MAX_DEPTH = 32;

// Strings without any of these characters are written as they are; the test is much cheaper than
// the per-code-unit loop, and cache-key params are mostly such strings.
const NEEDS_ESCAPE_OR_CHECK = /[\u0000-\u001f"\\\ud800-\udfff]/;

const SHORT_ESCAPES: Readonly<Record<number, string>> = {
  0x08: '\\b',
  0x09: '\\t',
  0x0a: '\\n',
  0x0c: '\\f',
  0x0d: '\\r',
  0x22: '\\"',
  0x5c: '\\\\',
};

function escapeCodeUnit(c: number): string {
  return SHORT_ESCAPES[c] ?? `\\u00${c < 0x10 ? '0' : ''}${c.toString(16)}`;
}

/**
 * Writes a string as a canonical JSON string literal (spec §1.1.3). Lone surrogates are
 * `lone_surrogate`: they have no UTF-8 encoding, so no other implementation could agree on them.
 * @internal
 */
export function writeString(s: string): string {
  if (!NEEDS_ESCAPE_OR_CHECK.test(s)) return `"${s}"`;
  let out = '"';
  let start = 0;
  const len = s.length;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c !== 0x22 && c !== 0x5c && (c < 0xd800 || c > 0xdfff)) continue;
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = i + 1 < len ? s.charCodeAt(i + 1) : 0;
      if (d >= 0xdc00 && d <= 0xdfff) {
        i++;
        continue;
      }
      fail('lone_surrogate', `unpaired high surrogate at index ${i}`);
    }
    if (c >= 0xdc00 && c <= 0xdfff) fail('lone_surrogate', `unpaired low surrogate at index ${i}`);
    out += s.slice(start, i) + escapeCodeUnit(c);
    start = i + 1;
  }
  return `${out}${s.slice(start)}"`;
}

/**
 * Writes a number as a canonical integer, or throws the code of §1.1.1 that rejects it.
 * @internal
 */
export function writeNumber(n: number): string {
  if (!Number.isFinite(n)) fail('non_finite_number', String(n));
  if (!Number.isInteger(n)) fail('float_not_allowed', String(n));
  if (!Number.isSafeInteger(n)) fail('integer_out_of_range', String(n));
  // Safe integers never print in exponent form, and `String(-0)` is already "0".
  return String(n);
}

/**
 * Whether `value` is a plain object: what an object literal, `JSON.parse` or
 * `Object.create(null)` makes. Class instances, `Date`, `Map`, typed arrays and the like are not.
 * @internal
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function writeValue(value: unknown, depth: number): string {
  switch (typeof value) {
    case 'string':
      return writeString(value);
    case 'number':
      return writeNumber(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (value === null) return 'null';
      if (depth >= MAX_DEPTH) fail('depth_exceeded', `containers nest deeper than ${MAX_DEPTH}`);
      if (Array.isArray(value)) return writeArray(value, depth + 1);
      if (isPlainObject(value)) return writeObject(value, depth + 1);
      return fail('unsupported_value', 'not a plain object or array');
    default:
      return fail('unsupported_value', `a value of type ${typeof value}`);
  }
}

function writeArray(items: readonly unknown[], depth: number): string {
  let out = '[';
  const len = items.length;
  for (let i = 0; i < len; i++) {
    if (i > 0) out += ',';
    // A hole or `undefined` element has no JSON form; `JSON.stringify` would invent a `null`.
    out += writeValue(items[i], depth);
  }
  return `${out}]`;
}

function writeObject(obj: Record<string, unknown>, depth: number): string {
  // The default sort compares UTF-16 code units, which is exactly the order of §1.1.4.
  const keys = Object.keys(obj).sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    const member = obj[key];
    if (member === undefined) continue;
    out += `${first ? '' : ','}${writeString(key)}:${writeValue(member, depth)}`;
    first = false;
  }
  return `${out}}`;
}

/**
 * Runs `write` and turns any foreign exception (a throwing getter, a revoked proxy) into
 * `unsupported_value`, so that nothing but {@link MizanCoreError} leaves the package.
 * @internal
 */
export function guardValue<T>(write: () => T): T {
  try {
    return write();
  } catch (error) {
    if (isMizanCoreError(error)) throw error;
    return fail('unsupported_value', 'reading the value threw', error);
  }
}

/**
 * The canonical JSON text (spec §1.1) of an in-memory value.
 *
 * Accepted: `null`, booleans, safe integers (`-0` is written `0`), strings of Unicode scalar
 * values, arrays, and plain objects (prototype `Object.prototype` or `null`) whose own enumerable
 * string-keyed properties are taken; members whose value is `undefined` are omitted, symbol keys
 * are ignored, as with `JSON.stringify`. Anything else is `unsupported_value`, including
 * `undefined` at the top level or as an array element, `bigint`, functions, `Date`, `Map` and
 * other class instances. A cyclic value is `depth_exceeded`.
 *
 * @throws {@link MizanCoreError} `non_finite_number`, `float_not_allowed`,
 *   `integer_out_of_range`, `lone_surrogate`, `depth_exceeded` or `unsupported_value`.
 */
export function canonicalize(value: unknown): string {
  return guardValue(() => writeValue(value, 0));
}

/**
 * Canonicalizes JSON text given as UTF-8 bytes (spec §1.1.5) and returns the canonical UTF-8
 * bytes. Errors are reported in the order of §1.1.5: `invalid_utf8` first, then the first
 * parsing error in input order.
 *
 * @throws {@link MizanCoreError} any canonical JSON code.
 */
export function canonicalizeBytes(bytes: Uint8Array): Uint8Array {
  return utf8Encode(canonicalize(parseStrict(bytes)));
}

/**
 * Canonicalizes JSON text given as a JavaScript string (spec §1.1.5) and returns the canonical
 * text. A lone surrogate anywhere in `text` is `lone_surrogate`, checked before parsing, as the
 * bytes form checks UTF-8 before parsing.
 *
 * @throws {@link MizanCoreError} any canonical JSON code except `invalid_utf8`.
 */
export function canonicalizeText(text: string): string {
  return canonicalize(parseStrict(text));
}
