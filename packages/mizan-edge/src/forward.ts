/**
 * Sending a request on to the origin, and applying the purges its answer announces.
 * @module
 */

import { errorResponse } from './errors.js';
import type { EdgeConfig } from './options.js';
import { readTagList } from './tags.js';

/** Hop-by-hop and framing headers (RFC 9110 §7.6.1): they describe one connection, not the request. */
const HOP_BY_HOP = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'host',
  'content-length',
];

/** Validators the edge answers itself, so that the origin sends a body it can store. */
const CONDITIONAL = ['if-none-match', 'if-modified-since'];

/** The header that tells a client what the edge did: `hit`, `miss`, `stale` or `bypass`. */
export const EDGE_STATUS = 'x-mizan-edge';

/** What the edge did with a request. */
export type EdgeStatus = 'hit' | 'miss' | 'stale' | 'bypass';

/**
 * The request to send to the origin for `request`: same method, path, query, headers and body,
 * without hop-by-hop headers, and without validators when `unconditional`.
 */
export function originRequest(config: EdgeConfig, request: Request, unconditional: boolean): Request {
  const url = new URL(request.url);
  const headers = new Headers(request.headers);
  for (const name of HOP_BY_HOP) headers.delete(name);
  if (unconditional) for (const name of CONDITIONAL) headers.delete(name);
  const hasBody = request.body !== null && request.method !== 'GET' && request.method !== 'HEAD';
  const init: RequestInit & { duplex?: 'half' } = {
    method: request.method,
    headers,
    body: hasBody ? request.body : null,
    redirect: 'manual',
  };
  // Node's fetch streams a request body only when told so; other runtimes ignore the member.
  if (hasBody) init.duplex = 'half';
  return new Request(`${config.origin}${url.pathname}${url.search}`, init);
}

/**
 * Fetches from the origin. Purges the tags of the answer's `X-Mizan-Invalidate` before it goes
 * on, so that the writer's next read cannot be answered from before its write. An origin that
 * cannot be reached is `503 unavailable`, as the server says of a service it depends on.
 */
export async function fetchOrigin(config: EdgeConfig, request: Request): Promise<Response> {
  let response: Response;
  try {
    response = await config.fetch(request);
  } catch {
    return errorResponse('unavailable', 'the edge could not reach the Mizan server', undefined, {
      'retry-after': '1',
    });
  }
  const purged = readTagList(response.headers.get('x-mizan-invalidate'));
  try {
    if (purged.length > 0) await config.tags.purge(purged, config.now());
  } catch {
    // The answer still goes to its caller. While the tag store fails, reads cannot be judged
    // and are forwarded (see the handler), so nothing stale is served meanwhile.
  }
  return response;
}

/** `response` with `X-Mizan-Edge: status` (and mutable headers). */
export function withStatus(response: Response, status: EdgeStatus): Response {
  const out = new Response(response.body, response);
  out.headers.set(EDGE_STATUS, status);
  return out;
}

/** Forwards `request` untouched and passes the answer on, marked `bypass`. */
export async function forward(config: EdgeConfig, request: Request): Promise<Response> {
  return withStatus(await fetchOrigin(config, originRequest(config, request, false)), 'bypass');
}
