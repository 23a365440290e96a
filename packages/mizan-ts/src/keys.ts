/**
 * Root secrets and the per-purpose keys derived from them (spec §1.2).
 * @module
 */

import { fail } from './errors.js';
import { utf8Encode } from './utf8.js';

/** The purposes a root secret is split into; a key leaked from one reveals nothing of another. */
export type KeyPurpose = 'token' | 'cache' | 'permission';

/** The purposes of {@link KeyPurpose}, as data. */
export const KEY_PURPOSES: readonly KeyPurpose[] = ['token', 'cache', 'permission'];

/** A root secret must have at least this many bytes (spec §1.2). */
export const MIN_SECRET_BYTES = 32;

const SALT = utf8Encode('mizan.v1');

/**
 * A private copy of the secret, after checking it: the copy is backed by a plain `ArrayBuffer`
 * (what Web Crypto's types ask for) and later changes to the caller's array cannot reach us.
 */
function checkedSecret(rootSecret: Uint8Array): Uint8Array<ArrayBuffer> {
  if (!(rootSecret instanceof Uint8Array)) fail('secret_too_short', 'the root secret must be a Uint8Array');
  if (rootSecret.length < MIN_SECRET_BYTES) {
    fail('secret_too_short', `${rootSecret.length} bytes, at least ${MIN_SECRET_BYTES} required`);
  }
  return new Uint8Array(rootSecret);
}

/**
 * Derives the 32-byte key of `purpose` from a root secret:
 * `HKDF-SHA256(salt = "mizan.v1", ikm = rootSecret, info = "mizan.v1." + purpose, length = 32)`.
 *
 * Exposed so that deployments and tests can check the derivation on its own; the derivers below
 * keep their keys inside non-extractable `CryptoKey`s instead.
 *
 * @throws {@link MizanCoreError} `secret_too_short` for a secret under 32 bytes;
 *   `unsupported_value` for a purpose other than `token`, `cache` or `permission`.
 */
export async function deriveKey(rootSecret: Uint8Array, purpose: KeyPurpose): Promise<Uint8Array> {
  return deriveRaw(rootSecret, purpose);
}

async function deriveRaw(rootSecret: Uint8Array, purpose: KeyPurpose): Promise<Uint8Array<ArrayBuffer>> {
  const secret = checkedSecret(rootSecret);
  if (!KEY_PURPOSES.includes(purpose)) fail('unsupported_value', `unknown key purpose ${String(purpose)}`);
  const subtle = globalThis.crypto.subtle;
  const ikm = await subtle.importKey('raw', secret, 'HKDF', false, ['deriveBits']);
  secret.fill(0);
  const bits = await subtle.deriveBits(
    { name: 'HKDF', hash: 'SHA-256', salt: SALT, info: utf8Encode(`mizan.v1.${purpose}`) },
    ikm,
    256,
  );
  return new Uint8Array(bits);
}

/**
 * The HMAC-SHA256 key of `purpose`, imported once as a non-extractable `CryptoKey` so that the
 * raw key bytes live only as long as this call.
 * @internal
 */
export async function deriveHmacKey(rootSecret: Uint8Array, purpose: KeyPurpose): Promise<CryptoKey> {
  const raw = await deriveRaw(rootSecret, purpose);
  try {
    return await globalThis.crypto.subtle.importKey(
      'raw',
      raw,
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign', 'verify'],
    );
  } finally {
    raw.fill(0);
  }
}

/** HMAC-SHA256 of `message` under `key`: 32 bytes. @internal */
export async function hmacSha256(key: CryptoKey, message: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  return new Uint8Array(await globalThis.crypto.subtle.sign('HMAC', key, message));
}
