/**
 * Reading a request's bearer token as the server does (spec §2.5), and the `401` it answers when
 * the token fails.
 * @module
 */

import { isMizanCoreError, type CoreErrorCode, type Keyring, type MwtClaims } from 'mizan-ts';
import { errorResponse } from './errors.js';

/** The messages of the reference server for each verification failure (spec §1.5.4). */
const FAILURE: Partial<Record<CoreErrorCode, string>> = {
  token_too_large: 'token is longer than 4096 bytes',
  malformed_token: "token is not four '.'-separated segments",
  unsupported_version: 'token version is not mwt1',
  unknown_kid: 'token key id is not in the keyring',
  invalid_encoding: 'token payload or tag is not strict base64url',
  invalid_tag_length: 'token tag is not 32 bytes',
  bad_signature: 'token tag does not match',
  malformed_payload: 'token payload is not a canonical claims object',
  wrong_issuer: 'token issuer is not the expected one',
  wrong_audience: 'token audience is not the expected one',
  expired: 'token has expired',
  not_yet_valid: 'token is not valid yet',
  issued_in_future: 'token is issued in the future',
};

/**
 * The token of an `Authorization` value `Bearer <token>`: the scheme in any case, one or more
 * spaces (not tabs), then one or more visible ASCII characters; surrounding spaces and tabs are
 * not part of the value. `undefined` for anything else, which the server answers `401` without
 * details.
 */
export function bearerToken(value: string): string | undefined {
  const match = /^[ \t]*[Bb][Ee][Aa][Rr][Ee][Rr] +([\x21-\x7e]+)[ \t]*$/.exec(value);
  return match?.[1];
}

/** What verifying a request's bearer token gave. */
export type Verified = { ok: true; claims: MwtClaims } | { ok: false; response: Response };

/** What {@link verifyBearer} checks a token against. */
export interface TokenCheck {
  /** The keyring. */
  keyring: Keyring;
  /** The expected issuer. */
  issuer: string;
  /** The expected audience. */
  audience: string;
  /** The allowed clock skew in seconds. */
  skew: number | undefined;
  /** Now, Unix seconds. */
  now: number;
}

/**
 * Verifies `token` (spec §1.5.4); a failure is the server's `401 unauthenticated` with the Layer 1
 * code in `details.reason`.
 */
export async function verifyBearer(token: string, check: TokenCheck): Promise<Verified> {
  try {
    const claims = await check.keyring.verify(token, {
      issuer: check.issuer,
      audience: check.audience,
      now: check.now,
      ...(check.skew === undefined ? {} : { skew: check.skew }),
    });
    return { ok: true, claims };
  } catch (error) {
    if (!isMizanCoreError(error)) throw error;
    const message = `invalid token: ${FAILURE[error.code] ?? error.code}`;
    return { ok: false, response: errorResponse('unauthenticated', message, { reason: error.code }) };
  }
}
