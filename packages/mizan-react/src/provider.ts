/**
 * The provider: makes one {@link MizanClient} and one TanStack `QueryClient` available to the
 * generated hooks, and seeds the query cache from the server's hydration payload.
 * @module
 */

import { QueryClientProvider, type QueryClient } from '@tanstack/react-query';
import {
  createContext,
  createElement,
  useContext,
  useEffect,
  useState,
  type ReactElement,
  type ReactNode,
} from 'react';
import type { MizanClient } from './client.js';
import { seedHydration, type HydrationPayload } from './hydration.js';
import { bindReads } from './refetch.js';

const MizanClientContext = /* @__PURE__ */ createContext<MizanClient | null>(null);
// The page's hydration payload, for hooks that start from it after the first render (forms).
const MizanHydrationContext = /* @__PURE__ */ createContext<HydrationPayload | undefined>(
  undefined,
);

/** Props of {@link MizanProvider}. */
export interface MizanProviderProps {
  /** The client every hook below uses. */
  client: MizanClient;
  /** The query cache; rendered in a `QueryClientProvider`, so do not add another one. */
  queryClient: QueryClient;
  /** The server's payload (see `readHydration`): its global contexts fill the cache. */
  hydration?: HydrationPayload;
  /** The app. */
  children?: ReactNode;
}

/**
 * Provides `client` and `queryClient` to the tree.
 *
 * `hydration.contexts[name]` is put in the cache under `mizanQueryKey(name, {}, 0)` during the
 * first render, before the children render: a global context's hook then finds its data on its
 * first render, shows it and sends no request. `hydration.forms[name]` is where `useMizanForm`
 * finds a form the server re-rendered after a failed post without JavaScript. Later changes of `hydration` are ignored, as a page
 * is hydrated once; data already in the cache is never overwritten.
 *
 * Context queries are refetched when a purge meets their tags (spec §2.16.4, §2.16.5): see
 * `useMizanContext`. A hydrated global context came without headers, so it counts as tagged
 * `mizan:fn:<name>` until it is fetched again.
 */
export function MizanProvider(props: MizanProviderProps): ReactElement {
  const { client, queryClient, hydration, children } = props;
  // A state initializer runs during the first render only and before any child renders; an
  // effect would run after the children had already rendered (and fetched) without the data.
  useState(() => seedHydration(queryClient, hydration, client));
  // Purges (spec §2.16.4) refetch the queries they make stale, for as long as the provider lives.
  useEffect(() => bindReads(client, queryClient), [client, queryClient]);
  return createElement(
    MizanClientContext.Provider,
    { value: client },
    createElement(
      MizanHydrationContext.Provider,
      { value: hydration },
      createElement(QueryClientProvider, { client: queryClient }, children),
    ),
  );
}

/**
 * The {@link MizanClient} of the nearest {@link MizanProvider}.
 *
 * @throws Error when there is no `MizanProvider` above: the hooks cannot work without one, and
 *   failing at once names the mistake better than a failed request would.
 */
export function useMizanClient(): MizanClient {
  const client = useContext(MizanClientContext);
  if (!client) {
    throw new Error(
      'mizan-react: no MizanClient here; render this component inside <MizanProvider client={…} queryClient={…}>',
    );
  }
  return client;
}

/**
 * The hydration payload given to the nearest {@link MizanProvider}, if any.
 * @internal
 */
export function useMizanHydration(): HydrationPayload | undefined {
  return useContext(MizanHydrationContext);
}

/**
 * The {@link MizanClient} of the nearest {@link MizanProvider}, or `null` without one.
 * @internal
 */
export function useOptionalMizanClient(): MizanClient | null {
  return useContext(MizanClientContext);
}
