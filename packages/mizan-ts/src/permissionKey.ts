/**
 * Permission keys (spec §1.4): partition cached data by who may see it, without naming the
 * secret and without naming a user in clear.
 * @module
 */

import { guardValue, writeString } from './canonical.js';
import { fail } from './errors.js';
import { toHex } from './hex.js';
import { deriveHmacKey, hmacSha256 } from './keys.js';
import { utf8Encode, utf8Length } from './utf8.js';

/** A user id is at most this many UTF-8 bytes (spec §1.4). */
export const MAX_USER_ID_BYTES = 256;

/** Who may see a cached response (spec §1.4). */
export type PermissionScope =
  | { kind: 'anonymous' }
  | { kind: 'authenticated' }
  | { kind: 'staff' }
  | { kind: 'superuser' }
  | {
      kind: 'user';
      /** The user id, 1..=256 UTF-8 bytes; numeric ids are written in decimal. */
      userId: string;
    };

type FixedKind = Exclude<PermissionScope['kind'], 'user'>;

const FIXED_KINDS: readonly FixedKind[] = ['anonymous', 'authenticated', 'staff', 'superuser'];

/** `hex(first 16 bytes of HMAC(key, descriptor))`: 32 lowercase hex characters. */
async function pkOf(key: CryptoKey, descriptor: string): Promise<string> {
  return toHex((await hmacSha256(key, utf8Encode(descriptor))).subarray(0, 16));
}

/**
 * Derives permission keys (spec §1.4) with the `permission` key of one root secret.
 *
 * The four fixed scopes are computed once, in {@link PermissionKeyDeriver.create}; only per-user
 * keys cost an HMAC each.
 *
 * @example
 * ```ts
 * const pks = await PermissionKeyDeriver.create(rootSecret);
 * const pk = await pks.permissionKey({ kind: 'user', userId: '42' }); // 32 hex characters
 * ```
 */
export class PermissionKeyDeriver {
  readonly #key: CryptoKey;
  readonly #fixed: ReadonlyMap<string, string>;

  private constructor(key: CryptoKey, fixed: ReadonlyMap<string, string>) {
    this.#key = key;
    this.#fixed = fixed;
  }

  /**
   * Derives the permission key from `rootSecret`.
   *
   * @throws {@link MizanCoreError} `secret_too_short`.
   */
  static async create(rootSecret: Uint8Array): Promise<PermissionKeyDeriver> {
    const key = await deriveHmacKey(rootSecret, 'permission');
    const fixed = new Map<string, string>();
    for (const kind of FIXED_KINDS) fixed.set(kind, await pkOf(key, `["mizan.pk.v1","${kind}"]`));
    return new PermissionKeyDeriver(key, fixed);
  }

  /**
   * The permission key of `scope`: `hex(first 16 bytes of HMAC(key(permission),
   * canonical(descriptor)))`, 32 lowercase hex characters.
   *
   * @throws {@link MizanCoreError} `invalid_user_id` for a user id that is not a string of
   *   1..=256 UTF-8 bytes; `lone_surrogate` for one holding a lone surrogate (it has no UTF-8
   *   form); `unsupported_value` for an unknown scope kind.
   */
  async permissionKey(scope: PermissionScope): Promise<string> {
    // Read once, guarded: an untyped caller may pass anything, even a throwing getter.
    const { kind, userId } = guardValue(() => {
      const s: unknown = scope;
      if (typeof s !== 'object' || s === null) return { kind: undefined, userId: undefined };
      const r = s as { kind?: unknown; userId?: unknown };
      return { kind: r.kind, userId: r.kind === 'user' ? r.userId : undefined };
    });
    if (kind === 'user') {
      if (typeof userId !== 'string') return fail('invalid_user_id', 'the user id must be a string');
      const bytes = utf8Length(userId);
      if (bytes < 1 || bytes > MAX_USER_ID_BYTES) {
        fail('invalid_user_id', `${bytes} bytes, 1..=${MAX_USER_ID_BYTES} allowed`);
      }
      return pkOf(this.#key, `["mizan.pk.v1","user",${writeString(userId)}]`);
    }
    const fixed = typeof kind === 'string' ? this.#fixed.get(kind) : undefined;
    if (fixed === undefined) return fail('unsupported_value', `unknown permission scope ${String(kind)}`);
    return fixed;
  }
}
