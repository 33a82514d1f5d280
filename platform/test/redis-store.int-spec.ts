import { newId } from '@marketplace/shared-kernel';
import { RedisStore, loadConfig } from '@marketplace/platform';
import { keyValueStoreContract } from './kv-store.contract.js';

// Against the dev Redis (REDIS_URL, 127.0.0.1:6379), under a prefix of this run's own.
const prefix = `test-kv-${newId()}`;

keyValueStoreContract('RedisStore', () => RedisStore.connect(loadConfig().redisUrl), {
  prefix,
  cleanUp: async (store) => {
    const { client } = store as RedisStore;
    const keys = await client.keys(`${prefix}:*`);
    if (keys.length > 0) await client.del(...keys);
  },
});
