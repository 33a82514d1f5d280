import { Redis } from 'ioredis';

export { Redis };

/**
 * Each key holds either a cached value `{"v":<version>,"d":<value>}` or a tombstone
 * `{"v":<version>}` meaning "anything older than this version is stale". Both scripts compare
 * versions inside Redis, so a slow reader can never put back a value that an invalidation
 * has already declared stale, and a late invalidation never drops a value that is newer.
 */
const SET_IF_NEWER = `
local cur = redis.call('GET', KEYS[1])
local v = tonumber(ARGV[1])
if cur then
  local c = cjson.decode(cur)
  local cv = tonumber(c.v)
  if c.d ~= nil and cv >= v then return 0 end
  if c.d == nil and cv > v then return 0 end
end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
return 1`;

const INVALIDATE_OLDER = `
local cur = redis.call('GET', KEYS[1])
local v = tonumber(ARGV[1])
if cur then
  local c = cjson.decode(cur)
  if tonumber(c.v) >= v then return 0 end
end
redis.call('SET', KEYS[1], cjson.encode({ v = v }), 'EX', ARGV[2])
return 1`;

interface Entry<V> {
  v: number;
  d?: V;
}

export interface CacheOptions<V> {
  /** Upper bound on staleness if an invalidation is ever lost. */
  ttlSeconds: number;
  /** The aggregate version a value was read at; versions only grow. */
  versionOf: (value: V) => number;
}

/**
 * A versioned read-through JSON cache on Redis, namespaced per service. Values are written
 * only if newer than what the key holds, and invalidations carry the version that made the
 * old value stale, so events arriving late or reads racing a commit cannot leave a stale
 * entry behind.
 */
export class RedisCache<V> {
  constructor(
    private readonly redis: Redis,
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
    const cached = await this.redis.mget(ids.map((id) => this.key(id)));
    const result = new Map<string, V>();
    const missing: string[] = [];
    ids.forEach((id, i) => {
      const hit = cached[i];
      const entry = hit == null ? null : (JSON.parse(hit) as Entry<V>);
      if (entry?.d !== undefined) result.set(id, entry.d);
      else missing.push(id);
    });
    if (missing.length > 0) {
      const loaded = await load(missing);
      if (loaded.size > 0) {
        const pipeline = this.redis.pipeline();
        for (const [id, value] of loaded) {
          const version = this.options.versionOf(value);
          const entry: Entry<V> = { v: version, d: value };
          pipeline.eval(
            SET_IF_NEWER,
            1,
            this.key(id),
            version,
            JSON.stringify(entry),
            this.options.ttlSeconds,
          );
          result.set(id, value);
        }
        await pipeline.exec();
      }
    }
    return ids.map((id) => result.get(id) ?? null);
  }

  /** Declares every cached value of `id` older than `version` stale. */
  async invalidate(id: string, version: number): Promise<void> {
    await this.redis.eval(INVALIDATE_OLDER, 1, this.key(id), version, this.options.ttlSeconds);
  }
}
