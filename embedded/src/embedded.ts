import { PGlite } from '@electric-sql/pglite';
import { claimDataDir, prepareDirectories } from './data-dir.js';
import type { EmbeddedSecrets } from './secrets.js';
import {
  createLogger,
  initTracing,
  launchService,
  LocalBus,
  MemoryStore,
  type Drainable,
  type RunningService,
  SUBGRAPH_NAMES,
  type ServiceDefinition,
  type ServiceFactory,
} from '@marketplace/platform';
import { startGateway, type RunningGateway } from '@marketplace/gateway';
import { startWebhookSidecar, webhookOptionsFromEnv, type WebhookSidecar } from '@marketplace/webhooks';

/**
 * The embedded profile: the whole marketplace in one Node process, with nothing else to
 * install. Every subgraph keeps its own database (an embedded Postgres, PGlite, in a directory
 * of its own), its own unit of work, outbox and relay; the subgraphs talk through the
 * in-process bus (LocalBus: Kafka's delivery contract on a durable log), search runs on
 * Postgres full-text search, caches and throttles on an in-memory store. Each subgraph still
 * serves its own GraphQL endpoint and the gateway plans over the same supergraph, so what runs
 * here is the same code as the services profile behind the same ports.
 */

export interface EmbeddedOptions {
  /** Where the databases live (`.data/embedded`); `memory://` keeps nothing (tests). */
  dataDir: string;
  /** The environment the services read their settings from (see `embeddedEnv`). */
  env: NodeJS.ProcessEnv;
  /** 0 for a free port (tests); the subgraphs then also take free ports. */
  gatewayPort?: number;
  onProgress?: (step: ProgressStep) => void;
  /** The data directory already claimed (`claimDataDir`) and its template under way. */
  claimed?: { release: () => void; template: Promise<void> };
}

export interface ProgressStep {
  /** What just became ready, e.g. `products`. */
  name: string;
  done: number;
  total: number;
  elapsedMs: number;
}

export interface EmbeddedMarketplace extends Drainable {
  gateway: RunningGateway;
  services: RunningService[];
  webhooks: WebhookSidecar;
  /**
   * The gateway first (it answers the operations in flight, which need the subgraphs), then every
   * subgraph (consumers finish their message, relays flush to the bus), then the sidecar, the
   * bus and the store. Each part stops in its own logged phases, within its grace.
   */
  stop(): Promise<void>;
}

/**
 * The settings the embedded profile runs with, under what the caller already set: Postgres
 * full-text search, the sandbox payment provider (no money moves) with its webhooks signed for
 * the sidecar, a local admin, and the data directory's own secrets (`secrets.ts`) in place of the
 * development defaults printed in the source, so reaching its ports is not enough to mint a token.
 */
export function embeddedEnv(base: NodeJS.ProcessEnv, secrets: EmbeddedSecrets): NodeJS.ProcessEnv {
  return {
    SEARCH_ENGINE: 'postgres',
    PAYMENTS_SANDBOX_ENABLED: 'true',
    ACCOUNTS_ADMIN_EMAIL: 'admin@marketplace.local',
    ...secrets,
    ...base,
  };
}

/**
 * Every subgraph of the registry (platform/src/registry.ts), in its order, as its package's
 * `createService` (`@marketplace/<name>/service`) builds it from the environment.
 */
export async function definitions(env: NodeJS.ProcessEnv): Promise<ServiceDefinition[]> {
  return Promise.all(
    SUBGRAPH_NAMES.map(async (name) => {
      const { createService } = (await import(`@marketplace/${name}/service`)) as {
        createService?: ServiceFactory;
      };
      if (typeof createService !== 'function') {
        throw new Error(`@marketplace/${name}/service does not export createService`);
      }
      const definition = createService(env);
      if (definition.name !== name)
        throw new Error(`@marketplace/${name}/service defines '${definition.name}'`);
      return definition;
    }),
  );
}

/**
 * Runs `work` over `items`, at most `limit` at a time (the machine's cores, not more). After a
 * failure no further item starts, and the failure is thrown once the ones under way ended.
 */
async function inParallel<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (!failure && next < items.length) {
        try {
          await work(items[next++]!);
        } catch (error) {
          failure ??= { error };
        }
      }
    }),
  );
  if (failure) throw failure.error;
}

export async function startEmbedded(options: EmbeddedOptions): Promise<EmbeddedMarketplace> {
  const started = Date.now();
  const logger = createLogger('embedded');
  // One tracer provider per process: installed first here, the spans of every subgraph carry
  // service.name "marketplace" (their span names say which subgraph), not the first one's.
  initTracing('marketplace', { env: options.env });
  // Free ports for every process when the gateway takes a free one (tests, a second copy).
  const freePorts = options.gatewayPort === 0;
  const names = SUBGRAPH_NAMES;
  const total = names.length + 2;
  let done = 0;
  const progress = (name: string) =>
    options.onProgress?.({ name, done: ++done, total, elapsedMs: Date.now() - started });

  // The start command claims the directory and starts the template itself, before it loads
  // this module (see main.ts); other callers leave both to this function.
  const release =
    options.claimed?.release ??
    (options.dataDir.startsWith('memory:') ? () => {} : claimDataDir(options.dataDir));
  await options.claimed?.template.catch((error: unknown) => {
    release();
    throw error;
  });
  // payments-sandbox: the sandbox processor's own database (payments opens `<payments>-sandbox`).
  const dirOf = await prepareDirectories(options.dataDir, [
    'bus',
    'webhooks',
    'payments-sandbox',
    ...names,
  ]).catch((error: unknown) => {
    release();
    throw error;
  });
  const busDb = await PGlite.create(await dirOf('bus'));
  const bus = new LocalBus({ db: busDb });
  const store = new MemoryStore();

  const running: { name: string; service: RunningService }[] = [];
  let webhooks: WebhookSidecar | undefined;
  let gateway: RunningGateway | undefined;
  const stop = async () => {
    const logged = (what: string) => (err: unknown) => logger.error({ err }, `${what}: stop failed`);
    await gateway?.stop().catch(logged('gateway'));
    await Promise.all(running.map(({ name, service }) => service.stop().catch(logged(name))));
    await webhooks?.close().catch(logged('webhooks'));
    await bus.close();
    await busDb.close();
    await store.close();
    release();
  };

  try {
    // The sidecar first: payments signs the sandbox's webhooks for wherever it listens.
    webhooks = await startWebhookSidecar({
      ...webhookOptionsFromEnv(options.env),
      ...(freePorts ? { port: 0 } : {}),
      host: '127.0.0.1',
      infra: { bus, pgliteDir: await dirOf('webhooks') },
    });
    progress('webhooks');
    // Unless told otherwise, payments signs the sandbox's webhooks for wherever the sidecar listens.
    const env = { SANDBOX_WEBHOOK_URL: `${webhooks.url}/webhooks/sandbox`, ...options.env };
    await inParallel(await definitions(env), 2, async (definition) => {
      const pgliteDir = await dirOf(definition.name);
      if (definition.name === 'payments') await dirOf('payments-sandbox');
      const service = await launchService(definition, {
        env,
        store,
        infra: { bus, pgliteDir },
        ...(freePorts ? { port: 0 } : {}),
      });
      running.push({ name: definition.name, service });
      progress(definition.name);
    });
    gateway = await startGateway({
      port: options.gatewayPort ?? 4000,
      host: '127.0.0.1',
      env,
      store,
      subgraphUrls: Object.fromEntries(running.map(({ name, service }) => [name, service.server.url])),
    });
    progress('gateway');
  } catch (error) {
    await stop();
    throw error;
  }
  // Every endpoint's readiness at once: the process is one unit for whoever routes to it.
  const beginDrain = () => {
    gateway?.beginDrain();
    for (const { service } of running) service.beginDrain();
    webhooks?.beginDrain();
  };
  return { gateway, services: running.map((r) => r.service), webhooks, beginDrain, stop };
}
