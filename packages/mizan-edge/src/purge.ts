/**
 * The purge request `POST <base>/purge` (spec §2.16.8): a server's purge hook tells the edge which
 * tags went stale.
 * @module
 */

import { bearerToken, verifyBearer } from './credentials.js';
import { errorResponse } from './errors.js';
import { PURGE_AUDIENCE, type EdgeConfig } from './options.js';
import { isValidTag } from './tags.js';

/**
 * Answers a purge request: `204` once the tags of the token's `ext.tags` are purged; `401` for a
 * missing or bad token (`details.reason` the Layer 1 code when verification failed); `400
 * bad_request` with `details.reason = "invalid_tags"` when `ext.tags` is not an array of tags (the
 * token's 4096 bytes bound how many); `503 unavailable` when the tag store fails; `405` for a method other than `POST`. The body is not read: the tags are signed.
 */
export async function purgeRequest(config: EdgeConfig, request: Request): Promise<Response> {
  if (request.method !== 'POST') {
    return errorResponse('method_not_allowed', 'the purge endpoint takes POST', undefined, { allow: 'POST' });
  }
  const authorization = request.headers.get('authorization');
  const token = authorization === null ? undefined : bearerToken(authorization);
  if (token === undefined) {
    return errorResponse('unauthenticated', 'a purge needs `Authorization: Bearer <token>`');
  }
  const keys = await config.keys;
  const verified = await verifyBearer(token, {
    keyring: keys.keyring,
    issuer: config.validation.issuer,
    audience: PURGE_AUDIENCE,
    skew: config.validation.skew,
    now: Math.floor(config.now() / 1000),
  });
  if (!verified.ok) return verified.response;
  const tags = verified.claims.ext?.['tags'];
  if (!Array.isArray(tags) || !tags.every(isValidTag)) {
    return errorResponse(
      'bad_request',
      'ext.tags must be an array of tags, each 1 to 128 bytes of A-Z a-z 0-9 _ . : - %',
      { reason: 'invalid_tags' },
    );
  }
  try {
    await config.tags.purge(tags as string[], config.now());
  } catch {
    return errorResponse('unavailable', 'the edge could not record the purge', undefined, { 'retry-after': '1' });
  }
  return new Response(null, { status: 204, headers: { 'cache-control': 'no-store' } });
}
