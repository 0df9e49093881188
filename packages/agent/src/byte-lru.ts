/**
 * @module
 * A least-recently-used map bounded by the total size of its values rather than their
 * count: modules range from a few KiB to ~100 MB, so a count bound would either waste
 * memory or hold almost nothing. Pure and synchronous; the blob cache puts I/O around it.
 */

/** An LRU of values with a byte size each, evicting the least recently used beyond `capacityBytes`. */
export class ByteLru<K, V> {
  private readonly entries = new Map<K, { value: V; size: number }>();
  private used = 0;

  /**
   * @param capacityBytes total size kept; a single value larger than this is never kept.
   * @param sizeOf size of a value in bytes.
   * @param onEvict told of each entry evicted to make room (not of deletes or replacements).
   */
  constructor(
    readonly capacityBytes: number,
    private readonly sizeOf: (value: V) => number,
    private readonly onEvict?: (key: K, value: V) => void,
  ) {}

  /** Bytes held now. */
  get bytes(): number {
    return this.used;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The value under `key`, marking it most recently used. */
  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    // Map iteration order is insertion order: re-inserting moves the key to the young end.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  has(key: K): boolean {
    return this.entries.has(key);
  }

  /**
   * Stores `value` as most recently used, then evicts the oldest entries until the total
   * fits. Returns false (and stores nothing) when the value alone exceeds the capacity.
   */
  set(key: K, value: V): boolean {
    this.delete(key);
    const size = this.sizeOf(value);
    if (size > this.capacityBytes) return false;
    this.entries.set(key, { value, size });
    this.used += size;
    this.evict();
    return true;
  }

  delete(key: K): boolean {
    const entry = this.entries.get(key);
    if (!entry) return false;
    this.entries.delete(key);
    this.used -= entry.size;
    return true;
  }

  /** Calls `fn` with each key and its size, oldest first, without touching recency. */
  forEach(fn: (key: K, size: number) => void): void {
    for (const [key, entry] of this.entries) fn(key, entry.size);
  }

  clear(): void {
    this.entries.clear();
    this.used = 0;
  }

  private evict(): void {
    for (const [key, entry] of this.entries) {
      if (this.used <= this.capacityBytes) return;
      this.entries.delete(key);
      this.used -= entry.size;
      this.onEvict?.(key, entry.value);
    }
  }
}
