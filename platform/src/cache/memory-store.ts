import { RateLimiterMemory } from 'rate-limiter-flexible';
import {
  decodeVersioned,
  encodeVersioned,
  newerThanEntry,
  type BucketTake,
  type KeyValueStore,
  type LeakyBucket,
  type RateLimiterOptions,
  type VersionedWrite,
} from './store.js';

export interface MemoryStoreOptions {
  /** Keys held at most; past it the least recently used key goes, as Redis's allkeys-lru would. */
  maxKeys?: number;
  /** Milliseconds since the epoch; tests move it to watch entries expire. */
  now?: () => number;
}

type Value = { kind: 'string'; value: string } | { kind: 'set'; members: Set<string> } | BucketState;
type BucketState = { kind: 'bucket'; level: number; at: number };

interface Slot {
  value: Value;
  /** Epoch milliseconds after which the key is gone. */
  expiresAt: number;
}

/**
 * KeyValueStore in this process's memory, for the embedded profile and tools: the same
 * semantics as RedisStore (platform/test/kv-store.contract.ts runs against both), shared by
 * whatever in this process holds the instance. Each operation runs synchronously from start to
 * end, so on one JS thread it is as atomic as a Redis script.
 *
 * A Map rather than the lru-cache package: lru-cache is not a dependency of the platform, and
 * its per-entry TTL is set on write, while Redis semantics need a lifetime that outlives some
 * writes (a set's EXPIRE on add, a bucket's PEXPIRE on every take) and values of three kinds.
 * Map keeps insertion order, so re-inserting a key on use makes the first key the least
 * recently used one: eviction is O(1). Expired keys are dropped when touched, or evicted
 * like any other key once they are the least recently used.
 */
export class MemoryStore implements KeyValueStore {
  private readonly slots = new Map<string, Slot>();
  private readonly limiters = new Map<string, { options: RateLimiterOptions; limiter: RateLimiterMemory }>();
  private readonly maxKeys: number;
  private readonly now: () => number;

  constructor(options: MemoryStoreOptions = {}) {
    this.maxKeys = options.maxKeys ?? 100_000;
    this.now = options.now ?? Date.now;
  }

  async get(key: string): Promise<string | null> {
    return this.readString(key);
  }

  async getMany(keys: readonly string[]): Promise<(string | null)[]> {
    return keys.map((key) => this.readString(key));
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    this.write(key, { kind: 'string', value }, ttlSeconds * 1000);
  }

  async delete(key: string): Promise<boolean> {
    return this.live(key) !== undefined && this.slots.delete(key);
  }

  async setIfNewer(writes: readonly VersionedWrite[], ttlSeconds: number): Promise<boolean[]> {
    return writes.map(({ key, version, value }) => {
      if (!newerThanEntry(decodeVersioned(this.readString(key)), version)) return false;
      this.write(key, { kind: 'string', value: encodeVersioned(version, value) }, ttlSeconds * 1000);
      return true;
    });
  }

  async invalidateOlder(key: string, version: number, ttlSeconds: number): Promise<boolean> {
    const current = decodeVersioned(this.readString(key));
    if (current && current.v >= version) return false;
    this.write(key, { kind: 'string', value: JSON.stringify({ v: version }) }, ttlSeconds * 1000);
    return true;
  }

  async addMembers(key: string, members: readonly string[], ttlSeconds: number): Promise<void> {
    if (members.length === 0) return;
    const slot = this.live(key);
    if (slot && slot.value.kind !== 'set') throw wrongType(key);
    const set = slot?.value.kind === 'set' ? slot.value.members : new Set<string>();
    for (const member of members) set.add(member);
    this.write(key, { kind: 'set', members: set }, ttlSeconds * 1000);
  }

  async hasMembers(key: string, members: readonly string[]): Promise<boolean[]> {
    const slot = this.live(key);
    if (slot && slot.value.kind !== 'set') throw wrongType(key);
    const set = slot?.value.kind === 'set' ? slot.value.members : undefined;
    return members.map((m) => set?.has(m) ?? false);
  }

  async takeFromBucket(key: string, bucket: LeakyBucket, cost: number): Promise<BucketTake> {
    // The same arithmetic as RedisStore's LEAKY_BUCKET script, on this process's clock.
    const now = Math.floor(this.now());
    const rate = bucket.leakPerSecond / 1000;
    const slot = this.live(key);
    if (slot && slot.value.kind !== 'bucket') throw wrongType(key);
    const state = slot?.value.kind === 'bucket' ? slot.value : undefined;
    let level = Math.max(0, (state?.level ?? 0) - Math.max(0, now - (state?.at ?? now)) * rate);
    const admitted = level + cost <= bucket.capacity;
    const waitMs = admitted ? 0 : Math.ceil((level + cost - bucket.capacity) / rate);
    if (admitted) level += cost;
    this.write(key, { kind: 'bucket', level, at: now }, Math.ceil(level / rate) + 1000);
    return { admitted, level, waitMs };
  }

  rateLimiter(options: RateLimiterOptions): RateLimiterMemory {
    // One limiter per prefix: in Redis, limiters of one prefix count in the same keys.
    const known = this.limiters.get(options.keyPrefix);
    if (known) {
      const same = known.options.points === options.points && known.options.duration === options.duration;
      if (!same)
        throw new Error(`Rate limiter ${options.keyPrefix} already exists with other points or duration`);
      return known.limiter;
    }
    const limiter = new RateLimiterMemory({ ...options });
    this.limiters.set(options.keyPrefix, { options: { ...options }, limiter });
    return limiter;
  }

  async ping(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {
    this.slots.clear();
    this.limiters.clear();
  }

  private readString(key: string): string | null {
    const slot = this.live(key);
    if (!slot) return null;
    if (slot.value.kind !== 'string') throw wrongType(key);
    return slot.value.value;
  }

  /** The key's slot unless expired (then dropped); marks it most recently used. */
  private live(key: string): Slot | undefined {
    const slot = this.slots.get(key);
    if (!slot) return undefined;
    this.slots.delete(key);
    if (slot.expiresAt <= this.now()) return undefined;
    this.slots.set(key, slot);
    return slot;
  }

  private write(key: string, value: Value, ttlMs: number): void {
    if (!(ttlMs > 0)) throw new Error(`A lifetime must be positive, got ${ttlMs} ms for ${key}`);
    this.slots.delete(key);
    this.slots.set(key, { value, expiresAt: this.now() + ttlMs });
    if (this.slots.size > this.maxKeys) this.evict();
  }

  /** Drops the least recently used key: an expired key nobody touched is among the first to go. */
  private evict(): void {
    const oldest = this.slots.keys().next();
    if (!oldest.done) this.slots.delete(oldest.value);
  }
}

function wrongType(key: string): Error {
  return new Error(`WRONGTYPE: ${key} holds a value of another kind`);
}
