import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { newId } from '@marketplace/shared-kernel';
import { RedisStore, VersionedCache, loadConfig } from '@marketplace/platform';

interface View {
  id: string;
  name: string;
  version: number;
}

describe('VersionedCache on Redis (versioned read-through)', () => {
  let store: RedisStore;
  let cache: VersionedCache<View>;
  const namespace = `test-cache-${newId()}`;

  beforeAll(async () => {
    store = await RedisStore.connect(loadConfig().redisUrl);
    cache = new VersionedCache<View>(store, namespace, { ttlSeconds: 60, versionOf: (v) => v.version });
  });

  afterAll(async () => {
    const keys = await store.client.keys(`${namespace}:*`);
    if (keys.length > 0) await store.client.del(...keys);
    await store.close();
  });

  const loaderOf = (views: View[]) => {
    const calls: string[][] = [];
    const load = async (missing: string[]) => {
      calls.push(missing);
      return new Map(views.filter((v) => missing.includes(v.id)).map((v) => [v.id, v]));
    };
    return { calls, load };
  };

  it('loads only the missing ids, in one call, and keeps the order asked', async () => {
    const a = { id: newId(), name: 'a', version: 1 };
    const b = { id: newId(), name: 'b', version: 1 };
    const first = loaderOf([a]);
    expect(await cache.getMany([a.id], first.load)).toEqual([a]);

    const second = loaderOf([a, b]);
    const missingId = newId();
    expect(await cache.getMany([b.id, missingId, a.id], second.load)).toEqual([b, null, a]);
    expect(second.calls).toEqual([[b.id, missingId]]);
  });

  it('refuses to put back a value that an invalidation already declared stale', async () => {
    const id = newId();
    // A reader loaded version 1; meanwhile version 2 committed and its invalidation ran first.
    await cache.invalidate(id, 2);
    const stale = loaderOf([{ id, name: 'old', version: 1 }]);
    await cache.getMany([id], stale.load);

    const fresh = loaderOf([{ id, name: 'new', version: 2 }]);
    expect(await cache.getMany([id], fresh.load)).toEqual([{ id, name: 'new', version: 2 }]);
    expect(fresh.calls).toHaveLength(1);
    // Version 2 is now cached.
    const none = loaderOf([]);
    expect(await cache.getMany([id], none.load)).toEqual([{ id, name: 'new', version: 2 }]);
    expect(none.calls).toHaveLength(0);
  });

  it('keeps a cached value when a late invalidation of an older version arrives', async () => {
    const id = newId();
    await cache.getMany([id], loaderOf([{ id, name: 'v3', version: 3 }]).load);
    await cache.invalidate(id, 2);
    await cache.invalidate(id, 3);
    const none = loaderOf([]);
    expect(await cache.getMany([id], none.load)).toEqual([{ id, name: 'v3', version: 3 }]);

    await cache.invalidate(id, 4);
    const reload = loaderOf([{ id, name: 'v4', version: 4 }]);
    expect(await cache.getMany([id], reload.load)).toEqual([{ id, name: 'v4', version: 4 }]);
    expect(reload.calls).toEqual([[id]]);
  });
});
