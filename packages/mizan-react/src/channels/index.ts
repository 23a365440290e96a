/**
 * Channels (spec §2.15): the shared socket of a client, its subscriptions, and the React hooks
 * on them. Kept apart from the rest of the runtime so that an app without channels drops it when
 * bundling.
 * @module
 */

export { RECONNECT_BASE_MS, RECONNECT_MAX_MS, reconnectDelay } from './backoff.js';
export { channelSocket, channelUrl } from './client.js';
export type { ChannelPosition, Welcome } from './frames.js';
export type { ChannelOptions, ChannelTimers } from './options.js';
export {
  ChannelSocket,
  type ChannelConnectionStatus,
  type ChannelSubscribeOptions,
} from './socket.js';
export { MAX_WATCH_TAGS, type ChannelWatchEvent } from './watch.js';
export { WATCH_DEBOUNCE_MS } from './live.js';
export type {
  ChannelListener,
  ChannelSubscription,
  ChannelSubscriptionStatus,
} from './subscription.js';
export {
  useMizanChannel,
  useMizanChannelStatus,
  type MizanChannelHookOptions,
  type UseMizanChannelOptions,
  type UseMizanChannelResult,
  type UseMizanChannelStatus,
} from './useMizanChannel.js';
