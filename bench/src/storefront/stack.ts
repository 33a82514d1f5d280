import { randomBytes } from 'node:crypto';
import {
  BENCH_GATEWAY_ENV,
  freePort,
  startMarketplace,
  startProcess,
  stopProcess,
  SUBGRAPHS,
  uniqueSuffix,
  waitReady,
  type Marketplace,
  type Process,
  type SubgraphName,
} from '../lib/processes.js';
import { seedCategory } from './catalog.js';

export interface StorefrontStack {
  stack: Marketplace;
  /** The stack's own gateway, with the response cache off. */
  gatewayUrl: string;
  /** A second gateway process over the same subgraphs with the response cache on. */
  cachedGatewayUrl: string;
  cachedGateway: Process;
  categoryId: string;
  subgraphUrl(name: 'products' | 'inventory' | 'accounts' | 'reviews'): string;
  stop(): Promise<void>;
}

/** The subgraphs a category listing touches, and those their events come from. */
export const STOREFRONT_SUBGRAPHS = [
  'accounts',
  'products',
  'inventory',
  'reviews',
] as const satisfies readonly SubgraphName[];

/**
 * The marketplace on fresh databases (the given subgraphs, by default all, and the gateway),
 * a seeded category, and a cached twin of the gateway.
 */
export async function startStorefront(
  log: (message: string) => void,
  running: readonly SubgraphName[] = SUBGRAPHS,
): Promise<StorefrontStack> {
  const suffix = uniqueSuffix();
  const admin = {
    email: `bench-admin-${suffix}@bench.example.com`,
    password: `Bench-admin-${randomBytes(6).toString('hex')}`,
  };
  log(
    `starting the marketplace: ${running.length === SUBGRAPHS.length ? 'every subgraph, webhooks' : running.join(', ')}, gateway`,
  );
  const env = {
    ACCOUNTS_ADMIN_EMAIL: admin.email,
    ACCOUNTS_ADMIN_PASSWORD: admin.password,
    RESPONSE_CACHE: 'off',
    ...BENCH_GATEWAY_ENV,
  };
  // On a busy machine a service may miss startMarketplace's readiness deadline: one more try.
  const stack = await startMarketplace(suffix, env, running).catch((error: Error) => {
    log(`${error.message.split('\n')[0]}; starting again`);
    return startMarketplace(`${suffix}r`, env, running);
  });
  let cachedGateway: Process | undefined;
  try {
    const port = await freePort();
    const routing = Object.fromEntries(
      SUBGRAPHS.map((name) => [`${name.toUpperCase()}_URL`, `http://127.0.0.1:${stack.ports[name]}/graphql`]),
    );
    cachedGateway = startProcess('gateway-cached', 'gateway/dist/main.js', {
      ...routing,
      ...BENCH_GATEWAY_ENV,
      GATEWAY_PORT: String(port),
      CONSUMER_GROUP_SUFFIX: `e2e-${suffix}`,
      RESPONSE_CACHE: 'on',
    });
    await waitReady(cachedGateway, `http://127.0.0.1:${port}/health`);
    log('seeding 4 sellers and 20 products in one category');
    const { categoryId } = await seedCategory(stack.gatewayUrl, admin, suffix);
    const gatewayProcess = cachedGateway;
    return {
      stack,
      gatewayUrl: stack.gatewayUrl,
      cachedGatewayUrl: `http://127.0.0.1:${port}/graphql`,
      cachedGateway: gatewayProcess,
      categoryId,
      subgraphUrl: (name) => `http://127.0.0.1:${stack.ports[name]}/graphql`,
      stop: async () => {
        await stopProcess(gatewayProcess);
        await stack.stop();
      },
    };
  } catch (error) {
    // The services log at warn level: their complaints usually say what went wrong.
    for (const [name, proc] of stack.processes) {
      const warnings = proc.output.join('').trim();
      if (warnings) log(`${name} said:\n${warnings.slice(-2000)}`);
    }
    if (cachedGateway) await stopProcess(cachedGateway);
    await stack.stop();
    throw error;
  }
}
