import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { newId } from '@marketplace/shared-kernel';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from '../logger.js';
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
    plugins: [errorMaskingPlugin<RequestContext>(options.logger)],
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
    routes: {
      '/health': (_req, res) => sendJson(res, 200, { status: 'ok', service: options.name }),
      '/ready': async (_req, res) => {
        const checks = Object.fromEntries(
          await Promise.all(
            Object.entries(readiness).map(
              async ([name, check]) => [name, await check().catch(() => false)] as const,
            ),
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
  const traceparent = headerValue(req, 'traceparent');
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
