/**
 * Cache keys (spec §1.3): the name of one cached context response.
 * @module
 */

import { canonicalize, guardValue, isPlainObject, writeString } from './canonical.js';
import { fail } from './errors.js';
import { toHex } from './hex.js';
import { deriveHmacKey, hmacSha256 } from './keys.js';
import { utf8Encode } from './utf8.js';

/** A function name is at most this many bytes (spec §1.3). */
export const MAX_FUNCTION_NAME_BYTES = 128;

const FUNCTION_NAME = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/**
 * Whether `fn` is a valid function name: 1..=128 bytes, `.`-separated segments each matching
 * `[A-Za-z_][A-Za-z0-9_]*`.
 */
export function isValidFunctionName(fn: unknown): fn is string {
  // The rule admits ASCII only, so the length in code units is the length in bytes.
  return typeof fn === 'string' && fn.length <= MAX_FUNCTION_NAME_BYTES && FUNCTION_NAME.test(fn);
}

/**
 * The exact bytes that a cache key authenticates:
 * `canonical(["mizan.ck.v1", fn, params, pk, rev])`, with the depth limit applied to `params`
 * on its own.
 * @internal
 */
export function cacheKeyMessage(fn: string, params: unknown, pk: string, rev: number): string {
  if (!isValidFunctionName(fn)) fail('invalid_function_name', 'function name breaks the naming rule');
  if (!isPlainObject(params)) fail('params_not_object', 'params must be a plain object');
  if (typeof pk !== 'string' || pk.length === 0) {
    fail('invalid_permission_key', 'pk must be a non-empty string');
  }
  if (typeof rev !== 'number' || !Number.isSafeInteger(rev) || rev < 0) {
    fail('invalid_rev', 'rev must be an integer in 0..=2^53-1');
  }
  // The shape checks above come first and the canonical errors of the values after, as in the
  // Rust implementation. Canonicalizing params alone is what puts the depth limit on params
  // rather than on the array.
  const paramsText = canonicalize(params);
  return `["mizan.ck.v1","${fn}",${paramsText},${writeString(pk)},${rev === 0 ? 0 : rev}]`;
}

/**
 * Derives cache keys (spec §1.3) with the `cache` key of one root secret.
 *
 * Create it once per secret: {@link CacheKeyDeriver.create} runs HKDF and imports the HMAC key,
 * which is the slow part; {@link CacheKeyDeriver.derive} then costs one HMAC.
 *
 * @example
 * ```ts
 * const ck = await CacheKeyDeriver.create(rootSecret);
 * const key = await ck.derive('echo', { text: 'hi' }, pk, 0); // 64 hex characters
 * ```
 */
export class CacheKeyDeriver {
  readonly #key: CryptoKey;

  private constructor(key: CryptoKey) {
    this.#key = key;
  }

  /**
   * Derives the cache key from `rootSecret`.
   *
   * @throws {@link MizanCoreError} `secret_too_short`.
   */
  static async create(rootSecret: Uint8Array): Promise<CacheKeyDeriver> {
    return new CacheKeyDeriver(await deriveHmacKey(rootSecret, 'cache'));
  }

  /**
   * The cache key `hex(HMAC(key(cache), canonical(["mizan.ck.v1", fn, params, pk, rev])))`:
   * 64 lowercase hex characters.
   *
   * @param fn - the function name.
   * @param params - the function's named parameters, a plain object (`{}` when none).
   * @param pk - the permission key (§1.4) or another non-empty string.
   * @param rev - the revision, an integer `0..=2^53-1`; `0` (the default) means none.
   * @throws {@link MizanCoreError} `invalid_function_name`, `params_not_object`,
   *   `invalid_permission_key`, `invalid_rev`, then any canonical JSON code for `params`, then
   *   `lone_surrogate` for a `pk` that holds one; checked in that order.
   */
  async derive(fn: string, params: unknown, pk: string, rev = 0): Promise<string> {
    // The guard turns a hostile `params` (a proxy whose traps throw) into `unsupported_value`.
    const message = guardValue(() => cacheKeyMessage(fn, params, pk, rev));
    return toHex(await hmacSha256(this.#key, utf8Encode(message)));
  }
}
