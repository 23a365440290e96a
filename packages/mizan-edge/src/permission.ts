/**
 * Naming a request's permission key without the server (spec §2.16.8), or deciding that only the
 * server can.
 * @module
 */

import type { MwtClaims } from 'mizan-ts';
import { bearerToken, verifyBearer } from './credentials.js';
import type { AuthRequirement, CachePolicy, EdgeContext } from './manifest.js';
import type { EdgeConfig, EdgeKeys } from './options.js';

/** What the edge does with a context read, as far as the caller's identity goes. */
export type Keying =
  | {
      /** The edge cannot tell: the server answers. */
      kind: 'forward';
    }
  | {
      /** The token failed: the edge answers as the server would. */
      kind: 'reject';
      /** The `401`. */
      response: Response;
    }
  | {
      /** The edge may answer from its cache under this permission key. */
      kind: 'key';
      /** The permission key. */
      pk: string;
    };

const FORWARD: Keying = { kind: 'forward' };

/**
 * Whether the holder of `claims` meets `auth` (spec §2.5): a token without `sub` is anonymous for
 * every requirement. `custom` is the application's and never met here.
 */
export function allows(auth: AuthRequirement, claims: MwtClaims | undefined): boolean {
  if (auth === 'none') return true;
  if (claims?.sub === undefined || auth === 'custom') return false;
  if (auth === 'authenticated') return true;
  if (auth === 'staff') return claims.staff === true || claims.superuser === true;
  return claims.superuser === true;
}

/**
 * The permission key a context read is cached under, by the rules of spec §2.16.3 and §2.16.8: the
 * anonymous key for a `public` context (for every caller when it has no auth requirement, else for
 * the holders of a valid token the requirement lets in); for a `permission` context the token's
 * `pk` for a valid bearer token and the anonymous key without token or cookie; anything else is
 * the server's.
 * A caller the auth requirement refuses is the server's to answer (401/403), so it is forwarded.
 */
export async function keyRequest(
  config: EdgeConfig,
  keys: EdgeKeys,
  request: Request,
  context: EdgeContext,
  policy: CachePolicy,
): Promise<Keying> {
  if (policy.scope === 'user' || context.auth === 'custom') return FORWARD;
  const everyone = policy.scope === 'public' && context.auth === 'none';
  const authorization = request.headers.get('authorization');
  if (authorization !== null) {
    const token = bearerToken(authorization);
    // Several Authorization fields arrive joined by ", ", which is never one bearer token.
    if (token === undefined) return FORWARD;
    const verified = await verifyBearer(token, {
      keyring: keys.keyring,
      issuer: config.validation.issuer,
      audience: config.validation.audience,
      skew: config.validation.skew,
      now: Math.floor(config.now() / 1000),
    });
    if (!verified.ok) return { kind: 'reject', response: verified.response };
    if (everyone) return { kind: 'key', pk: keys.anonymous };
    const { claims } = verified;
    if (!allows(context.auth, claims)) return FORWARD;
    // A public answer is the same for every caller the requirement lets in (spec §2.16.3).
    if (policy.scope === 'public') return { kind: 'key', pk: keys.anonymous };
    // An empty pk names no partition (spec §1.5.2): the server decides.
    return claims.pk === '' ? FORWARD : { kind: 'key', pk: claims.pk };
  }
  if (everyone) return { kind: 'key', pk: keys.anonymous };
  // A cookie may carry a token the edge cannot see the server's reading of.
  if (request.headers.has('cookie')) return FORWARD;
  return context.auth === 'none' ? { kind: 'key', pk: keys.anonymous } : FORWARD;
}
