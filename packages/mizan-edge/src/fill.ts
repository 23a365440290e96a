/**
 * Getting answers into the edge's cache: fills from the origin (one per key at a time, shared by
 * concurrent misses), background refetches of stale answers, and whether a kept answer may still
 * be served.
 * @module
 */

import { toStored, type EntryMeta } from './entry.js';
import { fetchOrigin, originRequest } from './forward.js';
import type { CachePolicy } from './manifest.js';
import type { EdgeConfig } from './options.js';

/** What lets work outlive the answer (`ExecutionContext.waitUntil` in Workers). */
export interface Waiter {
  /** Keeps the runtime alive until `promise` settles. */
  waitUntil(promise: Promise<unknown>): void;
}

/** The state one handler keeps across requests. */
export interface ReadState {
  /** Cache keys whose stale answer is being refetched, so that one refetch runs at a time. */
  refreshing: Set<string>;
  /** Fills under way, by cache key: concurrent misses of one key wait for one origin fetch. */
  filling: Map<string, Promise<Shared | undefined>>;
}

/** An answer a fill got that may be kept, so that concurrent misses of its key can share it. */
export interface Shared {
  /** Its metadata. */
  meta: EntryMeta;
  /** Its body. */
  body: ArrayBuffer;
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

/** Whether the server said this answer may be kept under `pk` (spec §2.16.8). */
function storable(response: Response, pk: string): boolean {
  return response.status === 200 && response.headers.get('x-mizan-pk') === pk && !response.headers.has('set-cookie');
}

/** A context read the edge can key. */
export interface Keyed {
  /** The function. */
  fn: string;
  /** The permission key. */
  pk: string;
  /** The URL the answer is kept under. */
  key: string;
  /** The context's policy. */
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
export async function joinFill(config: EdgeConfig, state: ReadState, keyed: Keyed): Promise<Shared | undefined> {
  const running = state.filling.get(keyed.key);
  if (running === undefined) return undefined;
  const shared = await running;
  if (shared === undefined || (await judge(config, shared.meta, keyed)) === undefined) return undefined;
  return shared;
}

/** Runs a fill, registered so that concurrent misses of its key can join it. */
export function leadFill(
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
export function refresh(
  config: EdgeConfig,
  state: ReadState,
  request: Request,
  keyed: Keyed,
  waiter: Waiter | undefined,
): void {
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
export async function judge(config: EdgeConfig, meta: EntryMeta, keyed: Keyed): Promise<'hit' | 'stale' | undefined> {
  // Never across permission keys, even if two keys collided.
  if (meta.pk !== keyed.pk) return undefined;
  if ((await config.tags.lastPurge(meta.tags)) >= meta.fetched) return undefined;
  const age = config.now() - meta.fetched;
  if (age < keyed.policy.maxAge * 1000) return 'hit';
  if (age < (keyed.policy.maxAge + keyed.policy.swr) * 1000) return 'stale';
  return undefined;
}
