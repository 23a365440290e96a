/**
 * The context reads a client holds, as purges see them (spec §2.16.4, §2.16.5): the tags of each
 * read's last answer and the rev a purge issued for it. Framework-free: the provider turns its
 * stale events into TanStack refetches, the channel socket feeds it live purges.
 * @module
 */

/**
 * A purge the client learned of: from the `X-Mizan-Invalidate` and `X-Mizan-Rev` headers of a
 * call's or batch's answer, or from an `invalidated` frame of the channel socket.
 */
export interface MizanInvalidation {
  /** The purged tags, in the server's order. */
  tags: readonly string[];
  /** The rev the purge issued; `undefined` when the server could not reach its cache store. */
  rev: number | undefined;
  /** `'response'`: a call's or batch's answer; `'live'`: the channel socket (another caller's). */
  source: 'response' | 'live';
}

/**
 * One context read: a function name and the canonical JSON of its params.
 * @internal
 */
export interface ReadRef {
  name: string;
  json: string;
}

interface Entry extends ReadRef {
  /** The tags of the last answer; `[]` before it, or when the context has no cache policy. */
  tags: readonly string[];
  /** The rev a purge issued for the read (or `unissued_rev` named), `0` when none. */
  rev: number;
}

/** What a stale listener is told: the reads to fetch again, or `'all'` after a reconnection. */
type StaleListener = (reads: readonly ReadRef[] | 'all') => void;

/**
 * The tags and revs of a client's context reads, keyed by (name, canonical params), so that every
 * query of one URL, whatever its explicit `rev` option, shares them.
 * @internal
 */
export class ReadTracker {
  readonly #entries = new Map<string, Entry>();
  readonly #staleListeners = new Set<StaleListener>();
  readonly #tagListeners = new Set<() => void>();

  // Function names never hold a newline, so the pair cannot be confused with another.
  #entry(name: string, json: string): Entry {
    const key = `${name}\n${json}`;
    let entry = this.#entries.get(key);
    if (!entry) this.#entries.set(key, (entry = { name, json, tags: [], rev: 0 }));
    return entry;
  }

  /** The rev a purge issued for the read (or `unissued_rev` named), `0` when none. */
  rev(name: string, json: string): number {
    return this.#entries.get(`${name}\n${json}`)?.rev ?? 0;
  }

  /** Replaces the read's rev: the server's `details.rev` of an `unissued_rev` refusal. */
  setRev(name: string, json: string, rev: number): void {
    this.#entry(name, json).rev = rev;
  }

  /** Notes the tags of the read's last answer (`[]`: not cached, so no purge concerns it). */
  record(name: string, json: string, tags: readonly string[]): void {
    const entry = this.#entry(name, json);
    // Tags hold no comma (spec §2.16.1), so joined lists are equal only when the lists are.
    const changed = entry.tags.join() !== tags.join();
    entry.tags = tags;
    if (changed) this.#tagsChanged();
  }

  /** Forgets a read no query holds any more. */
  forget(name: string, json: string): void {
    const key = `${name}\n${json}`;
    const tagged = (this.#entries.get(key)?.tags.length ?? 0) > 0;
    this.#entries.delete(key);
    if (tagged) this.#tagsChanged();
  }

  /** The union of the tags of every read held, in first-seen order. */
  get tags(): string[] {
    return [...new Set([...this.#entries.values()].flatMap((entry) => entry.tags))];
  }

  /**
   * Applies a purge: every read whose tags meet `tags` gets `rev` (when given) and is told stale.
   * A read whose rev is already `rev` or later is skipped: it was fetched again for this purge
   * already (a writer hears of its own purge twice, from its answer and from its socket).
   */
  invalidate(tags: readonly string[], rev: number | undefined): void {
    const stale = [...this.#entries.values()].filter((entry) => {
      if (!entry.tags.some((tag) => tags.includes(tag))) return false;
      if (rev === undefined) return true;
      if (entry.rev >= rev) return false;
      entry.rev = rev;
      return true;
    });
    if (stale.length > 0) this.#tellStale(stale);
  }

  /** Every read is to be fetched again: purges may have happened while the socket was away. */
  refetchAll(): void {
    this.#tellStale('all');
  }

  /** Calls `listener` with the reads a purge made stale; returns the unsubscribe function. */
  onStale(listener: StaleListener): () => void {
    this.#staleListeners.add(listener);
    return () => this.#staleListeners.delete(listener);
  }

  /** Calls `listener` when {@link ReadTracker.tags} may have changed. */
  onTags(listener: () => void): () => void {
    this.#tagListeners.add(listener);
    return () => this.#tagListeners.delete(listener);
  }

  #tellStale(reads: readonly ReadRef[] | 'all'): void {
    for (const listener of [...this.#staleListeners]) listener(reads);
  }

  #tagsChanged(): void {
    for (const listener of [...this.#tagListeners]) listener();
  }
}

/**
 * The tags of a header that lists them (`Cache-Tag: a,b`, `X-Mizan-Invalidate: a, b`), each once;
 * `[]` when absent.
 * @internal
 */
export function headerTags(value: string | null): string[] {
  if (value === null) return [];
  return [...new Set(value.split(',').map((t) => t.trim()).filter((t) => t !== ''))];
}

/**
 * The rev of `X-Mizan-Rev` (a decimal integer in `1 ..= 2^53 - 1`, spec §2.10); `undefined`
 * when absent or not that.
 * @internal
 */
export function headerRev(value: string | null): number | undefined {
  const rev = Number(value);
  return value !== null && /^\d+$/.test(value) && Number.isSafeInteger(rev) && rev > 0
    ? rev
    : undefined;
}
