/**
 * The canonical query of a context URL (spec §2.3), both ways: what a client or an edge worker
 * needs to build the one URL of a context read, and to read a received query exactly as the Rust
 * server does (pinned by `spec/vectors/query.json`).
 * @module
 */

import { canonicalize, isPlainObject, type JsonValue } from './canonical.js';
import { isValidFunctionName } from './cacheKey.js';
import { fail, isMizanCoreError, type CoreErrorCode } from './errors.js';
import { parseStrict } from './parse.js';
import { PROTOCOL_ERROR_STATUS } from './protocolErrors.js';

/** The codes a context query can fail with. */
export type ContextQueryErrorCode =
  | 'non_canonical_query'
  | 'malformed_json'
  | 'validation_failed'
  | 'bad_request';

/**
 * The `details` of a {@link ContextQueryError}, as a server sends them: the received query and,
 * when every part could be read, the canonical one (empty when the URL should have no query); or
 * the Layer 1 code behind `malformed_json` (a canonical JSON code) or `bad_request`
 * (`invalid_rev`).
 */
export type ContextQueryErrorDetails =
  | { received: string; canonical?: string }
  | { reason: CoreErrorCode };

/**
 * Why a context query cannot be built or read. {@link ContextQueryError.code},
 * {@link ContextQueryError.status} and {@link ContextQueryError.details} are what a server answers
 * with (spec §2.6), so an edge worker can send them on as the error body.
 */
export class ContextQueryError extends Error {
  /** The protocol error code. */
  readonly code: ContextQueryErrorCode;
  /** Its HTTP status (spec §2.6). */
  readonly status: number;
  /** Machine-readable details; absent for `validation_failed`. */
  readonly details: ContextQueryErrorDetails | undefined;

  /**
   * @param code - the protocol error code.
   * @param message - for people; may change.
   * @param details - see {@link ContextQueryErrorDetails}.
   * @param cause - the underlying error, when there is one.
   */
  constructor(
    code: ContextQueryErrorCode,
    message: string,
    details?: ContextQueryErrorDetails,
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'ContextQueryError';
    this.code = code;
    this.status = PROTOCOL_ERROR_STATUS[code];
    this.details = details;
  }
}

const NON_CANONICAL =
  'context URLs must use the canonical query: `p=<percent-encoded canonical JSON>` (omitted for {}) then `rev=<n>` (omitted for 0)';

/**
 * `percent` of spec §2.3: keeps `A-Z a-z 0-9 - . _ ~` and writes every other UTF-8 byte as `%XX`
 * with uppercase hex digits.
 *
 * `encodeURIComponent` already does exactly that, except that it also keeps `! ' ( ) *`.
 * The input must have no lone surrogates (canonical JSON never has).
 */
export function percentEncode(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * The canonical query of spec §2.3, without `?`: `p=percent(canonical(params))` unless `params`
 * is `{}`, then `rev=<rev>` unless `rev` is 0, joined by `&`. `''` means the URL has no `?` at
 * all. Members whose value is `undefined` are left out, as `JSON.stringify` does.
 *
 * @throws {@link ContextQueryError} `validation_failed` when `params` is not a plain object;
 *   `malformed_json` (the Layer 1 code in `details.reason`) when it has no canonical JSON form (a
 *   float, a non-finite number, a lone surrogate…), as a server would answer for the same params;
 *   `bad_request` (`details.reason` `invalid_rev`) when `rev` is not an integer in `0..=2^53-1`.
 */
export function encodeContextQuery(params: Record<string, unknown>, rev = 0): string {
  if (!isPlainObject(params)) {
    throw new ContextQueryError('validation_failed', 'context params must be a plain object');
  }
  let json: string;
  try {
    json = canonicalize(params);
  } catch (e) {
    if (!isMizanCoreError(e)) throw e;
    throw new ContextQueryError(
      'malformed_json',
      `params have no canonical JSON form: ${e.message}`,
      { reason: e.code },
      e,
    );
  }
  return encodeCanonicalContextQuery(json, rev);
}

/**
 * {@link encodeContextQuery} of params whose canonical JSON is already known: `json` is what
 * `canonicalize(params)` returned for them. For a client that canonicalizes the params of a read
 * once (for its cache key) and builds the URL from the same text.
 *
 * @throws {@link ContextQueryError} `bad_request` (`details.reason` `invalid_rev`) when `rev` is
 *   not an integer in `0..=2^53-1`.
 */
export function encodeCanonicalContextQuery(json: string, rev = 0): string {
  if (!Number.isSafeInteger(rev) || rev < 0) {
    throw new ContextQueryError('bad_request', `rev ${rev} is not an integer in 0..=2^53-1`, {
      reason: 'invalid_rev',
    });
  }
  const p = json === '{}' ? '' : `p=${percentEncode(json)}`;
  if (rev === 0) return p;
  return p === '' ? `rev=${rev}` : `${p}&rev=${rev}`;
}

/**
 * The URL of a context read: `base` without its trailing slashes, `/context/<name>`, then `?` and
 * the canonical query unless it is empty. `base` is where the server mounts Mizan, such as
 * `https://example.com/api/mizan` or `/api/mizan`.
 *
 * ```ts
 * contextUrl('https://example.com/api/mizan', 'greet', { name: 'Ada' }, 3);
 * // 'https://example.com/api/mizan/context/greet?p=%7B%22name%22%3A%22Ada%22%7D&rev=3'
 * ```
 *
 * @throws {@link MizanCoreError} `invalid_function_name` when `name` breaks the rule of spec §1.3;
 *   {@link ContextQueryError} as {@link encodeContextQuery} does.
 */
export function contextUrl(
  base: string,
  name: string,
  params: Record<string, unknown> = {},
  rev = 0,
): string {
  if (!isValidFunctionName(name)) {
    fail('invalid_function_name', 'function name breaks the naming rule');
  }
  const query = encodeContextQuery(params, rev);
  return `${base.replace(/\/+$/, '')}/context/${name}${query === '' ? '' : `?${query}`}`;
}

/** What a context query decodes to. */
export interface DecodedContextQuery {
  /** The params object (`{}` when the query has no `p`). */
  params: Record<string, JsonValue>;
  /** The revision (0 when the query has no `rev`). */
  rev: number;
}

// -1 for a character that is not a hex digit (either case).
function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const lower = c | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}

/**
 * Percent-decodes a value leniently (spec §2.3): `%` and two hex digits of either case is that
 * byte; a printable ASCII character (`!` to `~`) other than `%` and `+` is itself. Anything else
 * (`+`, a bad escape, a control or non-ASCII character) gives `undefined`.
 */
function percentDecode(text: string): Uint8Array | undefined {
  const out = new Uint8Array(text.length);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x25) {
      const hi = hexDigit(text.charCodeAt(i + 1));
      const lo = hexDigit(text.charCodeAt(i + 2));
      if (hi < 0 || lo < 0) return undefined;
      out[n++] = (hi << 4) | lo;
      i += 2;
    } else if (c === 0x2b || c < 0x21 || c > 0x7e) {
      return undefined;
    } else {
      out[n++] = c;
    }
  }
  return out.subarray(0, n);
}

/** One or more ASCII digits, leading zeros allowed, at most `2^53 - 1`; `undefined` otherwise. */
function readRev(bytes: Uint8Array): number | undefined {
  if (bytes.length === 0 || !bytes.every((b) => b >= 0x30 && b <= 0x39)) return undefined;
  let start = 0;
  while (start < bytes.length && bytes[start] === 0x30) start++;
  // 2^53 - 1 has 16 digits; longer numbers are out of range without converting them.
  if (bytes.length - start > 16) return undefined;
  const rev = Number(String.fromCharCode(...bytes.subarray(start)) || '0');
  return rev <= Number.MAX_SAFE_INTEGER ? rev : undefined;
}

/**
 * Reads a received context query as the server does (spec §2.3); only the canonical spelling
 * decodes.
 *
 * `query` is the raw text after the first `?` of the request target (without `#…`), or `null` /
 * `undefined` when there is no `?`: an empty query after `?` is not canonical. A `URL` object
 * cannot tell those two apart (`url.search` is `''` for both) and re-escapes a few characters, so
 * take the query from the raw request target when that matters.
 *
 * The query is split on `&` and the parts read left to right; the first part that cannot be
 * read decides the error: a part that is neither `p=…` nor `rev=…`, or names a part seen before,
 * or whose value does not percent-decode (see `percentDecode` rules: no `+`), or a `rev` that is
 * not a decimal integer in `0..=2^53-1` is `non_canonical_query` without `details.canonical`; a
 * `p` that is not JSON as spec §1.1.5 reads it is `malformed_json`; a `p` that is not an object
 * is `validation_failed`. When every part reads, anything but the canonical query is
 * `non_canonical_query` with `details.canonical`.
 *
 * @throws {@link ContextQueryError} as above.
 */
export function decodeContextQuery(query: string | null | undefined): DecodedContextQuery {
  if (query === null || query === undefined) return { params: {}, rev: 0 };
  const unreadable = () =>
    new ContextQueryError('non_canonical_query', NON_CANONICAL, { received: query });
  let params: Record<string, JsonValue> | undefined;
  let rev: number | undefined;
  for (const part of query.split('&')) {
    if (part.startsWith('p=')) {
      if (params !== undefined) throw unreadable();
      const bytes = percentDecode(part.slice(2));
      if (bytes === undefined) throw unreadable();
      let value: JsonValue;
      try {
        value = parseStrict(bytes);
      } catch (e) {
        if (!isMizanCoreError(e)) throw e;
        throw new ContextQueryError(
          'malformed_json',
          `the \`p\` parameter is not canonical JSON: ${e.message}`,
          { reason: e.code },
          e,
        );
      }
      if (!isPlainObject(value)) {
        throw new ContextQueryError(
          'validation_failed',
          'the `p` parameter must be a JSON object of params',
        );
      }
      params = value as Record<string, JsonValue>;
    } else if (part.startsWith('rev=')) {
      if (rev !== undefined) throw unreadable();
      const bytes = percentDecode(part.slice(4));
      rev = bytes === undefined ? undefined : readRev(bytes);
      if (rev === undefined) throw unreadable();
    } else {
      throw unreadable();
    }
  }
  const decoded = { params: params ?? {}, rev: rev ?? 0 };
  const canonical = encodeContextQuery(decoded.params, decoded.rev);
  if (canonical !== query) {
    throw new ContextQueryError('non_canonical_query', NON_CANONICAL, {
      received: query,
      canonical,
    });
  }
  return decoded;
}
