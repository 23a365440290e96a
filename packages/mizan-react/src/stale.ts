/**
 * "This page is out of date": the hook behind a reload banner.
 * @module
 */

import { useCallback, useSyncExternalStore } from 'react';
import { useMizanClient } from './provider.js';

/**
 * Whether the server has answered `stale_client` to the nearest provider's client: a deploy
 * changed a function this page was built against (spec §2.7). Re-renders when that happens, so a
 * banner can ask the user to reload:
 *
 * ```tsx
 * function ReloadBanner() {
 *   const stale = useMizanStaleClient();
 *   if (!stale) return null;
 *   return <p role="alert">A new version is available. <button onClick={() => location.reload()}>Reload</button></p>;
 * }
 * ```
 *
 * Functions that did not change keep working meanwhile, so the rest of the page stays usable.
 */
export function useMizanStaleClient(): boolean {
  const client = useMizanClient();
  // Stable per client, so React does not unsubscribe and subscribe again on every render.
  const subscribe = useCallback((listener: () => void) => client.subscribeStale(listener), [client]);
  return useSyncExternalStore(subscribe, () => client.isStale, () => false);
}
