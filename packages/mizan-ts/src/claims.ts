/**
 * The claims of a Mizan Web Token (spec §1.5.2): checked one way for signing (`invalid_claims`)
 * and the same way for verifying (`malformed_payload`).
 * @module
 */

import { canonicalize, isPlainObject, type JsonValue } from './canonical.js';
import { fail, isMizanCoreError } from './errors.js';

/**
 * The claims of a Mizan Web Token (spec §1.5.2). Times are integer seconds since the Unix epoch,
 * in `0..=2^53-1`. No other member is allowed.
 */
export interface MwtClaims {
  /** Issuer; must equal the verifier's expected issuer. */
  iss: string;
  /** Audience; must equal the verifier's expected audience. */
  aud: string;
  /** Issued at. */
  iat: number;
  /** Expires at. */
  exp: number;
  /** The holder's permission key (§1.4), so that an edge can derive cache keys. */
  pk: string;
  /** Not valid before. */
  nbf?: number;
  /** The subject (user id). */
  sub?: string;
  /** The subject is staff; absent means `false`, and signers omit it when `false`. */
  staff?: boolean;
  /** The subject is a superuser; absent means `false`, and signers omit it when `false`. */
  superuser?: boolean;
  /** Application claims: any canonical JSON object. */
  ext?: Record<string, JsonValue>;
}

type ClaimType = 'string' | 'time' | 'boolean' | 'object';

// A Map, not an object literal, so that names like "constructor" or "__proto__" are unknown.
const CLAIM_TYPES: ReadonlyMap<string, ClaimType> = new Map<string, ClaimType>([
  ['iss', 'string'],
  ['aud', 'string'],
  ['iat', 'time'],
  ['exp', 'time'],
  ['pk', 'string'],
  ['nbf', 'time'],
  ['sub', 'string'],
  ['staff', 'boolean'],
  ['superuser', 'boolean'],
  ['ext', 'object'],
]);

const REQUIRED_CLAIMS = ['iss', 'aud', 'iat', 'exp', 'pk'] as const;

function hasType(value: unknown, type: ClaimType): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'time':
      return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
    case 'boolean':
      return typeof value === 'boolean';
    case 'object':
      return isPlainObject(value);
  }
}

/**
 * The first way in which `members` breaks §1.5.2, or `undefined` when it does not. `undefined`
 * members count as absent. `signing` admits `false` flags, which the signer then drops.
 */
function claimsProblem(members: Record<string, unknown>, signing: boolean): string | undefined {
  for (const name of Object.keys(members)) {
    const value = members[name];
    if (value === undefined) continue;
    const type = CLAIM_TYPES.get(name);
    if (type === undefined) return `unknown claim ${JSON.stringify(name)}`;
    if (!hasType(value, type)) {
      return `claim ${name} must be ${type === 'time' ? 'an integer in 0..=2^53-1' : `a ${type}`}`;
    }
    // A signer omits a false flag, so a payload that spells it out was not made by a signer, and
    // accepting it would give one claim set two tokens.
    if (!signing && value === false) return `claim ${name} is false instead of absent`;
  }
  for (const name of REQUIRED_CLAIMS) {
    if (members[name] === undefined) return `missing claim ${name}`;
  }
  return undefined;
}

/**
 * The canonical payload text of `claims` for signing. `staff` and `superuser` are omitted when
 * `false`, and `undefined` members are omitted, so that one claim set has one token.
 *
 * @throws {@link MizanCoreError} `invalid_claims`, also for an `ext` that is not canonicalizable.
 * @internal
 */
export function signingPayload(claims: MwtClaims): string {
  try {
    if (!isPlainObject(claims)) return fail('invalid_claims', 'claims must be a plain object');
    const members: Record<string, unknown> = { ...claims };
    const problem = claimsProblem(members, true);
    if (problem !== undefined) fail('invalid_claims', problem);
    if (members['staff'] === false) delete members['staff'];
    if (members['superuser'] === false) delete members['superuser'];
    return canonicalize(members);
  } catch (error) {
    if (isMizanCoreError(error) && error.code === 'invalid_claims') throw error;
    const detail = isMizanCoreError(error) ? error.message : 'reading the claims threw';
    return fail('invalid_claims', detail, error);
  }
}

/**
 * The claims of a parsed payload, or `malformed_payload` when it is not a claims object. A
 * `staff` or `superuser` member that is `false` is malformed: signers never write it.
 * @internal
 */
export function readClaims(value: JsonValue): MwtClaims {
  if (!isPlainObject(value)) return fail('malformed_payload', 'the payload is not a JSON object');
  const problem = claimsProblem(value, false);
  if (problem !== undefined) fail('malformed_payload', problem);
  return value as unknown as MwtClaims;
}
