/**
 * The per-subscription rule of spec §2.15.4 that turns an at-least-once stream (recovery may
 * repeat what also arrives live) into exactly-once delivery to the application, and notices when
 * the group's history restarted.
 * @module
 */

import type { ChannelPosition } from './frames.js';

/**
 * What to do with a `message` at `incoming` for a subscription that kept `kept`: `drop` a repeat,
 * `deliver` the next one, or report a `gap` (another epoch: the history restarted) and then
 * deliver it.
 * @internal
 */
export function judgeMessage(
  kept: ChannelPosition,
  incoming: ChannelPosition,
): 'drop' | 'deliver' | 'gap' {
  if (incoming.epoch !== kept.epoch) return 'gap';
  return incoming.offset > kept.offset ? 'deliver' : 'drop';
}
