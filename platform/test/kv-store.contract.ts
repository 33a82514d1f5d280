import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { newId } from '@marketplace/shared-kernel';
import type { KeyValueStore } from '@marketplace/platform';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `fn` and returns what it rejected with (fails the test when it resolves). */
async function rejection(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

/**
 * The KeyValueStore contract: every adapter runs this same suite (redis-store.int-spec.ts,
 * memory-store.int-spec.ts), so the services behave alike on either. Time is real: Redis
 * keeps its own clock, so lifetimes are checked by waiting them out.
 *
 * `open` gives a store; every key this suite writes starts with `prefix`.
 */
export function keyValueStoreContract(
  name: string,
  open: () => Promise<KeyValueStore>,
  options: { prefix: string; cleanUp?: (store: KeyValueStore) => Promise<void> },
): void {
  describe(`${name} (KeyValueStore contract)`, () => {
    let store: KeyValueStore;
    const key = (label: string) => `${options.prefix}:${label}:${newId()}`;

    beforeAll(async () => {
      store = await open();
    });

    afterAll(async () => {
      await options.cleanUp?.(store);
      await store.close();
    });

    it('answers ping', async () => {
      expect(await store.ping()).toBe(true);
    });

    it('gets, sets, replaces and deletes strings; getMany answers in the order asked', async () => {
      const [a, b, absent] = [key('a'), key('b'), key('absent')];
      expect(await store.get(a)).toBeNull();
      await store.set(a, 'one', 60);
      await store.set(b, 'two', 60);
      await store.set(a, 'uno', 60);
      expect(await store.get(a)).toBe('uno');
      expect(await store.getMany([b, absent, a, b])).toEqual(['two', null, 'uno', 'two']);
      expect(await store.getMany([])).toEqual([]);
      expect(await store.delete(a)).toBe(true);
      expect(await store.delete(a)).toBe(false);
      expect(await store.getMany([a, b])).toEqual([null, 'two']);
    });

    it('forgets strings, versioned entries and sets once their lifetime ends, and a set add restarts it', async () => {
      const [text, versioned, tombstone, members, kept] = ['t', 'v', 'x', 's', 'k'].map(key) as [
        string,
        string,
        string,
        string,
        string,
      ];
      await store.set(text, 'short', 1);
      await store.setIfNewer([{ key: versioned, version: 1, value: { a: 1 } }], 1);
      await store.invalidateOlder(tombstone, 1, 1);
      await store.addMembers(members, ['m'], 1);
      await store.set(kept, 'long', 60);
      expect(await store.getMany([text, versioned, tombstone])).toEqual([
        'short',
        '{"v":1,"d":{"a":1}}',
        '{"v":1}',
      ]);
      await sleep(600);
      // A second add renews the set's lifetime, like SADD then EXPIRE.
      await store.addMembers(members, ['n'], 1);
      await sleep(600);
      expect(await store.getMany([text, versioned, tombstone])).toEqual([null, null, null]);
      expect(await store.hasMembers(members, ['m', 'n'])).toEqual([true, true]);
      await sleep(600);
      expect(await store.hasMembers(members, ['m', 'n'])).toEqual([false, false]);
      expect(await store.get(kept)).toBe('long');
      // An expired tombstone no longer holds back an old value.
      expect(await store.setIfNewer([{ key: tombstone, version: 0, value: 'late' }], 60)).toEqual([true]);
    });

    describe('versioned entries', () => {
      it('stores a value unless the key holds the same or a newer value', async () => {
        const k = key('ver');
        expect(await store.setIfNewer([{ key: k, version: 2, value: { name: 'v2' } }], 60)).toEqual([true]);
        expect(await store.get(k)).toBe('{"v":2,"d":{"name":"v2"}}');
        expect(
          await store.setIfNewer(
            [
              { key: k, version: 1, value: { name: 'v1' } },
              { key: k, version: 2, value: { name: 'v2 again' } },
            ],
            60,
          ),
        ).toEqual([false, false]);
        expect(await store.get(k)).toBe('{"v":2,"d":{"name":"v2"}}');
        expect(await store.setIfNewer([{ key: k, version: 3, value: null }], 60)).toEqual([true]);
        // null is a value, not a tombstone.
        expect(await store.get(k)).toBe('{"v":3,"d":null}');
        expect(await store.setIfNewer([{ key: k, version: 3, value: 'x' }], 60)).toEqual([false]);
      });

      it('refuses a value older than a tombstone, and takes one of its version or newer', async () => {
        const k = key('tomb');
        // A reader loaded version 2; meanwhile version 3 committed and its invalidation ran first.
        expect(await store.invalidateOlder(k, 3, 60)).toBe(true);
        expect(await store.get(k)).toBe('{"v":3}');
        expect(await store.setIfNewer([{ key: k, version: 2, value: 'stale' }], 60)).toEqual([false]);
        expect(await store.get(k)).toBe('{"v":3}');
        expect(await store.setIfNewer([{ key: k, version: 3, value: 'fresh' }], 60)).toEqual([true]);
        expect(await store.get(k)).toBe('{"v":3,"d":"fresh"}');
      });

      it('never lets a late invalidation drop a value as new as it or newer', async () => {
        const k = key('late');
        await store.setIfNewer([{ key: k, version: 3, value: 'v3' }], 60);
        expect(await store.invalidateOlder(k, 2, 60)).toBe(false);
        expect(await store.invalidateOlder(k, 3, 60)).toBe(false);
        expect(await store.get(k)).toBe('{"v":3,"d":"v3"}');
        expect(await store.invalidateOlder(k, 4, 60)).toBe(true);
        expect(await store.invalidateOlder(k, 4, 60)).toBe(false);
        expect(await store.get(k)).toBe('{"v":4}');
      });

      it('ends with the newest version whatever order racing writes and invalidations land in', async () => {
        const k = key('race');
        const versions = Array.from({ length: 30 }, (_, i) => i + 1).sort(() => Math.random() - 0.5);
        await Promise.all(
          versions.flatMap((v) => [
            store.setIfNewer([{ key: k, version: v, value: `v${v}` }], 60),
            // Each commit's invalidation: it declares the version before it stale.
            store.invalidateOlder(k, v, 60),
          ]),
        );
        // Version 30's invalidation may have run after or before its value: either way v30 wins.
        expect(JSON.parse((await store.get(k))!).v).toBe(30);
        await store.setIfNewer([{ key: k, version: 30, value: 'v30' }], 60);
        expect(await store.get(k)).toBe('{"v":30,"d":"v30"}');
      });
    });

    it('answers set membership in the order asked', async () => {
      const k = key('set');
      expect(await store.hasMembers(k, ['a', 'b'])).toEqual([false, false]);
      await store.addMembers(k, ['a', 'c'], 60);
      await store.addMembers(k, ['c', 'd'], 60);
      expect(await store.hasMembers(k, ['d', 'b', 'a', 'c'])).toEqual([true, false, true, true]);
      expect(await store.hasMembers(k, [])).toEqual([]);
    });

    describe('leaky bucket', () => {
      const bucket = { capacity: 10, leakPerSecond: 10 };

      it('admits takes up to its capacity, refuses the rest without charging them, and says how long to wait', async () => {
        const k = key('bucket');
        const first = await store.takeFromBucket(k, bucket, 6);
        expect(first).toMatchObject({ admitted: true, waitMs: 0 });
        expect(first.level).toBeCloseTo(6, 0);
        expect((await store.takeFromBucket(k, bucket, 4)).admitted).toBe(true);
        const refused = await store.takeFromBucket(k, bucket, 3);
        expect(refused.admitted).toBe(false);
        // About 10 in the bucket, 3 more need about 0.3 s of leaking at 10/s.
        expect(refused.level).toBeGreaterThan(9);
        expect(refused.level).toBeLessThanOrEqual(10);
        expect(refused.waitMs).toBeGreaterThan(100);
        expect(refused.waitMs).toBeLessThanOrEqual(300);
        // A refused take added nothing: after the wait it fits.
        await sleep(refused.waitMs + 50);
        const later = await store.takeFromBucket(k, bucket, 3);
        expect(later.admitted).toBe(true);
        expect(later.level).toBeLessThanOrEqual(10);
        // A cost above the capacity never fits.
        expect((await store.takeFromBucket(key('bucket'), bucket, 11)).admitted).toBe(false);
      });

      it('leaks at its rate and empties', async () => {
        const k = key('leak');
        await store.takeFromBucket(k, bucket, 10);
        await sleep(500);
        // About 5 leaked: 5 fits, 6 more would not.
        const half = await store.takeFromBucket(k, bucket, 1);
        expect(half.level).toBeGreaterThan(4.5);
        expect(half.level).toBeLessThan(7);
        await sleep(1200);
        const empty = await store.takeFromBucket(k, bucket, 10);
        expect(empty).toMatchObject({ admitted: true, level: 10 });
      });
    });

    describe('rate limiter', () => {
      it('consumes points, refuses past them until rewarded, blocks and deletes', async () => {
        const limiter = store.rateLimiter({
          keyPrefix: `${options.prefix}:rl:${newId()}`,
          points: 3,
          duration: 5,
        });
        const k = 'caller';
        expect((await limiter.consume(k, 1)).consumedPoints).toBe(1);
        await limiter.consume(k, 1);
        expect((await limiter.consume(k, 1)).remainingPoints).toBe(0);
        const over = await rejection(() => limiter.consume(k, 1));
        expect(over).toBeInstanceOf(RateLimiterRes);
        expect((over as RateLimiterRes).msBeforeNext).toBeGreaterThan(0);
        expect((over as RateLimiterRes).msBeforeNext).toBeLessThanOrEqual(5000);
        // Over the points the count went on (4); two back make room for one.
        await limiter.reward(k, 2);
        expect((await limiter.consume(k, 1)).consumedPoints).toBe(3);

        await limiter.block(k, 60);
        const blocked = await rejection(() => limiter.consume(k, 1));
        expect((blocked as RateLimiterRes).msBeforeNext).toBeGreaterThan(5000);
        await limiter.delete(k);
        expect((await limiter.consume(k, 1)).consumedPoints).toBe(1);
      });

      it('shares counts between limiters asked for with the same options, and forgets them after the window', async () => {
        const settings = { keyPrefix: `${options.prefix}:rl:${newId()}`, points: 2, duration: 1 };
        const a = store.rateLimiter(settings);
        const b = store.rateLimiter({ ...settings });
        await a.consume('caller', 2);
        expect(await rejection(() => b.consume('caller', 1))).toBeInstanceOf(RateLimiterRes);
        await sleep(1100);
        expect((await b.consume('caller', 1)).consumedPoints).toBe(1);
      });
    });
  });
}
