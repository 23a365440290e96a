/**
 * Hydration: the server renders the page with the values of its global contexts already in it, so
 * the first render in the browser shows them without a request.
 * @module
 */

import type { QueryClient } from '@tanstack/react-query';
import type { MizanClient } from './client.js';
import type { MizanFieldError } from './errors.js';
import { mizanQueryKey } from './query.js';

/**
 * A form as the server re-rendered it after a failed post without JavaScript (spec §2.13.5): the
 * values that were posted (files left out) and the field errors they got.
 */
export interface HydratedForm {
  values: Record<string, unknown>;
  fields: MizanFieldError[];
}

/**
 * What the server embeds in the page: the value of each global context, by function name, and,
 * after a failed post without JavaScript, the posted form by form name.
 */
export interface HydrationPayload {
  contexts: Record<string, unknown>;
  forms?: Record<string, HydratedForm>;
}

/** The `id` of the `<script type="application/json">` that holds the {@link HydrationPayload}. */
export const HYDRATION_ELEMENT_ID = 'mizan-hydration';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Reads the {@link HydrationPayload} from
 * `<script type="application/json" id="mizan-hydration">…</script>` in `doc` (default: the global
 * `document`, if any).
 *
 * Never throws: a missing element, invalid JSON or a body without a `contexts` object gives
 * `undefined`, and the app then simply fetches its contexts, which is slower but correct.
 */
export function readHydration(doc?: Document): HydrationPayload | undefined {
  const d = doc ?? (typeof document === 'undefined' ? undefined : document);
  const text = d?.getElementById(HYDRATION_ELEMENT_ID)?.textContent;
  if (!text) return undefined;
  try {
    const payload: unknown = JSON.parse(text);
    if (isRecord(payload) && isRecord(payload.contexts))
      return payload as unknown as HydrationPayload;
  } catch {
    // Invalid JSON: treated as absent, see above.
  }
  return undefined;
}

// The data update count of each query at the time it was seeded, to tell whether a query still
// holds its hydrated value. Keyed weakly so that queries garbage-collected by the cache go too.
const seeded = new WeakMap<QueryState, number>();

// The part of a TanStack `Query` read here; structural, so that queries of any data type fit.
interface QueryState {
  state: { dataUpdateCount: number; isInvalidated: boolean };
}

/**
 * Puts each `hydration.contexts[name]` in `queryClient` under `mizanQueryKey(name, {}, 0)`, unless
 * that query already has data (a remount must not put old page data over fresher data), and
 * notes it in `client`'s reads as tagged `mizan:fn:<name>`: the page carried no `Cache-Tag`, and
 * that tag is every answer's of the function (spec §2.16.2).
 * @internal
 */
export function seedHydration(
  queryClient: QueryClient,
  hydration: HydrationPayload | undefined,
  client?: MizanClient,
): void {
  if (!hydration) return;
  for (const [name, data] of Object.entries(hydration.contexts)) {
    const queryKey = mizanQueryKey(name, {}, 0);
    if (data === undefined || queryClient.getQueryData(queryKey) !== undefined) continue;
    queryClient.setQueryData(queryKey, data);
    const query = queryClient.getQueryCache().find({ queryKey, exact: true });
    if (query) seeded.set(query, query.state.dataUpdateCount);
    client?.reads.record(name, '{}', [`mizan:fn:${name}`]);
  }
}

/**
 * Whether `query` still holds the value seeded from hydration: never refetched, set or
 * invalidated since. Such data was rendered by the server moments ago, so mounting a component
 * need not fetch it again, whatever the stale time.
 * @internal
 */
export function isHydrated(query: QueryState): boolean {
  return seeded.get(query) === query.state.dataUpdateCount && !query.state.isInvalidated;
}
