import type { RateLimiterAbstract } from 'rate-limiter-flexible';

/**
 * The key-value port behind every cache, throttle and budget: what the services and the gateway
 * need from Redis, and no more. Two adapters implement it with the same semantics, checked by
 * one contract suite (platform/test/kv-store.contract.ts): RedisStore (shared by every process
 * of a deployment) and MemoryStore (one process, for the embedded profile and tools).
 *
 * Every operation is atomic on its key: two callers racing on one key see each other's effect
 * in some order, never half of it. Keys are plain strings; callers namespace them.
 */
export interface KeyValueStore {
  /** The string at `key`, or null when absent or expired. */
  get(key: string): Promise<string | null>;
  /** Like get for each key, in one round trip, answered in the order asked. */
  getMany(keys: readonly string[]): Promise<(string | null)[]>;
  /** Stores `value` for `ttlSeconds` (positive, whole seconds), replacing whatever the key held. */
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  /** Removes the key; true when it existed. */
  delete(key: string): Promise<boolean>;

  /**
   * Versioned entries (VersionedEntry): writes each value unless its key holds a value of the
   * same or a newer version, or a tombstone of a newer version. One round trip for all writes;
   * answers, per write, whether it was stored.
   */
  setIfNewer(writes: readonly VersionedWrite[], ttlSeconds: number): Promise<boolean[]>;
  /**
   * Leaves a tombstone `{"v":version}` ("anything older is stale") unless the key holds an entry
   * of the same or a newer version; true when it did.
   */
  invalidateOlder(key: string, version: number, ttlSeconds: number): Promise<boolean>;

  /** Adds members to the set at `key` and (re)starts its lifetime of `ttlSeconds`. */
  addMembers(key: string, members: readonly string[], ttlSeconds: number): Promise<void>;
  /** Per member, in order: whether the set at `key` holds it. */
  hasMembers(key: string, members: readonly string[]): Promise<boolean[]>;

  /** One atomic step of the leaky bucket at `key` (LeakyBucket, below). */
  takeFromBucket(key: string, bucket: LeakyBucket, cost: number): Promise<BucketTake>;

  /**
   * A rate-limiter-flexible limiter counting in this store (RateLimiterRedis, RateLimiterMemory:
   * same API). Limiters asked for with the same options share their counts, as they do in Redis.
   */
  rateLimiter(options: RateLimiterOptions): RateLimiterAbstract;

  /** Whether the store answers (readiness checks). Never throws. */
  ping(): Promise<boolean>;
  /** Releases the connection; the store is unusable afterwards. */
  close(): Promise<void>;
}

export interface VersionedWrite {
  key: string;
  /** The version the value was read at; versions only grow. */
  version: number;
  /** Any JSON value. */
  value: unknown;
}

/**
 * What a versioned key holds, as JSON: a value `{"v":<version>,"d":<value>}` or a tombstone
 * `{"v":<version>}`. The encoding is part of the port, so both adapters write the same bytes.
 */
export interface VersionedEntry<V = unknown> {
  v: number;
  d?: V;
}

export function encodeVersioned(version: number, value: unknown): string {
  return JSON.stringify({ v: version, d: value } satisfies VersionedEntry);
}

export function decodeVersioned<V>(raw: string | null): VersionedEntry<V> | null {
  return raw == null ? null : (JSON.parse(raw) as VersionedEntry<V>);
}

/** Whether a write of `version` may replace the entry the key holds (the Lua SET_IF_NEWER rule). */
export function newerThanEntry(current: VersionedEntry | null, version: number): boolean {
  if (!current) return true;
  return current.d !== undefined ? version > current.v : version >= current.v;
}

/**
 * A leaky bucket used as a meter. It holds `level` (cost spent and not yet leaked) and leaks
 * `leakPerSecond`. A take of cost c is admitted when `level + c <= capacity` and then adds c; a
 * refused take adds nothing. The key expires once the bucket would be empty (plus a second).
 */
export interface LeakyBucket {
  capacity: number;
  leakPerSecond: number;
}

export interface BucketTake {
  admitted: boolean;
  /** The level after this take (fractional: the bucket leaks continuously). */
  level: number;
  /** When refused: milliseconds until this cost would fit; 0 when admitted. */
  waitMs: number;
}

export interface RateLimiterOptions {
  /** Namespaces the limiter's keys. */
  keyPrefix: string;
  /** Points a key may consume within `duration`. */
  points: number;
  /** Window in seconds, started by a key's first consume. */
  duration: number;
}
