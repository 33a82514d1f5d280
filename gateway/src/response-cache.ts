import type { ApolloServerPlugin, BaseContext, GraphQLRequestContext } from '@apollo/server';
import ApolloServerPluginResponseCache from '@apollo/server-plugin-response-cache';
import type { KeyValueCache, KeyValueCacheSetOptions } from '@apollo/utils.keyvaluecache';
import type { KeyValueStore, Logger } from '@marketplace/platform';

/**
 * Apollo's KeyValueCache over the gateway's KeyValueStore (Redis, or memory when embedded).
 * Written here rather than taken from @apollo/utils.keyvadapter + @keyv/redis: that pair pins
 * keyv 5 and brings a second Redis client library, where the rest of the stack speaks ioredis.
 * Fails open: a store error or timeout is a cache miss, never a failed request.
 */
export class StoreKeyValueCache implements KeyValueCache<string> {
  constructor(
    private readonly store: KeyValueStore,
    private readonly prefix: string,
    private readonly logger?: Logger,
  ) {}

  async get(key: string): Promise<string | undefined> {
    try {
      return (await this.store.get(this.prefix + key)) ?? undefined;
    } catch (error) {
      this.logger?.warn({ err: error }, 'response cache read failed; answering uncached');
      return undefined;
    }
  }

  async set(key: string, value: string, options?: KeyValueCacheSetOptions): Promise<void> {
    // Only entries with a positive lifetime are kept: the plugin never asks for eternal ones.
    const ttl = options?.ttl;
    if (!ttl || ttl <= 0) return;
    await this.store.set(this.prefix + key, value, Math.ceil(ttl));
  }

  async delete(key: string): Promise<boolean> {
    return this.store.delete(this.prefix + key);
  }
}

/** Whether the whole-response cache runs: RESPONSE_CACHE=on|off, on by default except under NODE_ENV=test. */
export function responseCacheEnabled(env: NodeJS.ProcessEnv): boolean {
  const raw = env.RESPONSE_CACHE ?? (env.NODE_ENV === 'test' ? 'off' : 'on');
  if (raw !== 'on' && raw !== 'off') throw new Error(`RESPONSE_CACHE must be on or off, got "${raw}"`);
  return raw === 'on';
}

const anonymous = (ctx: GraphQLRequestContext<BaseContext>) =>
  !ctx.request.http?.headers.get('authorization');

/**
 * Marks a response to a request with an Authorization header private, so that its
 * Cache-Control never says `public` and no shared HTTP cache keeps it. Needed with or without
 * the response cache: Apollo derives Cache-Control from the subgraphs' hints either way.
 */
export function markSignedInPrivate<TContext extends BaseContext>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart(ctx) {
      if (!anonymous(ctx)) ctx.overallCachePolicy.restrict({ scope: 'PRIVATE' });
    },
  };
}

/**
 * Caches whole responses of anonymous queries whose every part the subgraphs marked PUBLIC
 * with a positive max age (their Cache-Control headers, from @cacheControl hints); the entry
 * lives for the smallest max age involved. Never cached: mutations, anything sent with an
 * Authorization header, PRIVATE or unhinted (max age 0) data, responses with errors.
 * Install markSignedInPrivate too (the gateway does, whether or not this cache runs).
 */
export function responseCachePlugins<TContext extends BaseContext>(
  store: KeyValueStore,
  env: NodeJS.ProcessEnv,
  logger?: Logger,
): ApolloServerPlugin<TContext>[] {
  // Per deployment, like the budgets: two stacks on one store must not answer from each other's data.
  const suffix = env.CONSUMER_GROUP_SUFFIX ? `:${env.CONSUMER_GROUP_SUFFIX}` : '';
  const prefix = env.GATEWAY_RESPONSE_CACHE_PREFIX ?? `gateway:response${suffix}`;
  const cache = ApolloServerPluginResponseCache({
    cache: new StoreKeyValueCache(store, `${prefix}:`, logger),
    shouldReadFromCache: async (ctx) => anonymous(ctx),
    shouldWriteToCache: async (ctx) =>
      anonymous(ctx) && ctx.overallCachePolicy.policyIfCacheable()?.scope === 'PUBLIC',
  }) as ApolloServerPlugin<TContext>;
  return [cache];
}
