import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import { context as otelContext, ROOT_CONTEXT } from '@opentelemetry/api';
import { withCorrelationId } from '../observability/correlation.js';
import { graphqlObservabilityPlugin } from '../observability/graphql.js';
import type { RequestOutcome, ServiceMetrics } from '../observability/metrics.js';
import { extractContext, failSpan, SpanKind, SpanStatusCode, startSpan } from '../observability/tracing.js';

export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

export interface HttpServerOptions<TContext extends BaseContext> {
  port: number;
  host?: string;
  apollo: ApolloServer<TContext>;
  /** Builds the GraphQL context; throwing an HttpError answers with its status. */
  context: (req: IncomingMessage) => Promise<TContext>;
  /** Runs before GraphQL; throwing an HttpError refuses the request. */
  guard?: (req: IncomingMessage) => void;
  routes?: Record<string, RouteHandler>;
  maxBodyBytes?: number;
  graphqlPath?: string;
  /** Serves `GET /metrics` from it and records `request_duration_seconds`. */
  metrics?: ServiceMetrics;
  /** The request's correlation id, from the built context: bound to every log line of the request. */
  correlationIdOf?: (context: TContext) => string | undefined;
  /**
   * Continue the caller's W3C trace context (default). A public edge turns this off unless the
   * callers are trusted: a caller-chosen trace id and sampled flag would graft requests onto
   * other traces or switch recording of them (and everything they cause) on or off.
   */
  trustTraceContext?: boolean;
  /** Answered 503 `{"status":"draining"}` once the server drains, before its route runs (default `/ready`). */
  readinessPath?: string;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface RunningServer {
  server: Server;
  url: string;
  /**
   * The first step of a graceful stop: the readiness path answers 503 from now on, so a load
   * balancer stops routing here, and every answer carries `Connection: close`. Requests are
   * still accepted and served.
   */
  beginDrain(): void;
  /**
   * Stops accepting connections, closes idle keep-alive ones, answers the requests in flight
   * (each with `Connection: close`) and closes whatever is still open after `graceMs` (default
   * 0: at once), then stops Apollo.
   */
  close(options?: { graceMs?: number }): Promise<void>;
}

/**
 * A minimal node:http integration for Apollo Server 5, shared by the gateway and the
 * subgraphs: JSON bodies with a size limit, extra routes for health and tooling, and
 * refusals answered as JSON errors with a code.
 */
export async function startHttpServer<TContext extends BaseContext>(
  options: HttpServerOptions<TContext>,
): Promise<RunningServer> {
  const {
    apollo,
    routes = {},
    maxBodyBytes = 1_000_000,
    graphqlPath = '/graphql',
    host = '127.0.0.1',
    readinessPath = '/ready',
  } = options;
  const { metrics } = options;
  const served: Record<string, RouteHandler> = metrics ? { '/metrics': metrics.route, ...routes } : routes;
  // Before start(): names the server span after the operation, times it by operation type.
  apollo.addPlugin(graphqlObservabilityPlugin<TContext>(metrics));
  await apollo.start();

  const handleGraphQL = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    options.guard?.(req);
    // Built before Apollo runs so an authentication failure answers with its own status.
    const contextValue = await options.context(req);
    const body = await readBody(req, maxBodyBytes);
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const execute = () =>
      apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
        context: async () => contextValue,
      });
    const correlationId = options.correlationIdOf?.(contextValue);
    const response = await (correlationId ? withCorrelationId(correlationId, execute) : execute());
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === 'complete') {
      res.end(response.body.string);
    } else {
      for await (const chunk of response.body.asyncIterator) res.write(chunk);
      res.end();
    }
  };

  let draining = false;
  let closing = false;
  /** Answers under way: told to close their connection when the drain begins. */
  const pending = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    pending.add(res);
    res.once('close', () => {
      pending.delete(res);
      // An answer whose headers went out before the drain kept its connection alive: close it
      // once idle rather than wait out the grace.
      if (closing) setImmediate(() => server.closeIdleConnections());
    });
    if (draining) {
      res.setHeader('connection', 'close');
      if (url.pathname === readinessPath) {
        sendJson(res, 503, { status: 'draining' });
        return;
      }
    }
    const route = served[url.pathname];
    if (route) {
      void (async () => route(req, res))().catch(() => {
        if (res.headersSent) return res.destroy();
        sendJson(res, 500, {
          errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }],
        });
      });
      return;
    }
    if (url.pathname !== graphqlPath) {
      sendJson(res, 404, { error: { code: 'HTTP.NOT_FOUND', message: 'Not found' } });
      return;
    }
    // A server span per GraphQL request, continuing the caller's W3C trace context; everything
    // the request awaits (resolvers, subgraph fetches, outbox writes) runs inside it.
    const started = performance.now();
    const { span, context: spanContext } = startSpan({
      name: `${req.method ?? 'GET'} ${graphqlPath}`,
      kind: SpanKind.SERVER,
      parent: options.trustTraceContext === false ? ROOT_CONTEXT : extractContext(req.headers),
      attributes: { 'http.request.method': req.method ?? 'GET', 'url.path': url.pathname },
    });
    const refused = (outcome: RequestOutcome, status: number) => {
      span.setAttribute('http.response.status_code', status);
      // Apollo's plugin times the requests it ran; these never reached it.
      metrics?.observeRequest('unknown', outcome, (performance.now() - started) / 1000);
    };
    otelContext
      .with(spanContext, () => handleGraphQL(req, res, url))
      .then(() => {
        span.setAttribute('http.response.status_code', res.statusCode);
        if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      })
      .catch((error: unknown) => {
        if (res.headersSent) return res.destroy();
        if (error instanceof HttpError) {
          refused('refused', error.status);
          return sendJson(res, error.status, {
            errors: [{ message: error.message, extensions: { code: error.code } }],
          });
        }
        failSpan(span, error);
        refused('error', 500);
        sendJson(res, 500, {
          errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }],
        });
      })
      .finally(() => span.end());
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(options.port, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://${host}:${port}${graphqlPath}`,
    beginDrain,
    close: async ({ graceMs = 0 } = {}) => {
      beginDrain();
      closing = true;
      await new Promise<void>((resolve) => {
        // Stops listening and closes the idle keep-alive connections (Node 19+); the busy ones
        // close after their answer, which carries `Connection: close`.
        server.close(() => resolve());
        const forced = setTimeout(() => server.closeAllConnections(), graceMs);
        server.once('close', () => clearTimeout(forced));
      });
      await apollo.stop();
    },
  };

  function beginDrain(): void {
    if (draining) return;
    draining = true;
    for (const res of pending) if (!res.headersSent) res.setHeader('connection', 'close');
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage, limit: number): Promise<unknown> {
  if (req.method === 'GET' || req.method === 'HEAD') return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit)
      throw new HttpError(413, 'HTTP.PAYLOAD_TOO_LARGE', `Request body exceeds ${limit} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (!(req.headers['content-type'] ?? '').includes('application/json')) return text;
  try {
    return text === '' ? undefined : JSON.parse(text);
  } catch {
    throw new HttpError(400, 'HTTP.MALFORMED_JSON', 'Request body is not valid JSON');
  }
}
