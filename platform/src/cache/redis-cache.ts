import { Redis } from 'ioredis';

export { Redis };

/**
 * A read-through JSON cache on Redis. Keys are namespaced per service; a TTL bounds
 * staleness even if an invalidation is missed.
 */
export class RedisCache {
  constructor(
    private readonly redis: Redis,
    private readonly namespace: string,
  ) {}

  key(id: string): string {
    return `${this.namespace}:${id}`;
  }

  /** Loads the missing ids in one call and caches them; returns values in the order asked. */
  async getMany<V>(
    ids: readonly string[],
    ttlSeconds: number,
    load: (missing: string[]) => Promise<Map<string, V>>,
  ): Promise<(V | null)[]> {
    if (ids.length === 0) return [];
    const cached = await this.redis.mget(ids.map((id) => this.key(id)));
    const result = new Map<string, V>();
    const missing: string[] = [];
    ids.forEach((id, i) => {
      const hit = cached[i];
      if (hit != null) result.set(id, JSON.parse(hit) as V);
      else missing.push(id);
    });
    if (missing.length > 0) {
      const loaded = await load(missing);
      if (loaded.size > 0) {
        const pipeline = this.redis.pipeline();
        for (const [id, value] of loaded) {
          pipeline.set(this.key(id), JSON.stringify(value), 'EX', ttlSeconds);
          result.set(id, value);
        }
        await pipeline.exec();
      }
    }
    return ids.map((id) => result.get(id) ?? null);
  }

  async invalidate(...ids: string[]): Promise<void> {
    if (ids.length > 0) await this.redis.del(...ids.map((id) => this.key(id)));
  }
}
