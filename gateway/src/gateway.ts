import { readFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import {
  CORRELATION_HEADER,
  createLogger,
  errorMaskingPlugin,
  intFromEnv,
  loadConfig,
  sendJson,
  startHttpServer,
  type Logger,
  type RouteHandler,
  type RunningServer,
} from '@marketplace/platform';
import { newId } from '@marketplace/shared-kernel';
import { explorerRoutes } from './explorer-routes.js';
import { operationLimits } from './limits.js';
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
}

export interface RunningGateway extends RunningServer {
  explorerUrl: string;
  stop(): Promise<void>;
}

// An incoming id is kept only if it is safe to log and forward; otherwise the gateway makes one.
const SANE_CORRELATION_ID = /^[A-Za-z0-9._-]{1,128}$/;
const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;
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
      return new SubgraphDataSource({ url: resolved, gatewaySecret: config.gatewaySecret, timeoutMs });
    },
  });

  const limits = operationLimits(config.production);
  const introspection = !config.production;
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    csrfPrevention: true,
    introspection,
    includeStacktraceInErrorResponses: false,
    allowBatchedHttpRequests: limits.allowBatchedHttpRequests,
    parseOptions: limits.parseOptions,
    validationRules: limits.validationRules,
    plugins: [
      // graphql-armor is CommonJS, so its plugin type comes from @apollo/server's CJS typings.
      ...(limits.plugins as ApolloServerPlugin<GatewayContext>[]),
      errorMaskingPlugin<GatewayContext>(logger),
      echoCorrelationId,
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
    context: async (req) => requestContext(req),
    routes,
  });
  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= running.close());
  return { ...running, close: stop, stop, explorerUrl: new URL('/explorer', running.url).href };
}

function requestContext(req: IncomingMessage): GatewayContext {
  const incoming = header(req, CORRELATION_HEADER);
  const authorization = header(req, 'authorization');
  const traceparent = header(req, 'traceparent');
  return {
    correlationId: incoming && SANE_CORRELATION_ID.test(incoming) ? incoming : newId(),
    ...(authorization ? { authorization } : {}),
    ...(traceparent && TRACEPARENT.test(traceparent) ? { traceparent } : {}),
    ...(req.socket.remoteAddress ? { clientIp: req.socket.remoteAddress } : {}),
  };
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
