import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { composeServices } from '@apollo/composition';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { Redis } from 'ioredis';
import {
  createLogger,
  loadConfig,
  signAccessToken,
  startHttpServer,
  subgraphCacheControlPlugins,
  type RunningServer,
} from '@marketplace/platform';
import { waitFor } from '@marketplace/platform/testing';
import { startGateway, type RunningGateway } from '../src/gateway.js';

const GATEWAY_SECRET = 'test-gateway-secret';
const JWT_SECRET = 'response-cache-test-jwt-secret-0123456789';
const CACHE_HINTS = `
  enum CacheControlScope { PUBLIC PRIVATE }
  directive @cacheControl(maxAge: Int, scope: CacheControlScope, inheritMaxAge: Boolean) on FIELD_DEFINITION | OBJECT | INTERFACE | UNION
`;

/** A catalog subgraph: public items (60 s), a short-lived one (1 s), private notes and unhinted drafts. */
const catalogSdl = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  ${CACHE_HINTS}
  type Item @key(fields: "id") @cacheControl(maxAge: 60) {
    id: ID!
    name: String!
  }
  type Note @cacheControl(maxAge: 60, scope: PRIVATE) { text: String! }
  type Draft { id: ID! }
  type Query {
    item(id: ID!): Item
    flashItem(id: ID!): Item @cacheControl(maxAge: 1)
    myNote: Note
    draft(id: ID!): Draft
  }
  type Mutation { renameItem(id: ID!, name: String!): Item }
`);

/** A stock subgraph extending Item through `_entities`, its hints from the platform's plugins. */
const stockSdl = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  ${CACHE_HINTS}
  type Item @key(fields: "id") @cacheControl(maxAge: 5) {
    id: ID!
    available: Int!
  }
`);

/** Resolver runs per subgraph: a cached answer runs none. */
const runs = { catalog: 0, stock: 0 };

async function serve(sdl: ReturnType<typeof parse>, resolvers: object): Promise<RunningServer> {
  const apollo = new ApolloServer({
    schema: buildSubgraphSchema({ typeDefs: sdl, resolvers: resolvers as never }),
    plugins: [...subgraphCacheControlPlugins(), ApolloServerPluginInlineTraceDisabled()],
  });
  return startHttpServer({ port: 0, apollo, context: async () => ({}) });
}

describe('gateway response cache', () => {
  const subgraphs: RunningServer[] = [];
  let gateway: RunningGateway;
  /** The same stack with RESPONSE_CACHE=off: HTTP Cache-Control headers only. */
  let uncached: RunningGateway;
  let redis: Redis;
  // This run's own cache keys, so that assertions on Redis see no other run's or suite's entries.
  const cachePrefix = `gateway-cache-int:response:${randomUUID()}`;
  // Ids unique to this run keep its cache entries apart from any earlier run's.
  const id = () => `${randomUUID()}`;

  beforeAll(async () => {
    const item = (itemId: string) => {
      runs.catalog += 1;
      return { id: itemId, name: `Item ${itemId}` };
    };
    const catalog = await serve(catalogSdl, {
      Query: {
        item: (_: unknown, { id }: { id: string }) => item(id),
        flashItem: (_: unknown, { id }: { id: string }) => item(id),
        myNote: () => (runs.catalog++, { text: 'mine' }),
        draft: (_: unknown, { id }: { id: string }) => (runs.catalog++, { id }),
      },
      Mutation: { renameItem: (_: unknown, { id }: { id: string }) => item(id) },
      Item: { __resolveReference: ({ id }: { id: string }) => item(id) },
    });
    const stock = await serve(stockSdl, {
      Item: { __resolveReference: ({ id }: { id: string }) => (runs.stock++, { id, available: 3 }) },
    });
    subgraphs.push(catalog, stock);
    const composed = composeServices([
      { name: 'catalog', typeDefs: catalogSdl, url: catalog.url },
      { name: 'stock', typeDefs: stockSdl, url: stock.url },
    ]);
    if (composed.errors) throw new Error(composed.errors.map((e) => e.message).join('\n'));
    const logger = createLogger('gateway');
    logger.level = process.env.CACHE_TEST_LOG ?? 'silent';
    const start = (responseCache: 'on' | 'off') =>
      startGateway({
        port: 0,
        supergraphSdl: composed.supergraphSdl,
        env: {
          ...process.env,
          RESPONSE_CACHE: responseCache,
          GATEWAY_RESPONSE_CACHE_PREFIX: cachePrefix,
          GATEWAY_SHARED_SECRET: GATEWAY_SECRET,
          AUTH_JWT_SECRET: JWT_SECRET,
          GATEWAY_BUDGET_PREFIX: `gateway-cache-int:${randomUUID()}`,
        },
        logger,
      });
    gateway = await start('on');
    uncached = await start('off');
    redis = new Redis(loadConfig().redisUrl);
  });

  afterAll(async () => {
    await gateway?.stop();
    await uncached?.stop();
    await Promise.all(subgraphs.map((s) => s.close()));
    redis?.disconnect();
  });

  const post = async (
    query: string,
    variables: object,
    headers: Record<string, string> = {},
    target = () => gateway,
  ) => {
    const before = { ...runs };
    const response = await fetch(target().url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: unknown; errors?: unknown[] };
    return {
      body,
      cacheControl: response.headers.get('cache-control'),
      /** Whether any subgraph resolver ran for this request. */
      calledSubgraphs: runs.catalog !== before.catalog || runs.stock !== before.stock,
    };
  };
  const ITEM = 'query Item($id: ID!) { item(id: $id) { id name available } }';

  it('serves a public anonymous query from the cache the second time, across subgraphs', async () => {
    const variables = { id: id() };
    const first = await post(ITEM, variables);
    expect(first.body.data).toEqual({
      item: { id: variables.id, name: `Item ${variables.id}`, available: 3 },
    });
    expect(first.calledSubgraphs).toBe(true);
    // The strictest hint of the two subgraphs (stock's 5 s) governs the whole response.
    expect(first.cacheControl).toBe('max-age=5, public');

    const second = await post(ITEM, variables);
    expect(second.body.data).toEqual(first.body.data);
    expect(second.calledSubgraphs).toBe(false);
  });

  it('never serves or stores a response for a caller with a token', async () => {
    const token = await signAccessToken({ userId: randomUUID(), role: 'buyer', sellerId: null }, JWT_SECRET);
    const variables = { id: id() };
    const headers = { authorization: `Bearer ${token}` };
    expect((await post(ITEM, variables, headers)).calledSubgraphs).toBe(true);
    const again = await post(ITEM, variables, headers);
    expect(again.calledSubgraphs).toBe(true);
    expect(again.cacheControl).toBe('max-age=5, private');
    // Nor did the signed-in answers fill the cache for anonymous callers.
    expect((await post(ITEM, variables)).calledSubgraphs).toBe(true);
  });

  it('never caches private, unhinted or mutation responses', async () => {
    for (const [query, variables] of [
      ['{ myNote { text } }', {}],
      ['query D($id: ID!) { draft(id: $id) { id } }', { id: id() }],
      ['mutation R($id: ID!) { renameItem(id: $id, name: "x") { id name } }', { id: id() }],
    ] as const) {
      expect((await post(query, variables)).calledSubgraphs).toBe(true);
      expect((await post(query, variables)).calledSubgraphs).toBe(true);
    }
  });

  it('lets entries expire after their max age', async () => {
    const query = 'query Flash($id: ID!) { flashItem(id: $id) { id name } }';
    const variables = { id: id() };
    expect((await post(query, variables)).calledSubgraphs).toBe(true);
    // Stored: the immediate repeat is a hit (else the expiry below would prove nothing).
    expect((await post(query, variables)).calledSubgraphs).toBe(false);
    const keys = await redis.keys(`${cachePrefix}:*`);
    const ttls = await Promise.all(keys.map((k) => redis.ttl(k)));
    // Redis holds no entry without an expiry.
    expect(ttls.length).toBeGreaterThan(0);
    expect(ttls.every((ttl) => ttl > 0)).toBe(true);
    // Once the 1 s entry has expired, the subgraph answers again.
    await waitFor(async () => (await post(query, variables)).calledSubgraphs, 10_000, 250);
  });

  it('with the cache off too, never marks a signed-in response public', async () => {
    const token = await signAccessToken({ userId: randomUUID(), role: 'buyer', sellerId: null }, JWT_SECRET);
    const variables = { id: id() };

    const anonymous = await post(ITEM, variables, {}, () => uncached);
    const signedIn = await post(ITEM, variables, { authorization: `Bearer ${token}` }, () => uncached);

    // The same public hints: only the Authorization header tells the two apart.
    expect(anonymous.cacheControl).toBe('max-age=5, public');
    expect(signedIn.body.data).toEqual(anonymous.body.data);
    expect(signedIn.cacheControl).toBe('max-age=5, private');
    // Nothing was cached: the second request called the subgraphs too.
    expect(signedIn.calledSubgraphs).toBe(true);
  });
});
