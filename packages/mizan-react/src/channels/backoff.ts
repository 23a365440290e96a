/**
 * The reconnection delay of spec §2.15.8: exponential, capped and randomized, so that the
 * clients of a restarted server do not all come back in the same instant.
 * @module
 */

/** The first delay, in milliseconds. */
export const RECONNECT_BASE_MS = 500;
/** The longest delay, in milliseconds, before the random factor. */
export const RECONNECT_MAX_MS = 30_000;

/**
 * The delay before reconnection attempt `attempt` (0 for the first after a socket was lost):
 * 0.5 s doubling up to 30 s, times a factor in [0.5, 1] drawn from `random` (which returns a
 * number in [0, 1), as `Math.random`).
 */
export function reconnectDelay(attempt: number, random: () => number = Math.random): number {
  // The exponent is capped so that the power never overflows for a client that retried for days.
  const base = Math.min(RECONNECT_MAX_MS, RECONNECT_BASE_MS * 2 ** Math.min(attempt, 16));
  const r = random();
  const unit = Number.isFinite(r) ? Math.min(1, Math.max(0, r)) : 1;
  return base * (0.5 + unit / 2);
}
