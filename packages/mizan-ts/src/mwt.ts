/**
 * The Mizan Web Token (spec §1.5): `mwt1.<kid>.<b64u(canonical claims)>.<b64u(HMAC tag)>`.
 * @module
 */

import { base64urlDecode, base64urlEncode } from './base64url.js';
import { canonicalize, guardValue, type JsonValue } from './canonical.js';
import { readClaims, signingPayload, type MwtClaims } from './claims.js';
import { fail, isMizanCoreError } from './errors.js';
import { deriveHmacKey, hmacSha256, MIN_SECRET_BYTES } from './keys.js';
import { parseStrict } from './parse.js';
import { utf8DecodeStrict, utf8Encode, utf8Length } from './utf8.js';

/** A token is at most this many bytes, signed or verified (spec §1.5.1). */
export const MAX_TOKEN_BYTES = 4096;

/** The clock skew a verifier allows when none is given, in seconds (spec §1.5.4). */
export const DEFAULT_SKEW_SECONDS = 30;

const VERSION = 'mwt1';
const KID = /^[A-Za-z0-9_-]{1,64}$/;
// The tag is always the full 32-byte HMAC: 43 base64url characters.
const TAG_CHARS = 43;

/** Whether `kid` matches the key id rule `1*64( ALPHA / DIGIT / "-" / "_" )`. */
export function isValidKid(kid: unknown): kid is string {
  return typeof kid === 'string' && KID.test(kid);
}

/** One keyring entry: a key id and its root secret (at least 32 bytes). */
export interface KeyringEntry {
  /** The key id, written into every token that this entry signs. */
  kid: string;
  /** The root secret; its `token` key (§1.2) signs and verifies. */
  secret: Uint8Array;
}

/** What {@link Keyring.create} takes. */
export interface KeyringOptions {
  /** The kid of the entry that signs new tokens; must be among `keys`. */
  primary: string;
  /** Every entry; all of them verify. */
  keys: readonly KeyringEntry[];
}

/** What {@link Keyring.sign} takes. */
export interface SignOptions {
  /** The entry that signs, instead of the primary. */
  kid?: string;
}

/** What {@link Keyring.verify} takes (spec §1.5.4). */
export interface VerifyOptions {
  /** The expected `iss`. */
  issuer: string;
  /** The expected `aud`. */
  audience: string;
  /** The current time, integer Unix seconds; defaults to the system clock. */
  now?: number;
  /** The allowed clock skew, a non-negative integer of seconds; defaults to 30. */
  skew?: number;
}

function isTime(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n);
}

/**
 * A set of token keys: one primary entry signs, every entry verifies (spec §1.5.3). To rotate,
 * add the new entry, make it primary, and drop the old one once its tokens have expired.
 *
 * @example
 * ```ts
 * const ring = await Keyring.create({ primary: 'k1', keys: [{ kid: 'k1', secret }] });
 * const token = await ring.sign({ iss: 'app', aud: 'edge', iat, exp, pk });
 * const claims = await ring.verify(token, { issuer: 'app', audience: 'edge' });
 * ```
 */
export class Keyring {
  readonly #keys: ReadonlyMap<string, CryptoKey>;
  readonly #primary: string;

  private constructor(keys: ReadonlyMap<string, CryptoKey>, primary: string) {
    this.#keys = keys;
    this.#primary = primary;
  }

  /**
   * Builds a keyring, deriving each entry's `token` key. Entries are checked in order, each for
   * `invalid_kid`, then `duplicate_kid`, then `secret_too_short`; then the keyring as a whole.
   *
   * @throws {@link MizanCoreError} `invalid_kid`, `duplicate_kid`, `secret_too_short`, or
   *   `empty_keyring` when there is no entry or `primary` is not among them.
   */
  static async create(options: KeyringOptions): Promise<Keyring> {
    const { primary, entries } = guardValue(() => {
      const keys: unknown = options?.keys;
      const list: { kid: unknown; secret: unknown }[] = [];
      if (Array.isArray(keys)) {
        for (const entry of keys as unknown[]) {
          const e = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
          list.push({ kid: e['kid'], secret: e['secret'] });
        }
      }
      return { primary: options?.primary as unknown, entries: list };
    });
    const seen = new Set<string>();
    for (const { kid, secret } of entries) {
      if (!isValidKid(kid)) fail('invalid_kid', `kid ${JSON.stringify(String(kid))} breaks the kid rule`);
      if (seen.has(kid)) fail('duplicate_kid', `kid ${kid} appears twice`);
      seen.add(kid);
      if (!(secret instanceof Uint8Array) || secret.length < MIN_SECRET_BYTES) {
        fail('secret_too_short', `the secret of kid ${kid} is under ${MIN_SECRET_BYTES} bytes`);
      }
    }
    if (entries.length === 0) fail('empty_keyring', 'the keyring has no entry');
    if (typeof primary !== 'string' || !seen.has(primary)) {
      fail('empty_keyring', 'the primary kid is not among the entries');
    }
    const derived = await Promise.all(
      entries.map(async ({ kid, secret }) => {
        const key = await deriveHmacKey(secret as Uint8Array, 'token');
        return [kid as string, key] as const;
      }),
    );
    return new Keyring(new Map(derived), primary);
  }

  /** The kid of the entry that signs new tokens. */
  get primary(): string {
    return this.#primary;
  }

  /** The kids of every entry, in the order given to {@link Keyring.create}. */
  get kids(): string[] {
    return [...this.#keys.keys()];
  }

  /**
   * Signs `claims` into a token with the primary entry, or with `options.kid`.
   *
   * @throws {@link MizanCoreError} `unknown_kid` for a kid not in the keyring; `invalid_claims`
   *   for claims that break §1.5.2; `token_too_large` for a token over 4096 bytes.
   */
  async sign(claims: MwtClaims, options?: SignOptions): Promise<string> {
    const kid: unknown = options?.kid ?? this.#primary;
    const key = typeof kid === 'string' ? this.#keys.get(kid) : undefined;
    if (key === undefined) return fail('unknown_kid', `kid ${String(kid)} is not in the keyring`);
    const payload = base64urlEncode(utf8Encode(signingPayload(claims)));
    const signed = `${VERSION}.${kid as string}.${payload}`;
    const length = signed.length + 1 + TAG_CHARS;
    if (length > MAX_TOKEN_BYTES) fail('token_too_large', `${length} bytes, at most ${MAX_TOKEN_BYTES}`);
    const tag = await hmacSha256(key, utf8Encode(signed));
    return `${signed}.${base64urlEncode(tag)}`;
  }

  /**
   * Verifies `token` and returns its claims, performing the steps of spec §1.5.4 in order and
   * stopping at the first failure.
   *
   * Options are read where the spec uses them, so a bad option never hides an earlier failure:
   * an `issuer` or `audience` that is not a string matches no token (`wrong_issuer`,
   * `wrong_audience`), and a `now` that is not a safe integer or a `skew` that is not a
   * non-negative safe integer fails the first time check (`expired`).
   *
   * @throws {@link MizanCoreError} `token_too_large`, `malformed_token`, `unsupported_version`,
   *   `unknown_kid`, `invalid_encoding`, `invalid_tag_length`, `bad_signature`,
   *   `malformed_payload`, `wrong_issuer`, `wrong_audience`, `expired`, `not_yet_valid` or
   *   `issued_in_future`.
   */
  async verify(token: string, options: VerifyOptions): Promise<MwtClaims> {
    if (typeof token !== 'string') return fail('malformed_token', 'the token is not a string');
    // 1. Code units never outnumber UTF-8 bytes, so the cheap test settles most tokens.
    if (token.length > MAX_TOKEN_BYTES || utf8Length(token) > MAX_TOKEN_BYTES) {
      fail('token_too_large', `over ${MAX_TOKEN_BYTES} bytes`);
    }
    // 2.
    const segments = token.split('.');
    if (segments.length !== 4) fail('malformed_token', `${segments.length} segments, 4 expected`);
    const [version, kid, payloadText, tagText] = segments as [string, string, string, string];
    // 3.
    if (version !== VERSION) fail('unsupported_version', 'the first segment is not mwt1');
    // 4. Fail closed: a kid that breaks the rule is simply not in the keyring.
    const key = KID.test(kid) ? this.#keys.get(kid) : undefined;
    if (key === undefined) return fail('unknown_kid', 'the kid is not in the keyring');
    // 5.
    const payload = base64urlDecode(payloadText);
    const tag = base64urlDecode(tagText);
    // 6.
    if (tag.length !== 32) fail('invalid_tag_length', `${tag.length} bytes, 32 expected`);
    // 7. Web Crypto's verify compares in constant time.
    const signed = utf8Encode(`${version}.${kid}.${payloadText}`);
    if (!(await globalThis.crypto.subtle.verify('HMAC', key, new Uint8Array(tag), signed))) {
      fail('bad_signature', 'the tag does not match');
    }
    // 8.
    const claims = readClaims(canonicalPayload(payload));
    // 9.-13.
    checkClaims(claims, options);
    return claims;
  }
}

/** Step 8, first half: the payload must be canonical JSON text, byte for byte. */
function canonicalPayload(payload: Uint8Array): JsonValue {
  try {
    const text = utf8DecodeStrict(payload);
    const value = parseStrict(text);
    if (canonicalize(value) !== text) fail('malformed_payload', 'the payload is not canonical');
    return value;
  } catch (error) {
    if (isMizanCoreError(error) && error.code === 'malformed_payload') throw error;
    const detail = isMizanCoreError(error) ? error.message : 'the payload could not be read';
    return fail('malformed_payload', detail, error);
  }
}

/** Steps 9 to 13 of §1.5.4. */
function checkClaims(claims: MwtClaims, options: VerifyOptions): void {
  const { issuer, audience, now: givenNow, skew: givenSkew } = guardValue(() => {
    const o: Partial<VerifyOptions> = options ?? {};
    return { issuer: o.issuer, audience: o.audience, now: o.now, skew: o.skew };
  });
  if (claims.iss !== issuer) fail('wrong_issuer', 'iss is not the expected issuer');
  if (claims.aud !== audience) fail('wrong_audience', 'aud is not the expected audience');
  const now = givenNow ?? Math.floor(Date.now() / 1000);
  const skew = givenSkew ?? DEFAULT_SKEW_SECONDS;
  if (!isTime(now) || !isTime(skew) || skew < 0) {
    fail('expired', 'the verifier has no valid time: now must be a safe integer, skew a non-negative one');
  }
  // Each test is rearranged as a difference of two safe integers compared with a safe integer.
  // Such a difference is exact whenever it lies within ±2^53, and when it does not, rounding
  // keeps it beyond ±2^53 and so on the same side of the comparison. The textbook forms
  // (`exp + skew`, `now + skew`) could exceed 2^53 and round.
  if (!(now - claims.exp < skew)) fail('expired', 'now >= exp + skew');
  if (claims.nbf !== undefined && !(now - claims.nbf >= -skew)) fail('not_yet_valid', 'now < nbf - skew');
  if (!(claims.iat - now <= skew)) fail('issued_in_future', 'iat > now + skew');
}
