import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { ApolloServer, type ApolloServerPlugin, type BaseContext } from '@apollo/server';
import { ApolloServerPluginCacheControl } from '@apollo/server/plugin/cacheControl';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { isCompositeType, type GraphQLCompositeType } from 'graphql';
import { newId } from '@marketplace/shared-kernel';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from '../logger.js';
import type { ServiceMetrics } from '../observability/metrics.js';
import { traceparentOf } from '../observability/tracing.js';
import type { Orm } from '../persistence/orm.js';
import {
  HttpError,
  sendJson,
  startHttpServer,
  type RouteHandler,
  type RunningServer,
} from '../http/server.js';
import { AuthError, verifyAccessToken } from './auth.js';
import { Loaders, type RequestContext } from './context.js';
import { errorMaskingPlugin } from './error-masking.js';
import { buildFederatedSchema, type FederatedSchemaOptions } from './federation.js';
import { checkWithin } from '../http/readiness.js';

export const GATEWAY_SECRET_HEADER = 'x-gateway-secret';
export const CORRELATION_HEADER = 'x-correlation-id';
/** Set by the gateway to the caller's address (trusted only behind the gateway secret). */
export const CLIENT_IP_HEADER = 'x-client-ip';

export interface SubgraphServerOptions extends FederatedSchemaOptions {
  name: string;
  port: number;
  /** Defaults to 127.0.0.1; containers set 0.0.0.0. */
  host?: string;
  orm: Orm;
  logger: Logger;
  jwtSecret: string;
  gatewaySecret: string;
  /** Extra readiness checks (Kafka connected, Elasticsearch reachable, ...). */
  readiness?: Record<string, () => Promise<boolean>>;
  routes?: Record<string, RouteHandler>;
  introspection?: boolean;
  /** Served as `GET /metrics` (no gateway secret needed, like /health), plus request timings. */
  metrics?: ServiceMetrics;
}

/** Constant-time check that the request carries the gateway's shared secret. */
export function cameThroughGateway(req: IncomingMessage, secret: string): boolean {
  const given = Buffer.from(String(req.headers[GATEWAY_SECRET_HEADER] ?? ''));
  const expected = Buffer.from(secret);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * Starts one subgraph: verifies the caller's token itself (the gateway only forwards it),
 * refuses requests that did not come through the gateway, and gives every request its own
 * entity manager fork and DataLoaders.
 */
export async function startSubgraphServer(
  options: SubgraphServerOptions,
): Promise<RunningServer & { sdl: string }> {
  const { schema, sdl } = await buildFederatedSchema(options);
  const apollo = new ApolloServer<RequestContext>({
    schema,
    introspection: options.introspection ?? true,
    includeStacktraceInErrorResponses: false,
    // The process's entry point stops everything in order on SIGINT/SIGTERM (runService, the
    // embedded profile); Apollo's own handlers would stop this server alone and re-raise.
    stopOnTerminationSignals: false,
    plugins: [
      // Cache-Control on every answer from the @cacheControl hints; the gateway reads it to
      // decide what its response cache may keep (public catalog data only).
      ...subgraphCacheControlPlugins(),
      errorMaskingPlugin<RequestContext>(options.logger),
      // Federated tracing (ftv1) feeds Apollo's hosted reporting, which this graph does not use;
      // traces go through OpenTelemetry instead.
      ApolloServerPluginInlineTraceDisabled(),
    ],
  });
  const readiness = { database: () => options.orm.isConnected(), ...options.readiness };
  const running = await startHttpServer<RequestContext>({
    port: options.port,
    host: options.host,
    apollo,
    guard: (req) => {
      if (!cameThroughGateway(req, options.gatewaySecret)) {
        throw new HttpError(403, 'GATEWAY.REQUIRED', 'Subgraphs only answer requests from the gateway');
      }
    },
    context: (req) => buildRequestContext(req, options),
    correlationIdOf: (ctx) => ctx.correlationId,
    metrics: options.metrics,
    routes: {
      '/health': (_req, res) => sendJson(res, 200, { status: 'ok', service: options.name }),
      '/ready': async (_req, res) => {
        const checks = Object.fromEntries(
          await Promise.all(
            Object.entries(readiness).map(async ([name, check]) => [name, await checkWithin(check)] as const),
          ),
        );
        const ready = Object.values(checks).every(Boolean);
        sendJson(res, ready ? 200 : 503, {
          status: ready ? 'ready' : 'not-ready',
          service: options.name,
          checks,
        });
      },
      ...options.routes,
    },
  });
  options.logger.info({ url: running.url }, `${options.name} subgraph listening`);
  return { ...running, sdl };
}

/**
 * `_entities` returns the `_Entity` union, which carries no hint, so the gateway's entity
 * fetches would never be cacheable: give the field the strictest hint of the types asked for
 * (an entity type without a hint makes it uncacheable, as any unhinted object is).
 */
interface CacheHint {
  maxAge?: number;
  scope?: 'PUBLIC' | 'PRIVATE';
}
/** What the cache-control plugin adds to `info` (typed in @apollo/cache-control-types, not a dependency here). */
interface CacheControlInfo {
  cacheControl: {
    cacheHintFromType(type: GraphQLCompositeType): CacheHint | undefined;
    setCacheHint(hint: CacheHint): void;
  };
}

const entityCacheHints: ApolloServerPlugin<BaseContext> = {
  async requestDidStart() {
    return {
      async executionDidStart() {
        return {
          willResolveField({ info: resolveInfo, args }) {
            const info = resolveInfo as typeof resolveInfo & CacheControlInfo;
            if (info.fieldName !== '_entities' || info.parentType !== info.schema.getQueryType()) return;
            const representations = (args as { representations?: { __typename?: unknown }[] })
              .representations;
            const typeNames = new Set((representations ?? []).map((r) => String(r.__typename)));
            let maxAge = Number.POSITIVE_INFINITY;
            let scope: 'PUBLIC' | 'PRIVATE' = 'PUBLIC';
            for (const name of typeNames) {
              const type = info.schema.getType(name);
              const hint =
                type && isCompositeType(type) ? info.cacheControl.cacheHintFromType(type) : undefined;
              maxAge = Math.min(maxAge, hint?.maxAge ?? 0);
              if (hint?.scope === 'PRIVATE') scope = 'PRIVATE';
            }
            info.cacheControl.setCacheHint({ maxAge: Number.isFinite(maxAge) ? maxAge : 0, scope });
          },
        };
      },
    };
  },
};

/** Cache-Control on every subgraph answer from its @cacheControl hints, `_entities` included. */
export function subgraphCacheControlPlugins<TContext extends BaseContext>(): ApolloServerPlugin<TContext>[] {
  // Apollo calls willResolveField hooks in reverse plugin order: listing the entity hints first
  // makes them run after the cache-control plugin has put `info.cacheControl` in place.
  return [
    entityCacheHints as ApolloServerPlugin<TContext>,
    ApolloServerPluginCacheControl({ calculateHttpHeaders: true }),
  ];
}

async function buildRequestContext(
  req: IncomingMessage,
  options: SubgraphServerOptions,
): Promise<RequestContext> {
  const correlationId = headerValue(req, CORRELATION_HEADER) ?? newId();
  const authorization = headerValue(req, 'authorization');
  let actor = null;
  if (authorization) {
    const token = authorization.replace(/^Bearer\s+/i, '');
    try {
      actor = await verifyAccessToken(token, options.jwtSecret);
    } catch (error) {
      if (error instanceof AuthError) throw new HttpError(401, error.code, error.message);
      throw error;
    }
  }
  // The request's server span (a child of the gateway's fetch span): what the use case's outbox
  // rows record as their parent. Without tracing it is the incoming traceparent, passed through.
  const traceparent = traceparentOf();
  const clientIp = headerValue(req, CLIENT_IP_HEADER);
  return {
    actor,
    correlationId,
    ...(traceparent ? { traceparent } : {}),
    ...(clientIp ? { clientIp } : {}),
    em: options.orm.em.fork() as EntityManager,
    loaders: new Loaders(),
  };
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
