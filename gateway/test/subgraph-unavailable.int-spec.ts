import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { createLogger, type Logger } from '@marketplace/platform';
import { startGateway, type RunningGateway } from '../src/gateway.js';

/*
 * A subgraph the gateway cannot get an answer from (nothing listens on its port, it answers 503,
 * or it holds the request past SUBGRAPH_TIMEOUT_MS, as right after a stack starts under load):
 * the client gets a typed SERVICE_UNAVAILABLE, never INTERNAL_SERVER_ERROR, and no address, errno
 * or stack; the cause goes to the gateway's log. Retryable for reads, and for writes the subgraph
 * cannot have run.
 */
const sdl = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  type Widget @key(fields: "id") { id: ID! name: String! }
  type Query { widget(id: ID!): Widget }
  type Mutation { renameWidget(id: ID!, name: String!): Widget }
`);

/** A plain HTTP server standing in for a subgraph that misbehaves at the HTTP level. */
async function listen(handler: Parameters<typeof createServer>[1]): Promise<Server> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}
const urlOf = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;

describe('gateway: a subgraph that cannot answer', () => {
  const gateways: Record<string, RunningGateway> = {};
  const servers: Server[] = [];
  let logger: Logger;

  beforeAll(async () => {
    const composed = composeServices([{ name: 'widgets', typeDefs: sdl, url: 'http://127.0.0.1:9/graphql' }]);
    if (composed.errors) throw new Error(composed.errors.map((e) => e.message).join('\n'));
    logger = createLogger('gateway');
    logger.level = process.env.LOG_LEVEL ?? 'silent';

    // A port that was free a moment ago and is closed now: connections to it are refused.
    const closed = await listen(() => undefined);
    const refusedUrl = urlOf(closed);
    await new Promise((resolve) => closed.close(resolve));
    const failing = await listen((_req, res) => {
      res.writeHead(503, { 'content-type': 'text/plain' });
      res.end('upstream db-primary.internal:5432 is down');
    });
    // Reads the request, never answers.
    const hanging = await listen((req) => req.resume());
    // A failure of the request itself, not of the subgraph's availability.
    const broken = await listen((_req, res) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('boom');
    });
    servers.push(failing, hanging, broken);

    const start = (url: string, env: NodeJS.ProcessEnv = {}) =>
      startGateway({
        port: 0,
        supergraphSdl: composed.supergraphSdl,
        subgraphUrls: { widgets: url },
        env: { NODE_ENV: 'test', REDIS_URL: 'redis://127.0.0.1:9', SUBGRAPH_TIMEOUT_MS: '300', ...env },
        logger,
      });
    gateways.refused = await start(refusedUrl);
    gateways.failing = await start(urlOf(failing));
    gateways.hanging = await start(urlOf(hanging));
    gateways.broken = await start(urlOf(broken));
    gateways.production = await start(refusedUrl, {
      NODE_ENV: 'production',
      AUTH_JWT_SECRET: 'a-production-grade-jwt-secret-0123456789',
      GATEWAY_SHARED_SECRET: 'a-production-gateway-secret-0123456789',
    });
  });

  afterAll(async () => {
    for (const gateway of Object.values(gateways)) await gateway.stop();
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  const ask = async (gateway: RunningGateway, query = '{ widget(id: "1") { id name } }') => {
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-correlation-id': 'corr-unavailable' },
      body: JSON.stringify({ query }),
    });
    const text = await response.text();
    return { status: response.status, text, json: JSON.parse(text) };
  };

  it.each([
    ['refuses connections', 'refused'],
    ['answers 503', 'failing'],
    ['does not answer within SUBGRAPH_TIMEOUT_MS', 'hanging'],
  ])('answers SERVICE_UNAVAILABLE, retryable, when the subgraph %s', async (_what, which) => {
    const warned = jest.spyOn(logger, 'warn');
    const started = Date.now();
    const response = await ask(gateways[which]!);
    const logged = warned.mock.calls.map(([fields, message]) => [fields, message]);
    warned.mockRestore();

    expect(Date.now() - started).toBeLessThan(1_500);
    expect(response.status).toBe(200);
    expect(response.json.data).toEqual({ widget: null });
    expect(response.json.errors).toEqual([
      {
        message: 'Service temporarily unavailable: part of the API did not answer. Retry in 1 s.',
        extensions: {
          code: 'SERVICE_UNAVAILABLE',
          retryable: true,
          retryAfterSeconds: 1,
          correlationId: 'corr-unavailable',
          serviceName: 'widgets',
        },
      },
    ]);
    expect(response.text).not.toMatch(/127\.0\.0\.1|ECONN|db-primary|503|did not answer within|stacktrace/);
    // The operator's side: which subgraph, why, and the correlation id to find the request by.
    expect(logged).toContainEqual([
      expect.objectContaining({
        serviceName: 'widgets',
        correlationId: 'corr-unavailable',
        cause: expect.any(String),
      }),
      'subgraph unavailable: answered SERVICE_UNAVAILABLE',
    ]);
  });

  const rename = 'mutation { renameWidget(id: "1", name: "Sprocket") { id } }';

  it.each([
    ['refused the connection (nothing ran)', 'refused', true],
    ['answered 503 (nothing ran)', 'failing', true],
    ['did not answer in time (it may have run)', 'hanging', false],
  ])('marks a mutation whose subgraph %s retryable: %s', async (_what, which, retryable) => {
    const response = await ask(gateways[which]!, rename);
    expect(response.json.errors).toEqual([
      {
        message: retryable
          ? 'Service temporarily unavailable: part of the API did not answer. Retry in 1 s.'
          : 'Service temporarily unavailable: part of the API did not answer in time; the change may have been made. Check before repeating it.',
        extensions: expect.objectContaining({ code: 'SERVICE_UNAVAILABLE', retryable }),
      },
    ]);
  });

  it('keeps a 500 (a failure of the request, not of availability) out of SERVICE_UNAVAILABLE', async () => {
    const response = await ask(gateways.broken!);
    expect(response.json.errors).toHaveLength(1);
    expect(response.json.errors[0].extensions.code).not.toBe('SERVICE_UNAVAILABLE');
    expect(response.json.errors[0].extensions.retryable).toBeUndefined();
  });

  it('in production, answers the same code without naming the subgraph', async () => {
    const response = await ask(gateways.production!);

    expect(response.json.errors).toEqual([
      {
        message: expect.stringMatching(/^Service temporarily unavailable/),
        extensions: {
          code: 'SERVICE_UNAVAILABLE',
          retryable: true,
          retryAfterSeconds: 1,
          correlationId: 'corr-unavailable',
        },
      },
    ]);
    expect(response.text).not.toMatch(/widgets|127\.0\.0\.1|ECONNREFUSED/);
  });
});
