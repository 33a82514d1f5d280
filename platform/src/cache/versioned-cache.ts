import { decodeVersioned, type KeyValueStore } from './store.js';

export interface CacheOptions<V> {
  /** Upper bound on staleness if an invalidation is ever lost. */
  ttlSeconds: number;
  /** The aggregate version a value was read at; versions only grow. */
  versionOf: (value: V) => number;
}

/**
 * A versioned read-through JSON cache over a KeyValueStore, namespaced per service. Values are
 * written only if newer than what the key holds, and invalidations carry the version that made
 * the old value stale (the store's setIfNewer / invalidateOlder), so events arriving late or
 * reads racing a commit cannot leave a stale entry behind.
 */
export class VersionedCache<V> {
  constructor(
    private readonly store: KeyValueStore,
    private readonly namespace: string,
    private readonly options: CacheOptions<V>,
  ) {}

  key(id: string): string {
    return `${this.namespace}:${id}`;
  }

  /** Loads the missing ids in one call and caches them; returns values in the order asked. */
  async getMany(
    ids: readonly string[],
    load: (missing: string[]) => Promise<Map<string, V>>,
  ): Promise<(V | null)[]> {
    if (ids.length === 0) return [];
    const cached = await this.store.getMany(ids.map((id) => this.key(id)));
    const result = new Map<string, V>();
    const missing: string[] = [];
    ids.forEach((id, i) => {
      const entry = decodeVersioned<V>(cached[i] ?? null);
      if (entry?.d !== undefined) result.set(id, entry.d);
      else missing.push(id);
    });
    if (missing.length > 0) {
      const loaded = await load(missing);
      for (const [id, value] of loaded) result.set(id, value);
      if (loaded.size > 0) {
        const writes = [...loaded].map(([id, value]) => ({
          key: this.key(id),
          version: this.options.versionOf(value),
          value,
        }));
        await this.store.setIfNewer(writes, this.options.ttlSeconds);
      }
    }
    return ids.map((id) => result.get(id) ?? null);
  }

  /** Declares every cached value of `id` older than `version` stale. */
  async invalidate(id: string, version: number): Promise<void> {
    await this.store.invalidateOlder(this.key(id), version, this.options.ttlSeconds);
  }
}
