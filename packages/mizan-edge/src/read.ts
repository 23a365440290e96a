/**
 * A context read through the edge (spec §2.16.8): key it, serve it from the cache when a fresh
 * answer stored under the same permission key is there, else fetch it and keep what the server
 * says may be kept.
 * @module
 */

import { decodeContextQuery, type DecodedContextQuery } from 'mizan-ts';
import { noneMatch, notModified } from './conditional.js';
import { entryHeaders, fromStored, toStored, type EntryMeta } from './entry.js';
import { fetchOrigin, forward, originRequest, withStatus, EDGE_STATUS, type EdgeStatus } from './forward.js';
import type { CachePolicy } from './manifest.js';
import type { EdgeConfig } from './options.js';
import { keyRequest } from './permission.js';

/** What lets work outlive the answer (`ExecutionContext.waitUntil` in Workers). */
export interface Waiter {
  /** Keeps the runtime alive until `promise` settles. */
  waitUntil(promise: Promise<unknown>): void;
}

/** The server's query length limit (spec §2.3); a longer query is the server's to refuse. */
const MAX_QUERY_BYTES = 8192;

/** The state one handler keeps across requests. */
export interface ReadState {
  /** Cache keys whose stale answer is being refetched, so that one refetch runs at a time. */
  refreshing: Set<string>;
  /** Fills under way, by cache key: concurrent misses of one key wait for one origin fetch. */
  filling: Map<string, Promise<Shared | undefined>>;
}

/** An answer a fill got that may be kept, so that concurrent misses of its key can share it. */
interface Shared {
  meta: EntryMeta;
  body: ArrayBuffer;
}

/** The raw query after the first `?` (without a fragment), or `null` when there is no `?`. */
function rawQuery(url: string): string | null {
  const hash = url.indexOf('#');
  const target = hash < 0 ? url : url.slice(0, hash);
  const mark = target.indexOf('?');
  return mark < 0 ? null : target.slice(mark + 1);
}

function decode(url: string): DecodedContextQuery | undefined {
  const query = rawQuery(url);
  if (query !== null && query.length > MAX_QUERY_BYTES) return undefined;
  try {
    return decodeContextQuery(query);
  } catch {
    return undefined;
  }
}

/** Runs `work` after the answer: through `waiter` when there is one, else now. */
async function later(waiter: Waiter | undefined, work: Promise<unknown>): Promise<void> {
  const settled = work.then(
    () => undefined,
    () => undefined,
  );
  if (waiter === undefined) await settled;
  else waiter.waitUntil(settled);
}

/** The answer to the client: the stored headers, the body unless `HEAD`, or a `304`. */
function answer(request: Request, headers: Headers, body: ArrayBuffer, status: EdgeStatus): Response {
  headers.set(EDGE_STATUS, status);
  if (noneMatch(request.headers.get('if-none-match'), headers.get('etag'))) {
    const response = notModified(headers);
    response.headers.set(EDGE_STATUS, status);
    return response;
  }
  return new Response(request.method === 'HEAD' ? null : body, { status: 200, headers });
}

/** Whether the server said this answer may be kept under `pk` (spec §2.16.8). */
function storable(response: Response, pk: string): boolean {
  return response.status === 200 && response.headers.get('x-mizan-pk') === pk && !response.headers.has('set-cookie');
}

interface Keyed {
  fn: string;
  pk: string;
  key: string;
  policy: CachePolicy;
}

/**
 * Fetches the answer of `request` from the origin; stores it when the server allows it and no
 * purge of one of its tags happened since the fetch started (a fill that raced a write is dropped).
 * Returns the origin's answer (its body read when it was stored).
 */
async function fill(
  config: EdgeConfig,
  request: Request,
  keyed: Keyed,
  waiter: Waiter | undefined,
): Promise<{ response: Response; body?: ArrayBuffer; shared?: Shared }> {
  const started = config.now();
  const response = await fetchOrigin(config, originRequest(config, request, true));
  if (request.method !== 'GET' || !storable(response, keyed.pk)) return { response };
  const body = await response.arrayBuffer();
  const keep = keyed.policy.maxAge + keyed.policy.swr;
  const { stored, meta } = toStored(keyed.fn, keyed.pk, started, response, body, keep);
  const put = (async () => {
    if ((await config.tags.lastPurge(meta.tags)) >= started) return;
    await config.cache.put(keyed.key, stored);
  })();
  await later(waiter, put);
  return { response, body, shared: { meta, body } };
}

/**
 * Fills `keyed` from the origin, or waits for the fill of the same key already under way and
 * shares its answer when it may be kept and is still fresh (no purge of its tags since its fetch
 * started). `undefined` when there is nothing to share: the caller fetches for itself.
 */
async function joinFill(config: EdgeConfig, state: ReadState, keyed: Keyed): Promise<Shared | undefined> {
  const running = state.filling.get(keyed.key);
  if (running === undefined) return undefined;
  const shared = await running;
  if (shared === undefined || (await judge(config, shared.meta, keyed)) === undefined) return undefined;
  return shared;
}

/** Runs a fill, registered so that concurrent misses of its key can join it. */
function leadFill(
  config: EdgeConfig,
  state: ReadState,
  request: Request,
  keyed: Keyed,
  waiter: Waiter | undefined,
): ReturnType<typeof fill> {
  const filling = fill(config, request, keyed, waiter);
  if (request.method !== 'GET' || state.filling.has(keyed.key)) return filling;
  const shared = filling.then(
    (result) => result.shared,
    () => undefined,
  );
  state.filling.set(keyed.key, shared);
  void shared.then(() => {
    if (state.filling.get(keyed.key) === shared) state.filling.delete(keyed.key);
  });
  return filling;
}

/** Refetches a stale answer in the background, once per key at a time. */
function refresh(config: EdgeConfig, state: ReadState, request: Request, keyed: Keyed, waiter: Waiter | undefined) {
  if (state.refreshing.has(keyed.key)) return;
  state.refreshing.add(keyed.key);
  const work = fill(config, request, keyed, undefined)
    .then(async ({ response, body }) => {
      if (body === undefined) await response.body?.cancel();
    })
    .finally(() => state.refreshing.delete(keyed.key));
  // Errors are dropped on purpose: the client already has its answer, and the next read retries.
  const settled = work.catch(() => undefined);
  if (waiter !== undefined) waiter.waitUntil(settled);
}

/** Whether an entry may still be served, and how: `undefined` when it must not be. */
async function judge(config: EdgeConfig, meta: EntryMeta, keyed: Keyed): Promise<'hit' | 'stale' | undefined> {
  // Never across permission keys, even if two keys collided.
  if (meta.pk !== keyed.pk) return undefined;
  if ((await config.tags.lastPurge(meta.tags)) >= meta.fetched) return undefined;
  const age = config.now() - meta.fetched;
  if (age < keyed.policy.maxAge * 1000) return 'hit';
  if (age < (keyed.policy.maxAge + keyed.policy.swr) * 1000) return 'stale';
  return undefined;
}

/** A `GET`/`HEAD` of `<base>/context/<fn>` through the edge. */
export async function contextRead(
  config: EdgeConfig,
  state: ReadState,
  request: Request,
  fn: string,
  waiter: Waiter | undefined,
): Promise<Response> {
  const context = config.contexts.get(fn);
  const policy = context?.cache;
  if (context === undefined || policy === undefined) return forward(config, request);
  // The server's earlier checks (schema hash, query length, canonical query) are left to it:
  // whatever it would refuse is forwarded, and only then is the caller authenticated, as there.
  const schema = request.headers.get('x-mizan-schema');
  if (schema !== null && schema !== context.schemaHash) return forward(config, request);
  const decoded = decode(request.url);
  if (decoded === undefined) return forward(config, request);
  const keys = await config.keys;
  const keying = await keyRequest(config, keys, request, context, policy);
  if (keying.kind === 'forward') return forward(config, request);
  if (keying.kind === 'reject') return keying.response;
  const ck = await keys.cacheKeys.derive(fn, decoded.params, keying.pk, decoded.rev);
  const keyed: Keyed = { fn, pk: keying.pk, key: cacheUrl(config, request, ck), policy };

  const stored = await config.cache.match(keyed.key);
  if (stored !== undefined) {
    const entry = await fromStored(stored);
    const verdict = entry === undefined ? undefined : await judge(config, entry.meta, keyed);
    if (entry !== undefined && verdict !== undefined) {
      if (verdict === 'stale') refresh(config, state, request, keyed, waiter);
      return answer(request, entryHeaders(entry.meta), entry.body, verdict);
    }
    await config.cache.delete(keyed.key);
  }

  const joined = request.method === 'GET' ? await joinFill(config, state, keyed) : undefined;
  if (joined !== undefined) return answer(request, entryHeaders(joined.meta), joined.body.slice(0), 'miss');
  const { response, body } = await leadFill(config, state, request, keyed, waiter);
  if (body !== undefined) {
    const headers = new Headers(response.headers);
    headers.delete('content-length');
    headers.delete('content-encoding');
    return answer(request, headers, body, 'miss');
  }
  if (request.method === 'GET' && response.status === 200 && noneMatch(request.headers.get('if-none-match'), response.headers.get('etag'))) {
    await response.body?.cancel();
    const headers = new Headers(response.headers);
    headers.delete('content-type');
    headers.delete('content-length');
    headers.delete('content-encoding');
    headers.set(EDGE_STATUS, 'miss');
    return new Response(null, { status: 304, headers });
  }
  return withStatus(response, 'miss');
}

/**
 * The URL an answer is kept under: the cache key below the request's own origin and base path, so
 * that a shared cache (`caches.default`) files it under the edge's own zone.
 */
function cacheUrl(config: EdgeConfig, request: Request, cacheKey: string): string {
  return `${new URL(request.url).origin}${config.basePath}/__edge/${cacheKey}`;
}
