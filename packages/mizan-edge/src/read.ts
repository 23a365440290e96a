/**
 * A context read through the edge (spec §2.16.8): key it, serve it from the cache when a fresh
 * answer stored under the same permission key is there, else fetch it and keep what the server
 * says may be kept.
 * @module
 */

import { decodeContextQuery, type DecodedContextQuery } from 'mizan-ts';
import { noneMatch, notModified } from './conditional.js';
import { entryHeaders, fromStored } from './entry.js';
import { joinFill, judge, leadFill, refresh, type Keyed, type ReadState, type Waiter } from './fill.js';
import { forward, withStatus, EDGE_STATUS, type EdgeStatus } from './forward.js';
import type { EdgeConfig } from './options.js';
import { keyRequest } from './permission.js';

/** The server's query length limit (spec §2.3); a longer query is the server's to refuse. */
const MAX_QUERY_BYTES = 8192;

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
