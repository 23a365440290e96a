/**
 * The tags a channel socket watches for purges (spec §2.16.5), kept across its connections, and
 * who is told of them.
 * @module
 */

/**
 * What the socket tells the watcher of its tags (see `ChannelSocket.watch`): a purge of watched
 * tags (spec §2.16.5 `invalidated`, `rev` `0` when the server's store was out of reach), or
 * `resync`, a new socket after the one that watched was lost, when purges may have been missed.
 */
export type ChannelWatchEvent =
  | { type: 'invalidated'; tags: string[]; rev: number }
  | { type: 'resync' };

/** The most tags one `watch` frame may hold (spec §2.16.5). */
export const MAX_WATCH_TAGS = 1024;

/**
 * The watched set of one socket and its listeners.
 * @internal
 */
export class WatchedTags {
  /** The tags, at most {@link MAX_WATCH_TAGS}. */
  tags: readonly string[] = [];
  /** A connection that watched was lost: the next one tells the listeners to resync. */
  lost = false;
  readonly #listeners = new Set<(event: ChannelWatchEvent) => void>();

  /** Replaces the set with the first {@link MAX_WATCH_TAGS} of `tags`; `false` when unchanged. */
  set(tags: readonly string[]): boolean {
    const next = tags.slice(0, MAX_WATCH_TAGS);
    if (next.length === this.tags.length && next.every((t, i) => t === this.tags[i])) return false;
    this.tags = next;
    return true;
  }

  /**
   * The `watch` frame of the set, cut to the tags that fit in `maxFrameBytes`: a longer frame
   * would close the socket (1009). Tags are ASCII, so their JSON length is their byte length.
   */
  frame(maxFrameBytes: number): Record<string, unknown> {
    let bytes = '{"type":"watch","tags":[]}'.length;
    const tags = this.tags.filter((tag) => (bytes += JSON.stringify(tag).length + 1) <= maxFrameBytes);
    return { type: 'watch', tags };
  }

  /** Calls `listener` with every event; returns the unsubscribe function. */
  on(listener: (event: ChannelWatchEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Tells every listener of `event`. */
  tell(event: ChannelWatchEvent): void {
    for (const listener of [...this.#listeners]) listener(event);
  }
}
