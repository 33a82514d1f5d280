import type { IncomingHttpHeaders } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { composeServices } from '@apollo/composition';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { getIntrospectionQuery, parse } from 'graphql';
import {
  cameThroughGateway,
  createLogger,
  HttpError,
  MemoryStore,
  signAccessToken,
  sendJson,
  startHttpServer,
  type RunningServer,
} from '@marketplace/platform';
import { startGateway, type RunningGateway } from '../src/gateway.js';

const GATEWAY_SECRET = 'test-gateway-secret';
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

const widgetsSdl = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])

  type Widget @key(fields: "id") {
    id: ID!
    name: String!
    child: Widget
  }

  type Query {
    widget(id: ID!): Widget
    brokenWidget: Widget
    slowWidget: Widget
  }

  type Mutation {
    renameWidget(id: ID!, name: String!): Widget
  }
`);

/** What the real subgraph saw: every HTTP request's headers and every resolver run. */
const seen = { requests: [] as IncomingHttpHeaders[], resolverRuns: 0 };
const widget = (id: string) => {
  seen.resolverRuns += 1;
  return { id, name: `Widget ${id}` };
};

/**
 * A real (if tiny) subgraph on the platform's HTTP server: it refuses calls without the
 * gateway secret, like the real ones, and leaks stack traces so the gateway must mask them.
 */
async function startWidgetsSubgraph(port = 0): Promise<RunningServer> {
  const apollo = new ApolloServer({
    schema: buildSubgraphSchema({
      typeDefs: widgetsSdl,
      resolvers: {
        Query: {
          widget: (_: unknown, { id }: { id: string }) => widget(id),
          brokenWidget: () => {
            seen.resolverRuns += 1;
            throw new Error('connection to db-primary:5432 refused');
          },
          slowWidget: async () => {
            await new Promise((resolve) => setTimeout(resolve, 2_000).unref());
            return widget('slow');
          },
        },
        Mutation: { renameWidget: (_: unknown, { id }: { id: string }) => widget(id) },
        Widget: {
          child: ({ id }: { id: string }) => widget(`${id}.child`),
          __resolveReference: ({ id }: { id: string }) => widget(id),
        },
      },
    }),
    includeStacktraceInErrorResponses: true,
    plugins: [ApolloServerPluginInlineTraceDisabled()],
  });
  return startHttpServer({
    port,
    apollo,
    guard: (req) => {
      if (!cameThroughGateway(req, GATEWAY_SECRET))
        throw new HttpError(403, 'GATEWAY.REQUIRED', 'Gateway only');
    },
    context: async (req) => {
      seen.requests.push(req.headers);
      return {};
    },
    routes: { '/health': (_req, res) => sendJson(res, 200, { status: 'ok' }) },
  });
}

describe('gateway', () => {
  let subgraph: RunningServer;
  let gateway: RunningGateway;
  let production: RunningGateway;
  let tight: RunningGateway;
  let redisless: RunningGateway;
  /** Budgets in a store the caller passed (the embedded profile's way), with Redis unreachable. */
  let inMemory: RunningGateway;
  const memoryStore = new MemoryStore();
  const PRODUCTION_JWT_SECRET = 'a-production-grade-jwt-secret-0123456789';
  const productionLogger = createLogger('gateway');

  beforeAll(async () => {
    subgraph = await startWidgetsSubgraph();
    // The composed routing URL points nowhere: the gateway must use the override.
    const composed = composeServices([
      { name: 'widgets', typeDefs: widgetsSdl, url: 'http://127.0.0.1:9/graphql' },
    ]);
    if (composed.errors) throw new Error(composed.errors.map((e) => e.message).join('\n'));
    const logger = createLogger('gateway');
    logger.level = process.env.LOG_LEVEL ?? 'silent';
    productionLogger.level = logger.level;
    const start = (env: NodeJS.ProcessEnv, store?: MemoryStore, log = logger) =>
      startGateway({
        port: 0,
        supergraphSdl: composed.supergraphSdl,
        subgraphUrls: { widgets: subgraph.url },
        env: {
          ...env,
          GATEWAY_SHARED_SECRET: GATEWAY_SECRET,
          SUBGRAPH_TIMEOUT_MS: '300',
          GATEWAY_BUDGET_PREFIX: `gateway-int:${randomUUID()}`,
        },
        logger: log,
        ...(store ? { store } : {}),
      });
    // The caller is trusted to continue its own trace here (the other gateways do not).
    gateway = await start({ NODE_ENV: 'test', GATEWAY_TRUST_TRACEPARENT: 'true' });
    production = await start(
      { NODE_ENV: 'production', AUTH_JWT_SECRET: PRODUCTION_JWT_SECRET },
      undefined,
      productionLogger,
    );
    tight = await start({
      NODE_ENV: 'test',
      GATEWAY_BUDGET_ANONYMOUS_CAPACITY: '5',
      GATEWAY_BUDGET_ANONYMOUS_LEAK_PER_SECOND: '1',
    });
    redisless = await start({ NODE_ENV: 'test', REDIS_URL: 'redis://127.0.0.1:9' });
    inMemory = await start(
      {
        NODE_ENV: 'test',
        REDIS_URL: 'redis://127.0.0.1:9',
        GATEWAY_BUDGET_ANONYMOUS_CAPACITY: '5',
        GATEWAY_BUDGET_ANONYMOUS_LEAK_PER_SECOND: '1',
      },
      memoryStore,
    );
  });

  afterAll(async () => {
    await gateway?.stop();
    await production?.stop();
    await tight?.stop();
    await redisless?.stop();
    await inMemory?.stop();
    await memoryStore.close();
    await subgraph?.close();
  });

  beforeEach(() => {
    seen.requests = [];
    seen.resolverRuns = 0;
  });

  const post = async (body: unknown, headers: Record<string, string> = {}, target = gateway) => {
    const response = await fetch(target.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, json: JSON.parse(text) };
  };
  const messages = (response: { json: { errors?: { message: string }[] } }) =>
    (response.json.errors ?? []).map((e) => e.message);

  it('answers through the subgraph, forwarding the token, trace and correlation id with the gateway secret', async () => {
    const response = await post(
      { query: '{ widget(id: "1") { id name child { id } } }' },
      { authorization: 'Bearer caller-token', 'x-correlation-id': 'req-123.abc_X', traceparent: TRACEPARENT },
    );

    expect(response.json).toEqual({
      data: { widget: { id: '1', name: 'Widget 1', child: { id: '1.child' } } },
      // widget and child are objects (1 each); scalars are free.
      extensions: { cost: expect.objectContaining({ requested: 2, maximum: 5000 }) },
    });
    expect(response.headers.get('x-correlation-id')).toBe('req-123.abc_X');
    expect(seen.requests).toHaveLength(1);
    expect(seen.requests[0]).toMatchObject({
      authorization: 'Bearer caller-token',
      'x-correlation-id': 'req-123.abc_X',
      'x-gateway-secret': GATEWAY_SECRET,
      traceparent: TRACEPARENT,
    });
  });

  it("does not continue an untrusted caller's trace context", async () => {
    const response = await post(
      { query: '{ widget(id: "1") { id } }' },
      { traceparent: TRACEPARENT },
      redisless,
    );
    expect(response.status).toBe(200);
    expect(seen.requests).toHaveLength(1);
    // Without an exporter nothing is recorded, so no trace reaches the subgraph at all; with one,
    // a new trace would. Either way not the caller's.
    expect(seen.requests[0]?.traceparent).not.toBe(TRACEPARENT);
    expect(seen.requests[0]?.traceparent ?? '').not.toContain(TRACEPARENT.split('-')[1]);
  });

  it('replaces a correlation id that is not safe to log with a new one', async () => {
    const response = await post(
      { query: '{ widget(id: "1") { id } }' },
      { 'x-correlation-id': 'x'.repeat(129) },
    );

    const correlationId = response.headers.get('x-correlation-id');
    expect(correlationId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(seen.requests[0]?.['x-correlation-id']).toBe(correlationId);
  });

  it('refuses depth, alias and token bombs before any subgraph is called', async () => {
    const depthBomb = `{ widget(id: "1") { ${'child { '.repeat(19)}id${' }'.repeat(19)} } }`;
    const aliasBomb = `{ ${Array.from({ length: 50 }, (_, i) => `w${i}: widget(id: "${i}") { id }`).join(' ')} }`;
    const tokenBomb = `{ widget(id: "1") { ${'id '.repeat(2_100)}} }`;

    const deep = await post({ query: depthBomb });
    const aliased = await post({ query: aliasBomb });
    const long = await post({ query: tokenBomb }, { 'x-correlation-id': 'corr-long' });

    expect(deep.status).toBe(400);
    expect(deep.json.data).toBeUndefined();
    // Every limit is checked, so the exponential depth cost is reported too.
    expect(messages(deep)).toContainEqual(expect.stringMatching(/depth limit of 12 exceeded/i));
    expect(aliased.status).toBe(400);
    expect(messages(aliased)).toEqual([expect.stringMatching(/aliases limit of 15 exceeded/i)]);
    expect(long.status).toBe(400);
    expect(long.json.errors[0]).toMatchObject({
      message: expect.stringMatching(/2000 tokens/),
      extensions: { code: 'GRAPHQL_PARSE_FAILED', correlationId: 'corr-long' },
    });
    expect(seen.requests).toHaveLength(0);
    expect(seen.resolverRuns).toBe(0);
  });

  it("refuses introspection nested beyond its depth limit, and answers the explorer's introspection query", async () => {
    const nested = `{ __schema { types { fields { type { ${'ofType { '.repeat(40)}name${' }'.repeat(40)} } } } } }`;
    // What the explorer (GraphiQL with its defaults) sends to load the schema.
    const explorer = getIntrospectionQuery({ inputValueDeprecation: false, schemaDescription: false });

    const deep = await post({ query: nested });
    const schema = await post({ query: explorer, operationName: 'IntrospectionQuery' });

    expect(deep.status).toBe(400);
    expect(deep.json.data).toBeUndefined();
    expect(messages(deep)).toEqual([
      expect.stringMatching(/^Introspection depth limit of 16 exceeded, found 45/),
    ]);
    expect(schema.status).toBe(200);
    expect(schema.json.errors).toBeUndefined();
    expect(schema.json.data.__schema.queryType).toMatchObject({ name: 'Query' });
    expect(seen.requests).toHaveLength(0);
  });

  it('refuses field-count bombs and operations over the cost maximum before any subgraph is called', async () => {
    // 3 fields x 10 x 10 x 10 spreads: 3000 fields from about 100 tokens, within depth and aliases.
    const fieldBomb = `{ widget(id: "1") { ...D } }
      fragment A on Widget { id name child { id } }
      fragment B on Widget { ${'...A '.repeat(10)} }
      fragment C on Widget { ${'...B '.repeat(10)} }
      fragment D on Widget { ${'...C '.repeat(10)} }`;
    // Each level is an object (1); 11 levels of child stay within the depth limit.
    const costly = `{ ${Array.from({ length: 15 }, (_, i) => `w${i}: widget(id: "${i}") { ${'child { '.repeat(10)}id${' }'.repeat(10)} }`).join(' ')} }`;

    const fields = await post({ query: fieldBomb });
    const cost = await post({ query: costly }, {}, tight);

    expect(fields.status).toBe(400);
    expect(messages(fields)).toEqual([expect.stringMatching(/Field limit of 500 exceeded/)]);
    expect(cost.status).toBe(400);
    expect(cost.json.errors[0]).toMatchObject({
      message: 'Operation cost 165 exceeds the maximum of 5.',
      extensions: { code: 'QUERY_TOO_COMPLEX' },
    });
    // The maximum is the smaller of GATEWAY_MAX_COST and the caller's bucket.
    expect(cost.json.extensions).toEqual({ cost: { requested: 165, maximum: 5 } });
    expect(seen.requests).toHaveLength(0);
  });

  it('answers variables that do not fit the operation with 400 BAD_USER_INPUT, calling nothing', async () => {
    const query = 'query Q($id: ID!) { widget(id: $id) { id } }';
    const wrongType = await post({ query, variables: { id: { nested: true } } });
    const missing = await post({ query, variables: {} });

    for (const [response, problem] of [
      [wrongType, /^Variable "\$id" got invalid value/],
      [missing, /^Variable "\$id" of required type "ID!" was not provided/],
    ] as const) {
      expect(response.status).toBe(400);
      expect(response.json.data).toBeUndefined();
      expect(response.json.errors).toEqual([
        expect.objectContaining({
          message: expect.stringMatching(problem),
          extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }),
        }),
      ]);
    }
    expect(seen.requests).toHaveLength(0);
  });

  it('charges a leaky bucket per caller and answers 429 with a retry hint once it is used up', async () => {
    const query = { query: '{ widget(id: "1") { id child { id } } }' }; // costs 2
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await post(query, {}, tight));

    expect(answers.map((a) => a.status)).toEqual([200, 200, 429]);
    expect(answers[0]!.json.extensions.cost).toEqual({
      requested: 2,
      maximum: 5,
      budget: { capacity: 5, remaining: 3, refillPerSecond: 1 },
    });
    const refused = answers[2]!;
    expect(refused.json.errors).toEqual([
      {
        message: expect.stringMatching(/^Cost budget used up: retry after [12] s\.$/),
        extensions: { code: 'RATE_LIMITED', correlationId: expect.any(String) },
      },
    ]);
    expect(Number(refused.headers.get('retry-after'))).toBe(
      refused.json.extensions.cost.budget.retryAfterSeconds,
    );
    // Two admitted operations called the subgraph; the refused one did not.
    expect(seen.requests).toHaveLength(2);
  });

  it('charges budgets in a store passed by the caller, not in Redis', async () => {
    const query = { query: '{ widget(id: "1") { id child { id } } }' }; // costs 2
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await post(query, {}, inMemory));

    expect(answers.map((a) => a.status)).toEqual([200, 200, 429]);
    expect(answers[1]!.json.extensions.cost.budget).toEqual({
      capacity: 5,
      remaining: 1,
      refillPerSecond: 1,
    });
    expect(answers[2]!.json.errors[0].extensions.code).toBe('RATE_LIMITED');
    expect(seen.requests).toHaveLength(2);
  });

  it('admits operations unmetered (fail open) while Redis is unreachable', async () => {
    const response = await post({ query: '{ widget(id: "1") { id } }' }, {}, redisless);

    expect(response.status).toBe(200);
    expect(response.json).toEqual({
      data: { widget: { id: '1' } },
      extensions: { cost: { requested: 1, maximum: 5000 } },
    });
  });

  it('refuses mutations that a browser could send cross-site, and batched requests', async () => {
    const mutation = encodeURIComponent('mutation { renameWidget(id: "1", name: "pwned") { id } }');
    const simpleGet = await fetch(`${gateway.url}?query=${mutation}`);
    const preflightedGet = await fetch(`${gateway.url}?query=${mutation}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });
    const textPlain = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ query: decodeURIComponent(mutation) }),
    });
    const batch = await post([
      { query: '{ widget(id: "1") { id } }' },
      { query: '{ widget(id: "2") { id } }' },
    ]);

    expect(simpleGet.status).toBe(400);
    expect(await simpleGet.text()).toMatch(/CSRF/);
    expect(preflightedGet.status).toBe(405);
    expect(textPlain.status).toBe(400);
    expect(await textPlain.text()).toMatch(/CSRF/);
    expect(batch.status).toBe(400);
    expect(seen.requests).toHaveLength(0);
    expect(seen.resolverRuns).toBe(0);
  });

  it('masks an unexpected subgraph error but keeps its code and the correlation id', async () => {
    const response = await post({ query: '{ brokenWidget { id } }' }, { 'x-correlation-id': 'corr-broken' });

    expect(seen.resolverRuns).toBe(1);
    expect(response.json.errors).toEqual([
      {
        message: 'Internal server error',
        path: ['brokenWidget'],
        extensions: { code: 'INTERNAL_SERVER_ERROR', correlationId: 'corr-broken', serviceName: 'widgets' },
      },
    ]);
    expect(response.text).not.toMatch(/stacktrace|db-primary/);
  });

  it.each([
    ['development', () => gateway],
    ['production', () => production],
  ])('gives up on a subgraph that answers slower than SUBGRAPH_TIMEOUT_MS (%s)', async (_mode, target) => {
    const started = Date.now();
    const response = await post({ query: '{ slowWidget { id } }' }, {}, target());

    expect(Date.now() - started).toBeLessThan(1_500);
    expect(response.status).toBe(200);
    expect(response.json.data).toEqual({ slowWidget: null });
    // Typed and retryable (subgraph-unavailable.int-spec.ts covers refused connections and 5xx).
    expect(response.json.errors[0]).toMatchObject({
      extensions: { code: 'SERVICE_UNAVAILABLE', retryable: true },
    });
    expect(response.text).not.toMatch(/did not answer within|127\.0\.0\.1/);
  });

  it('in production, offers no schema discovery: no introspection, suggestions or explorer', async () => {
    const introspection = await post({ query: '{ __schema { types { name } } }' }, {}, production);
    const typo = await post({ query: '{ widgit(id: "1") { id } }' }, {}, production);
    const explorer = await fetch(new URL('/explorer', production.url));

    expect(introspection.status).toBe(400);
    expect(messages(introspection)).toEqual([expect.stringMatching(/introspection is not allowed/)]);
    expect(messages(typo)).toEqual([expect.stringMatching(/Cannot query field "widgit"/)]);
    expect(typo.text).not.toMatch(/Did you mean/);
    expect(explorer.status).toBe(404);
    expect(seen.requests).toHaveLength(0);
  });

  it('in production, lets a verified admin introspect, and masks a subgraph failure without a stack', async () => {
    const admin = await signAccessToken(
      { userId: 'admin-1', role: 'admin', sellerId: null },
      PRODUCTION_JWT_SECRET,
    );
    const buyer = await signAccessToken(
      { userId: 'buyer-1', role: 'buyer', sellerId: null },
      PRODUCTION_JWT_SECRET,
    );
    const query = { query: '{ __schema { queryType { name } } }' };

    const asAdmin = await post(query, { authorization: `Bearer ${admin}` }, production);
    const asBuyer = await post(query, { authorization: `Bearer ${buyer}` }, production);
    const loggedErrors = jest.spyOn(productionLogger, 'error');
    const broken = await post({ query: '{ brokenWidget { id } }' }, {}, production);
    const logged = loggedErrors.mock.calls.map(([fields, message]) => [fields, message]);
    loggedErrors.mockRestore();

    expect(asAdmin.json.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
    expect(asBuyer.status).toBe(400);
    // The subgraph sends its stack trace (includeStacktraceInErrorResponses); none gets through.
    expect(broken.json.errors).toEqual([
      {
        message: 'Internal server error',
        path: ['brokenWidget'],
        extensions: { code: 'INTERNAL_SERVER_ERROR', correlationId: expect.any(String) },
      },
    ]);
    // Nor which subgraph failed (the internal topology): that goes to the log only.
    expect(broken.text).not.toMatch(/stacktrace|db-primary|\bat .+:\d+|serviceName|widgets/);
    expect(logged).toContainEqual([
      expect.objectContaining({ serviceName: 'widgets', path: ['brokenWidget'] }),
      'request failed',
    ]);
  });

  it('serves the explorer page', async () => {
    const response = await fetch(new URL('/explorer', gateway.url));

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await response.text()).toContain('<title>Marketplace GraphQL explorer</title>');
  });

  it('is healthy regardless of subgraphs, and ready only while every subgraph answers', async () => {
    const health = () => fetch(new URL('/health', gateway.url));
    const ready = async () => {
      const response = await fetch(new URL('/ready', gateway.url));
      return { status: response.status, body: await response.json() };
    };
    expect((await health()).status).toBe(200);
    expect(await ready()).toEqual({
      status: 200,
      body: { status: 'ready', service: 'gateway', checks: { widgets: true } },
    });

    const { port } = subgraph.server.address() as AddressInfo;
    await subgraph.close();
    expect((await health()).status).toBe(200);
    expect(await ready()).toMatchObject({
      status: 503,
      body: { status: 'not-ready', checks: { widgets: false } },
    });

    subgraph = await startWidgetsSubgraph(port);
    expect((await ready()).status).toBe(200);
  });
});
