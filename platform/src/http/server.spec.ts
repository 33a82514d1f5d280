import { Agent, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApolloServer } from '@apollo/server';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { logContext } from '../logger.js';
import { ServiceMetrics } from '../observability/metrics.js';
import { initTracing, SpanKind, traceparentOf, type Tracing } from '../observability/tracing.js';
import { HttpError, sendJson, startHttpServer, type RunningServer } from './server.js';

// The HTTP edge every subgraph and the gateway share: a server span per GraphQL request that
// continues the caller's trace, the correlation id on every log line, and GET /metrics.
interface Ctx {
  correlationId: string;
}
const exporter = new InMemorySpanExporter();
let tracing: Tracing;
let running: RunningServer;
const metrics = new ServiceMetrics('http-spec', { processMetrics: false });
/** What the resolver saw of its context. */
const seen: { log?: Record<string, string>; traceparent?: string | undefined } = {};

const CALLER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';

beforeAll(async () => {
  tracing = initTracing('http-spec', { exporter });
  const apollo = new ApolloServer<Ctx>({
    typeDefs: 'type Query { hello: String }',
    resolvers: {
      Query: {
        hello: () => {
          seen.log = logContext();
          seen.traceparent = traceparentOf();
          return 'world';
        },
      },
    },
  });
  running = await startHttpServer<Ctx>({
    port: 0,
    apollo,
    guard: (req) => {
      if (req.headers['x-refuse']) throw new HttpError(403, 'GATEWAY.REQUIRED', 'refused');
    },
    context: async (req) => ({ correlationId: String(req.headers['x-correlation-id'] ?? 'none') }),
    correlationIdOf: (ctx) => ctx.correlationId,
    metrics,
  });
});

afterAll(async () => {
  await running?.close();
});

const post = (headers: Record<string, string>) =>
  fetch(running.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query: 'query Greeting { hello }' }),
  });

describe('the HTTP server', () => {
  it('runs a request in a server span continuing the caller trace, with the correlation id in the log context', async () => {
    const res = await post({
      traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01`,
      'x-correlation-id': 'corr-42',
    });
    expect(await res.json()).toEqual({ data: { hello: 'world' } });
    expect(seen.log).toMatchObject({ correlationId: 'corr-42', trace_id: CALLER_TRACE });
    expect(seen.traceparent?.split('-')[1]).toBe(CALLER_TRACE);

    await tracing.flush();
    const span = exporter.getFinishedSpans().find((s) => s.name === 'query Greeting');
    expect(span?.kind).toBe(SpanKind.SERVER);
    expect(span?.spanContext().traceId).toBe(CALLER_TRACE);
    expect(span?.parentSpanContext?.spanId).toBe(CALLER_SPAN);
    expect(span?.attributes).toMatchObject({
      'graphql.operation.type': 'query',
      'http.response.status_code': 200,
    });
    // The resolver ran inside that span: what it would write to the outbox names it as parent.
    expect(seen.traceparent?.split('-')[2]).toBe(span?.spanContext().spanId);
  });

  it('times requests by operation type and outcome on GET /metrics, refusals included', async () => {
    await post({});
    expect((await post({ 'x-refuse': '1' })).status).toBe(403);
    const res = await fetch(new URL('/metrics', running.url));
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(
      /^request_duration_seconds_count\{service="http-spec",operation_type="query",outcome="ok"\} [1-9]/m,
    );
    expect(text).toMatch(
      /^request_duration_seconds_count\{service="http-spec",operation_type="unknown",outcome="refused"\} 1$/m,
    );
  });
});

describe('the HTTP server draining', () => {
  /** A server whose `slow` field answers when the test releases it. */
  async function slowServer() {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered: () => void = () => {};
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const server = await startHttpServer<Ctx>({
      port: 0,
      apollo: new ApolloServer<Ctx>({
        typeDefs: 'type Query { slow: String fast: String }',
        resolvers: {
          Query: {
            slow: async () => {
              entered();
              await gate;
              return 'done';
            },
            fast: () => 'now',
          },
        },
      }),
      context: async () => ({ correlationId: 'drain' }),
      routes: { '/ready': (_req, res) => sendJson(res, 200, { status: 'ready' }) },
    });
    return { server, release, inside };
  }

  const agent = new Agent({ keepAlive: true });
  afterAll(() => agent.destroy());

  /** A POST over the keep-alive agent: the answer with its Connection header, or the error code. */
  const ask = (url: string, field: string) =>
    new Promise<{ status: number; connection?: string; body: string } | { error: string }>((resolve) => {
      const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json' } });
      req.once('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
      req.once('response', (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.once('end', () => resolve({ status: res.statusCode!, connection: res.headers.connection, body }));
      });
      req.end(JSON.stringify({ query: `{ ${field} }` }));
    });
  const ready = (url: string) =>
    fetch(new URL('/ready', url)).then(
      async (res) => ({ status: res.status, body: await res.json() }),
      (error: Error): { status?: number; body?: unknown; error?: string } => ({
        error: (error.cause as { code?: string }).code,
      }),
    );

  it('answers readiness 503 once draining, still serving requests, each with Connection: close', async () => {
    const { server, release } = await slowServer();
    try {
      expect((await ready(server.url)).status).toBe(200);
      server.beginDrain();
      expect(await ready(server.url)).toEqual({ status: 503, body: { status: 'draining' } });
      expect(await ask(server.url, 'fast')).toMatchObject({ status: 200, connection: 'close' });
    } finally {
      release();
      await server.close();
    }
  });

  it('on close refuses new connections and answers the request in flight with Connection: close', async () => {
    const { server, release, inside } = await slowServer();
    // A keep-alive connection left idle, and a request in flight.
    expect(await ask(server.url, 'fast')).toMatchObject({ status: 200, connection: 'keep-alive' });
    const inFlight = ask(server.url, 'slow');
    await inside;
    let closed = false;
    const closing = server.close({ graceMs: 10_000 }).then(() => (closed = true));
    expect(await ready(server.url)).toEqual({ error: 'ECONNREFUSED' });
    expect(closed).toBe(false);
    release();
    expect(await inFlight).toEqual({ status: 200, connection: 'close', body: '{"data":{"slow":"done"}}\n' });
    await closing;
  });

  it('closes what is still open once the grace is over', async () => {
    const { server, release, inside } = await slowServer();
    const inFlight = ask(server.url, 'slow');
    await inside;
    const started = performance.now();
    await server.close({ graceMs: 200 });
    const elapsed = performance.now() - started;
    expect(await inFlight).toEqual({ error: 'ECONNRESET' });
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(elapsed).toBeLessThan(5_000);
    release();
  });
});
