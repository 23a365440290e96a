/**
 * The edge's entry point: a fetch handler for Workers, Node or any runtime with `fetch`.
 * @module
 */

import { errorResponse } from './errors.js';
import { forward } from './forward.js';
import { resolveOptions, type EdgeOptions } from './options.js';
import { purgeRequest } from './purge.js';
import type { ReadState, Waiter } from './fill.js';
import { contextRead } from './read.js';

/** A fetch handler, with the promise of its keys. */
export interface EdgeHandler {
  /** Answers `request`; `ctx.waitUntil` carries cache writes and background refetches. */
  (request: Request, ctx?: Waiter): Promise<Response>;
  /**
   * Settles once the keys are derived; rejects (with the `MizanCoreError` of `mizan-ts`) when the
   * keyring options are bad. Until then requests wait; after a rejection they are `500 internal`.
   */
  readonly ready: Promise<void>;
}

/**
 * An edge cache in front of a Mizan server (spec §2.16.8).
 *
 * Context reads (`GET`/`HEAD <base>/context/<fn>`) of contexts whose policy the edge can key are
 * answered from its cache, per permission key; `POST <base>/purge` purges tags; every other
 * request goes to the origin untouched. Every answer carries `X-Mizan-Edge`: `hit`, `miss`,
 * `stale` or `bypass`.
 *
 * @example
 * ```ts
 * const edge = createEdgeHandler({ origin, secret, keyring, validation, manifest });
 * export default { fetch: (request: Request, env: unknown, ctx: ExecutionContext) => edge(request, ctx) };
 * ```
 * @throws {@link EdgeConfigError} for bad options (origin, base path, secret, validation, manifest).
 */
export function createEdgeHandler(options: EdgeOptions): EdgeHandler {
  const config = resolveOptions(options);
  const state: ReadState = { refreshing: new Set(), filling: new Map() };
  const ready = config.keys.then(() => undefined);
  // Observed here so that a bad keyring is reported through `ready` and the answers, never as an
  // unhandled rejection.
  let broken = false;
  ready.catch(() => {
    broken = true;
  });
  const contextPrefix = `${config.basePath}/context/`;
  const purgePath = `${config.basePath}/purge`;
  const handler = async (request: Request, ctx?: Waiter): Promise<Response> => {
    try {
      await config.keys;
    } catch {
      broken = true;
    }
    if (broken) return errorResponse('internal', 'internal error');
    const { pathname } = new URL(request.url);
    try {
      if (pathname === purgePath) return await purgeRequest(config, request);
      if (pathname.startsWith(contextPrefix) && (request.method === 'GET' || request.method === 'HEAD')) {
        try {
          return await contextRead(config, state, request, pathname.slice(contextPrefix.length), ctx);
        } catch {
          // The cache or the tag store failed: the server answers, as it does when its own store
          // fails (spec §2.16.6). A read has no body, so it can be sent again.
          return await forward(config, request);
        }
      }
      return await forward(config, request);
    } catch {
      return errorResponse('internal', 'internal error');
    }
  };
  return Object.assign(handler, { ready });
}
