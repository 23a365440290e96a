/**
 * What the edge reads from the server's manifest (spec §2.7, §2.16.1): for each context, its auth
 * requirement, schema hash and cache policy.
 * @module
 */

import { isValidFunctionName } from 'mizan-ts';
import { EdgeConfigError } from './errors.js';

/** A function's auth requirement (spec §2.5). */
export type AuthRequirement = 'none' | 'authenticated' | 'staff' | 'superuser' | 'custom';

/** Whose answers a cached context shares (spec §2.16.1). */
export type CacheScope = 'public' | 'permission' | 'user';

/** A context's cache policy (spec §2.16.1), in seconds. */
export interface CachePolicy {
  /** Whose answers are shared. */
  scope: CacheScope;
  /** Seconds an answer is kept. */
  maxAge: number;
  /** Seconds an answer may be served after `maxAge` while it is refetched. */
  swr: number;
}

/** A context as the edge knows it. */
export interface EdgeContext {
  /** Its auth requirement. */
  auth: AuthRequirement;
  /** Its schema hash, when the manifest gives one (a client's `X-Mizan-Schema` must equal it). */
  schemaHash: string | undefined;
  /** Its cache policy; contexts without one are always forwarded. */
  cache: CachePolicy | undefined;
}

const AUTH: readonly string[] = ['none', 'authenticated', 'staff', 'superuser', 'custom'];
const SCOPES: readonly string[] = ['public', 'permission', 'user'];
/** The longest `max_age` or `swr`: one year. */
const MAX_SECONDS = 31_536_000;
const DEFAULT_SWR = 300;

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function seconds(value: unknown, min: number): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= MAX_SECONDS;
}

function readPolicy(name: string, value: unknown): CachePolicy {
  const policy = record(value);
  const where = `manifest: the cache policy of ${name}`;
  if (policy === undefined) throw new EdgeConfigError(`${where} is not an object`);
  const { scope, max_age: maxAge, swr = DEFAULT_SWR, tags } = policy;
  if (typeof scope !== 'string' || !SCOPES.includes(scope)) {
    throw new EdgeConfigError(`${where} has scope ${JSON.stringify(scope)}, not public, permission or user`);
  }
  if (!seconds(maxAge, 1)) throw new EdgeConfigError(`${where} has max_age outside 1..=${MAX_SECONDS}`);
  if (!seconds(swr, 0)) throw new EdgeConfigError(`${where} has swr outside 0..=${MAX_SECONDS}`);
  if (tags !== undefined && !Array.isArray(tags)) throw new EdgeConfigError(`${where} has tags that are not an array`);
  return { scope: scope as CacheScope, maxAge, swr };
}

/**
 * The contexts of a manifest (`GET <base>/manifest`), by name. Calls are left out: the edge
 * forwards them.
 *
 * @throws {@link EdgeConfigError} for a manifest that is not the protocol's: a deployment must not
 *   start an edge that would key answers on a wrong reading of its server.
 */
export function readManifest(manifest: unknown): Map<string, EdgeContext> {
  const root = record(manifest);
  if (root === undefined || !Array.isArray(root['functions'])) {
    throw new EdgeConfigError('manifest: expected an object with a `functions` array (GET <base>/manifest)');
  }
  if (root['protocol'] !== 1) throw new EdgeConfigError('manifest: `protocol` must be 1');
  const contexts = new Map<string, EdgeContext>();
  for (const item of root['functions'] as unknown[]) {
    const entry = record(item);
    const name = entry?.['name'];
    if (entry === undefined || !isValidFunctionName(name)) {
      throw new EdgeConfigError(`manifest: a function without a valid name: ${JSON.stringify(name)}`);
    }
    if (entry['kind'] !== 'context') continue;
    const auth = entry['auth'];
    if (typeof auth !== 'string' || !AUTH.includes(auth)) {
      throw new EdgeConfigError(`manifest: ${name} has auth ${JSON.stringify(auth)}`);
    }
    const hash = entry['schema_hash'];
    contexts.set(name, {
      auth: auth as AuthRequirement,
      schemaHash: typeof hash === 'string' ? hash : undefined,
      cache: entry['cache'] === undefined ? undefined : readPolicy(name, entry['cache']),
    });
  }
  return contexts;
}

/** The longest `max_age + swr` of the manifest's policies, in seconds (0 without policies). */
export function longestLifetime(contexts: ReadonlyMap<string, EdgeContext>): number {
  let longest = 0;
  for (const { cache } of contexts.values()) {
    if (cache !== undefined) longest = Math.max(longest, cache.maxAge + cache.swr);
  }
  return longest;
}
