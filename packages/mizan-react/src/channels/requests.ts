/**
 * The frames that the server answers by `ref` (`send`, `auth`: spec §2.15.3), each a promise
 * settled by its `ack` or `error`, or failed when the socket closes first.
 * @module
 */

import type { MizanError } from '../errors.js';

interface Pending {
  resolve(): void;
  reject(error: MizanError): void;
}

/**
 * The requests waiting for an answer on one socket.
 * @internal
 */
export class PendingRequests {
  readonly #pending = new Map<string, Pending>();
  #next = 0;

  /** Sends `frame` with a new `ref` through `write`, which returns the error when it cannot. */
  start(
    frame: Record<string, unknown>,
    write: (frame: Record<string, unknown>) => MizanError | undefined,
  ): Promise<void> {
    this.#next += 1;
    const ref = `r${this.#next}`;
    return new Promise<void>((resolve, reject) => {
      const error = write({ ...frame, ref });
      if (error) reject(error);
      else this.#pending.set(ref, { resolve, reject });
    });
  }

  /** Whether `ref` names a request waiting for its answer. */
  has(ref: string): boolean {
    return this.#pending.has(ref);
  }

  /** Settles the request `ref`: resolved without `error`, rejected with it. */
  settle(ref: string, error: MizanError | undefined): void {
    const pending = this.#pending.get(ref);
    if (!pending) return;
    this.#pending.delete(ref);
    if (error) pending.reject(error);
    else pending.resolve();
  }

  /** Rejects every waiting request with `error` (made per request: errors carry a stack). */
  failAll(error: () => MizanError): void {
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of pending) p.reject(error());
  }
}
