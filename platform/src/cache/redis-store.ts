import { Redis, type RedisOptions } from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import {
  encodeVersioned,
  type BucketTake,
  type KeyValueStore,
  type LeakyBucket,
  type RateLimiterOptions,
  type VersionedWrite,
} from './store.js';

export { Redis };

/**
 * The versioned-entry rules of store.ts, inside Redis: the version comparison and the write are
 * one script, so a slow reader can never put back a value that an invalidation has already
 * declared stale, and a late invalidation never drops a value that is newer.
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

/**
 * The leaky bucket of store.ts in one script, so that concurrent gateways never both spend the
 * same room. Timed by Redis's own clock, so every process agrees on time. The bucket is a hash
 * (level, at).
 *
 * KEYS[1] bucket; ARGV: capacity, leak per second, cost. Returns {admitted, level, waitMs}.
 */
const LEAKY_BUCKET = `
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2]) / 1000
local cost = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'level', 'at')
local level = tonumber(state[1]) or 0
local at = tonumber(state[2]) or now
level = math.max(0, level - math.max(0, now - at) * rate)
if level + cost > capacity then
  redis.call('HSET', KEYS[1], 'level', tostring(level), 'at', now)
  redis.call('PEXPIRE', KEYS[1], math.ceil(level / rate) + 1000)
  return {0, tostring(level), math.ceil((level + cost - capacity) / rate)}
end
level = level + cost
redis.call('HSET', KEYS[1], 'level', tostring(level), 'at', now)
redis.call('PEXPIRE', KEYS[1], math.ceil(level / rate) + 1000)
return {1, tostring(level), 0}
`;

type ScriptedRedis = Redis & {
  setIfNewer(key: string, version: number, entry: string, ttl: number): Promise<number>;
  invalidateOlder(key: string, version: number, ttl: number): Promise<number>;
  leakyBucket(key: string, capacity: number, leak: number, cost: number): Promise<[number, string, number]>;
};

/**
 * KeyValueStore on Redis (ioredis): shared by every process of a deployment. Owns its client:
 * close() disconnects it. Failures (connection, timeout) reject; callers decide whether to fail
 * open (gateway budgets, response cache) or closed (throttles).
 */
export class RedisStore implements KeyValueStore {
  private readonly redis: ScriptedRedis;

  constructor(redis: Redis) {
    // Scripts are sent by their SHA after the first call (EVALSHA, EVAL on NOSCRIPT).
    redis.defineCommand('setIfNewer', { numberOfKeys: 1, lua: SET_IF_NEWER });
    redis.defineCommand('invalidateOlder', { numberOfKeys: 1, lua: INVALIDATE_OLDER });
    redis.defineCommand('leakyBucket', { numberOfKeys: 1, lua: LEAKY_BUCKET });
    this.redis = redis as ScriptedRedis;
  }

  /** A store on a new client, connected before it returns (services need Redis to start). */
  static async connect(url: string, options: RedisOptions = {}): Promise<RedisStore> {
    const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3, ...options });
    await redis.connect();
    return new RedisStore(redis);
  }

  /** The underlying client, for tests that inspect what Redis holds. */
  get client(): Redis {
    return this.redis;
  }

  get(key: string): Promise<string | null> {
    return this.redis.get(key);
  }

  async getMany(keys: readonly string[]): Promise<(string | null)[]> {
    if (keys.length === 0) return [];
    return this.redis.mget(...keys);
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    await this.redis.set(key, value, 'EX', ttlSeconds);
  }

  async delete(key: string): Promise<boolean> {
    return (await this.redis.del(key)) > 0;
  }

  async setIfNewer(writes: readonly VersionedWrite[], ttlSeconds: number): Promise<boolean[]> {
    if (writes.length === 0) return [];
    const pipeline = this.redis.pipeline() as ReturnType<Redis['pipeline']> & {
      setIfNewer(key: string, version: number, entry: string, ttl: number): unknown;
    };
    for (const { key, version, value } of writes) {
      pipeline.setIfNewer(key, version, encodeVersioned(version, value), ttlSeconds);
    }
    const results = (await pipeline.exec()) ?? [];
    return results.map(([error, stored]) => {
      if (error) throw error;
      return stored === 1;
    });
  }

  async invalidateOlder(key: string, version: number, ttlSeconds: number): Promise<boolean> {
    return (await this.redis.invalidateOlder(key, version, ttlSeconds)) === 1;
  }

  async addMembers(key: string, members: readonly string[], ttlSeconds: number): Promise<void> {
    if (members.length === 0) return;
    const results = await this.redis
      .multi()
      .sadd(key, ...members)
      .expire(key, ttlSeconds)
      .exec();
    const failed = results?.find(([error]) => error);
    if (failed) throw failed[0];
  }

  async hasMembers(key: string, members: readonly string[]): Promise<boolean[]> {
    if (members.length === 0) return [];
    const found = await this.redis.smismember(key, ...members);
    return found.map((f) => f === 1);
  }

  async takeFromBucket(key: string, bucket: LeakyBucket, cost: number): Promise<BucketTake> {
    const [admitted, level, waitMs] = await this.redis.leakyBucket(
      key,
      bucket.capacity,
      bucket.leakPerSecond,
      cost,
    );
    return { admitted: admitted === 1, level: Number(level), waitMs: Number(waitMs) };
  }

  rateLimiter(options: RateLimiterOptions): RateLimiterRedis {
    return new RateLimiterRedis({ storeClient: this.redis, ...options });
  }

  async ping(): Promise<boolean> {
    try {
      return (await this.redis.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
