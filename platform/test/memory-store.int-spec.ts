import { describe, expect, it } from '@jest/globals';
import { MemoryStore } from '@marketplace/platform';
import { keyValueStoreContract } from './kv-store.contract.js';

keyValueStoreContract('MemoryStore', async () => new MemoryStore(), { prefix: 'test-kv' });

describe('MemoryStore bounds', () => {
  it('drops the least recently used key past its size', async () => {
    const store = new MemoryStore({ maxKeys: 2 });
    await store.set('a', '1', 60);
    await store.set('b', '2', 60);
    await store.get('a');
    await store.set('c', '3', 60);
    expect(await store.getMany(['a', 'b', 'c'])).toEqual(['1', null, '3']);
  });

  it('refuses limiters of one prefix with different settings, which Redis would count together', () => {
    const store = new MemoryStore();
    store.rateLimiter({ keyPrefix: 'p', points: 1, duration: 1 });
    expect(() => store.rateLimiter({ keyPrefix: 'p', points: 2, duration: 1 })).toThrow(/other points/);
  });
});
