/**
 * Where an edge remembers when each tag was last purged, so that an answer stored before a purge
 * of one of its tags is never served (spec §2.16.8).
 * @module
 */

/**
 * Purge times per tag. An edge that runs in several places shares one (a key-value store, a
 * Durable Object); the default, {@link MemoryTagStore}, serves one process.
 *
 * Times are milliseconds on the edge's clock (its `now`), the same clock that dates stored
 * answers.
 */
export interface TagStore {
  /** Records that every tag of `tags` was purged at `at`. */
  purge(tags: readonly string[], at: number): Promise<void>;
  /**
   * The latest purge time recorded for any tag of `tags`, or `-Infinity` when none was. A store
   * that forgot records must answer a time no earlier than the forgotten ones, so that forgetting
   * only ever makes answers stale, never fresh.
   */
  lastPurge(tags: readonly string[]): Promise<number>;
}

/** What {@link MemoryTagStore} takes. */
export interface MemoryTagStoreOptions {
  /** The most tags remembered; default 100 000. */
  maxTags?: number;
  /**
   * How long a record is kept, in milliseconds; default one year. An answer is never served
   * longer than its `max_age + swr` after it was fetched, so older records decide nothing;
   * `createEdgeHandler` passes the longest `max_age + swr` of its manifest.
   */
  retainMs?: number;
}

/**
 * The in-memory {@link TagStore}: bounded by tag count. When it must forget a tag to stay within
 * bounds, it raises a floor to that tag's purge time instead, and every answer stored before the
 * floor counts as purged: correct, at the cost of some refetches.
 */
export class MemoryTagStore implements TagStore {
  // Insertion order is purge order (a re-purged tag moves to the end), so the oldest record is
  // always first.
  readonly #purged = new Map<string, number>();
  readonly #maxTags: number;
  readonly #retainMs: number;
  #floor = -Infinity;

  /** @param options - see {@link MemoryTagStoreOptions}. */
  constructor(options: MemoryTagStoreOptions = {}) {
    this.#maxTags = Math.max(1, Math.floor(options.maxTags ?? 100_000));
    this.#retainMs = Math.max(0, options.retainMs ?? 31_536_000_000);
  }

  /** {@inheritDoc TagStore.purge} */
  async purge(tags: readonly string[], at: number): Promise<void> {
    for (const tag of tags) {
      const previous = this.#purged.get(tag);
      this.#purged.delete(tag);
      this.#purged.set(tag, Math.max(at, previous ?? -Infinity));
    }
    for (const [tag, time] of this.#purged) {
      const tooMany = this.#purged.size > this.#maxTags;
      // Records past retention are dropped without raising the floor: no servable answer is
      // older than them.
      if (!tooMany && time >= at - this.#retainMs) break;
      this.#purged.delete(tag);
      if (tooMany) this.#floor = Math.max(this.#floor, time);
    }
  }

  /** {@inheritDoc TagStore.lastPurge} */
  async lastPurge(tags: readonly string[]): Promise<number> {
    let latest = this.#floor;
    for (const tag of tags) {
      const time = this.#purged.get(tag);
      if (time !== undefined && time > latest) latest = time;
    }
    return latest;
  }

  /** How many tags are remembered (for tests and metrics). */
  get size(): number {
    return this.#purged.size;
  }
}
