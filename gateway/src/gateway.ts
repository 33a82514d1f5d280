import { readFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { Redis } from 'ioredis';
import {
  AuthError,
  CORRELATION_HEADER,
  createLogger,
  errorMaskingPlugin,
  initTracing,
  intFromEnv,
  loadConfig,
  sendJson,
  ServiceMetrics,
  shutdownSettings,
  stopInPhases,
  startHttpServer,
  RedisStore,
  type Actor,
  type KeyValueStore,
  type Logger,
  type RouteHandler,
  type Drainable,
  type RunningServer,
  type ShutdownSettings,
  verifyAccessToken,
} from '@marketplace/platform';
import { newId } from '@marketplace/shared-kernel';
import { budgetSettings, CostBudgets } from './budget.js';
import { explorerRoutes } from './explorer-routes.js';
import { operationLimits } from './limits.js';
import { markSignedInPrivate, responseCacheEnabled, responseCachePlugins } from './response-cache.js';
import { operationGuard } from './operation-guard.js';
import { coercingScalars } from './scalar-coercion.js';
import { SubgraphDataSource, type GatewayContext } from './subgraph-data-source.js';
import { SUPERGRAPH_SDL_PATH, subgraphUrlEnvVar } from './supergraph-config.js';

export interface GatewayOptions {
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  /** Defaults to the committed supergraph.graphql at the repository root. */
  supergraphSdl?: string;
  /** Per subgraph name; wins over `<NAME>_URL` from the environment and the supergraph's routing URL. */
  subgraphUrls?: Record<string, string>;
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  /**
   * Budgets and the response cache; the caller keeps it open and closes it (the embedded profile
   * passes a MemoryStore). Without it the gateway uses Redis at REDIS_URL.
   */
  store?: KeyValueStore;
}

export interface RunningGateway extends RunningServer, Drainable {
  explorerUrl: string;
  /** `SHUTDOWN_DRAIN_DELAY_MS` and `SHUTDOWN_GRACE_MS` of its environment. */
  shutdown: ShutdownSettings;
  /** Answers the operations in flight (up to the grace), then closes the store and flushes traces. */
  stop(): Promise<void>;
}

// An incoming id is kept only if it is safe to log and forward; otherwise the gateway makes one.
const SANE_CORRELATION_ID = /^[A-Za-z0-9._-]{1,128}$/;
const READY_TIMEOUT_MS = 1000;

/**
 * The public GraphQL endpoint: plans each operation over the static supergraph, calls the
 * subgraphs with the caller's token and a correlation id, and refuses abusive or cross-site
 * requests before any subgraph is called.
 */
export async function startGateway(options: GatewayOptions = {}): Promise<RunningGateway> {
  const env = options.env ?? process.env;
  const config = loadConfig(env);
  const logger = options.logger ?? createLogger('gateway');
  // Before anything else: the tracer (OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set) and the
  // registry behind GET /metrics.
  const tracing = initTracing('gateway', { env });
  const metrics = new ServiceMetrics('gateway');
  const timeoutMs = intFromEnv('SUBGRAPH_TIMEOUT_MS', 10_000, env);
  const supergraphSdl = options.supergraphSdl ?? (await readCommittedSupergraph());

  // Filled by buildService while the gateway loads (in apollo.start()), read by /ready.
  const subgraphUrls = new Map<string, string>();
  const gateway = new ApolloGateway({
    supergraphSdl,
    logger,
    buildService: ({ name, url }) => {
      const resolved = options.subgraphUrls?.[name] ?? env[subgraphUrlEnvVar(name)] ?? url;
      if (!resolved) throw new Error(`Subgraph ${name} has no routing URL: set ${subgraphUrlEnvVar(name)}`);
      subgraphUrls.set(name, resolved);
      return new SubgraphDataSource({
        name,
        url: resolved,
        gatewaySecret: config.gatewaySecret,
        timeoutMs,
        logger,
      });
    },
  });

  const limits = operationLimits(config.production);
  const introspection = !config.production;
  // The caller's store is the caller's to close; one made here is closed with the gateway.
  const store = options.store ?? redisStore(config.redisUrl);
  const budgets = new CostBudgets(store, budgetSettings(env), logger);
  const apollo = new ApolloServer<GatewayContext>({
    gateway: coercingScalars(gateway),
    csrfPrevention: true,
    // Production refuses introspection to everyone but admins in operationGuard, which knows the caller.
    introspection: true,
    includeStacktraceInErrorResponses: false,
    // main.ts (or the embedded profile) stops the gateway on SIGINT/SIGTERM.
    stopOnTerminationSignals: false,
    allowBatchedHttpRequests: limits.allowBatchedHttpRequests,
    parseOptions: limits.parseOptions,
    validationRules: limits.validationRules,
    plugins: [
      // graphql-armor is CommonJS, so its plugin type comes from @apollo/server's CJS typings.
      ...(limits.plugins as ApolloServerPlugin<GatewayContext>[]),
      operationGuard({
        maxCost: intFromEnv('GATEWAY_MAX_COST', 5_000, env),
        budgets,
        production: config.production,
      }),
      // Which subgraph failed is logged (and in the trace's spans), not told to production callers.
      errorMaskingPlugin<GatewayContext>(logger, { exposeServiceName: !config.production }),
      echoCorrelationId,
      // A signed-in caller's answer is never `public` for HTTP caches, cache or no cache.
      markSignedInPrivate<GatewayContext>(),
      // Whole responses of anonymous public queries, in the store (response-cache.ts, README).
      ...(responseCacheEnabled(env) ? responseCachePlugins<GatewayContext>(store, env, logger) : []),
      // The default landing page loads from a CDN; /explorer is the offline replacement.
      ApolloServerPluginLandingPageDisabled(),
    ],
  });

  const routes: Record<string, RouteHandler> = {
    '/health': (_req, res) => sendJson(res, 200, { status: 'ok', service: 'gateway' }),
    '/ready': async (_req, res) => {
      const checks = await checkSubgraphs(subgraphUrls);
      const ready = Object.values(checks).every(Boolean);
      sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not-ready', service: 'gateway', checks });
    },
    // Without introspection the explorer cannot show the schema, so production does not serve it.
    ...(introspection ? await explorerRoutes(logger) : {}),
  };

  const running = await startHttpServer<GatewayContext>({
    port: options.port ?? 4000,
    ...(options.host ? { host: options.host } : {}),
    apollo,
    context: async (req) => requestContext(req, config.jwtSecret),
    correlationIdOf: (ctx) => ctx.correlationId,
    metrics,
    // Callers are the public: their trace context is followed only where the operator says so.
    trustTraceContext: env.GATEWAY_TRUST_TRACEPARENT === 'true',
    routes,
  });
  const shutdown = shutdownSettings(env);
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= stopInPhases(
      [
        { name: 'http', run: () => running.close({ graceMs: shutdown.graceMs }) },
        { name: 'store', run: () => !options.store && store.close() },
        {
          name: 'telemetry',
          run: () => Promise.all([metrics.close(), tracing.flush().catch(() => undefined)]),
        },
      ],
      logger,
    ));
  return { ...running, shutdown, close: stop, stop, explorerUrl: new URL('/explorer', running.url).href };
}

/**
 * A RedisStore for budgets and the response cache, which must not wait for, or fall over with,
 * Redis: one quick try per command, no queue, no failed start when Redis is down (both fail
 * open, CostBudgets logging the failures, rate-limited).
 */
function redisStore(url: string): RedisStore {
  const redis = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: 500,
  });
  redis.on('error', () => undefined);
  redis.connect().catch(() => undefined);
  return new RedisStore(redis);
}

async function requestContext(req: IncomingMessage, jwtSecret: string): Promise<GatewayContext> {
  const incoming = header(req, CORRELATION_HEADER);
  const authorization = header(req, 'authorization');
  return {
    correlationId: incoming && SANE_CORRELATION_ID.test(incoming) ? incoming : newId(),
    actor: await callerActor(authorization, jwtSecret),
    ...(authorization ? { authorization } : {}),
    ...(req.socket.remoteAddress ? { clientIp: req.socket.remoteAddress } : {}),
  };
}

/**
 * The verified caller, for budgets and the introspection rule. A missing or invalid token is an
 * anonymous caller here; the subgraphs verify the token again and refuse an invalid one.
 */
async function callerActor(authorization: string | undefined, jwtSecret: string): Promise<Actor | null> {
  const token = authorization?.replace(/^Bearer\s+/i, '');
  if (!token) return null;
  try {
    return await verifyAccessToken(token, jwtSecret);
  } catch (error) {
    if (error instanceof AuthError) return null;
    throw error;
  }
}

/** Lets a caller quote the id when reporting a problem, and find it in every service's logs. */
const echoCorrelationId: ApolloServerPlugin<GatewayContext> = {
  async requestDidStart({ contextValue }) {
    return {
      async willSendResponse({ response }) {
        response.http.headers.set(CORRELATION_HEADER, contextValue.correlationId);
      },
    };
  },
};

/** Each subgraph's liveness endpoint (`/health` on its origin), with a short timeout. */
async function checkSubgraphs(urls: Map<string, string>): Promise<Record<string, boolean>> {
  const entries = await Promise.all(
    [...urls].map(async ([name, url]) => {
      try {
        const response = await fetch(new URL('/health', url), {
          signal: AbortSignal.timeout(READY_TIMEOUT_MS),
        });
        await response.body?.cancel();
        return [name, response.ok] as const;
      } catch {
        return [name, false] as const;
      }
    }),
  );
  return Object.fromEntries(entries);
}

async function readCommittedSupergraph(): Promise<string> {
  try {
    return await readFile(SUPERGRAPH_SDL_PATH, 'utf8');
  } catch {
    throw new Error(`${SUPERGRAPH_SDL_PATH} is missing: run pnpm build && pnpm compose`);
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
