/**
 * What `createEdgeHandler` takes, and what it makes of it.
 * @module
 */

import {
  CacheKeyDeriver,
  Keyring,
  MIN_SECRET_BYTES,
  PermissionKeyDeriver,
  fromHex,
  type KeyringOptions,
} from 'mizan-ts';
import { EdgeConfigError } from './errors.js';
import { longestLifetime, readManifest, type EdgeContext } from './manifest.js';
import { MemoryCache, type CacheLike } from './memoryCache.js';
import { MemoryTagStore, type TagStore } from './tagStore.js';

/** The expected `iss` and `aud` of the deployment's tokens (spec §1.5.4), as the server checks them. */
export interface EdgeValidation {
  /** The expected issuer. */
  issuer: string;
  /** The expected audience of clients' tokens. */
  audience: string;
  /** The allowed clock skew in seconds; default 30. */
  skew?: number;
}

/** The audience of purge tokens (spec §2.16.8). */
export const PURGE_AUDIENCE = 'mizan-purge';

/** What {@link createEdgeHandler} takes. */
export interface EdgeOptions {
  /** The Mizan server's URL (`https://api.example.com`); requests keep their path and query. */
  origin: string | URL;
  /** Where Mizan is mounted (spec §2.1); default `/api/mizan`. */
  basePath?: string;
  /** The deployment's root secret (spec §1.2), bytes or hex: cache and permission keys. */
  secret: Uint8Array | string;
  /** The keyring that verifies tokens (spec §1.5.3), or what `Keyring.create` takes. */
  keyring: Keyring | KeyringOptions;
  /** The expected issuer and audience of clients' tokens; purge tokens have audience `mizan-purge`. */
  validation: EdgeValidation;
  /** The server's manifest (`GET <base>/manifest`), for each context's policy and auth. */
  manifest: unknown;
  /**
   * Where answers are kept: default `caches.default` when the runtime has it (Cloudflare Workers),
   * else a {@link MemoryCache}.
   */
  cache?: CacheLike;
  /** Where purge times are kept; default a {@link MemoryTagStore}. */
  tags?: TagStore;
  /** The clock, milliseconds since the epoch; default `Date.now`. */
  now?: () => number;
  /** How the origin is reached; default the global `fetch`. */
  fetch?: (request: Request) => Promise<Response>;
}

/** The options, checked and with their defaults; the keys are still being derived. */
export interface EdgeConfig {
  /** The origin, without a trailing slash. */
  origin: string;
  /** The base path. */
  basePath: string;
  /** The contexts of the manifest. */
  contexts: Map<string, EdgeContext>;
  /** The answer cache. */
  cache: CacheLike;
  /** The purge times. */
  tags: TagStore;
  /** The clock in ms. */
  now: () => number;
  /** The origin's fetch. */
  fetch: (request: Request) => Promise<Response>;
  /** Token validation. */
  validation: EdgeValidation;
  /** The keys, once derived. */
  keys: Promise<EdgeKeys>;
}

/** The derived keys. */
export interface EdgeKeys {
  /** Verifies tokens. */
  keyring: Keyring;
  /** Derives cache keys. */
  cacheKeys: CacheKeyDeriver;
  /** The anonymous permission key. */
  anonymous: string;
}

const BASE_PATH = /^\/[A-Za-z0-9\-._~/]*$/;

function secretBytes(secret: Uint8Array | string): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = typeof secret === 'string' ? fromHex(secret.trim()) : secret;
  } catch {
    throw new EdgeConfigError('secret: a string secret must be hex');
  }
  if (!(bytes instanceof Uint8Array) || bytes.length < MIN_SECRET_BYTES) {
    throw new EdgeConfigError(`secret: at least ${MIN_SECRET_BYTES} bytes are required`);
  }
  return new Uint8Array(bytes);
}

function defaultCache(now: () => number): CacheLike {
  const caches = (globalThis as { caches?: { default?: CacheLike } }).caches;
  return caches?.default ?? new MemoryCache({ now });
}

/**
 * Checks `options` and fills in defaults; the keys are derived in the background.
 *
 * @throws {@link EdgeConfigError} for a bad origin, base path, secret, validation or manifest.
 */
export function resolveOptions(options: EdgeOptions): EdgeConfig {
  let origin: URL;
  try {
    origin = new URL(options.origin);
  } catch {
    throw new EdgeConfigError(`origin: not a URL: ${String(options.origin)}`);
  }
  if (origin.protocol !== 'http:' && origin.protocol !== 'https:') {
    throw new EdgeConfigError('origin: must be an http or https URL');
  }
  const basePath = options.basePath ?? '/api/mizan';
  if (!BASE_PATH.test(basePath) || basePath.includes('//') || (basePath.length > 1 && basePath.endsWith('/'))) {
    throw new EdgeConfigError(`basePath: ${JSON.stringify(basePath)} breaks the rule of spec §2.1`);
  }
  const validation = options.validation;
  if (typeof validation?.issuer !== 'string' || typeof validation.audience !== 'string') {
    throw new EdgeConfigError('validation: issuer and audience must be strings');
  }
  const secret = secretBytes(options.secret);
  const contexts = readManifest(options.manifest);
  const now = options.now ?? Date.now;
  const keyring = options.keyring;
  const keys = (async (): Promise<EdgeKeys> => {
    const ring = keyring instanceof Keyring ? keyring : await Keyring.create(keyring);
    const cacheKeys = await CacheKeyDeriver.create(secret);
    const pks = await PermissionKeyDeriver.create(secret);
    return { keyring: ring, cacheKeys, anonymous: await pks.permissionKey({ kind: 'anonymous' }) };
  })();
  const retainMs = longestLifetime(contexts) * 1000;
  return {
    origin: origin.href.replace(/\/+$/, ''),
    basePath: basePath === '/' ? '' : basePath,
    contexts,
    cache: options.cache ?? defaultCache(now),
    tags: options.tags ?? new MemoryTagStore({ retainMs }),
    now,
    fetch: options.fetch ?? ((request) => fetch(request)),
    validation,
    keys,
  };
}
