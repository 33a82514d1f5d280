/**
 * The one list of subgraphs. Everything else that names them is generated from it or reads it:
 * supergraph.yaml, the tsconfig references, the embedded profile's dependencies, the compose
 * services, the Dockerfile's ports, the README's subgraph rows and bench/peer/supergraph.yaml are
 * written by `pnpm registry` (scripts/registry.ts; its `--check` in `pnpm lint` fails when one
 * disagrees); the services (their default port and database), the embedded profile, the test
 * stack, scripts/up.sh and the benchmarks read it at run time. Adding a subgraph: CONTRIBUTING.md.
 *
 * Plain data without imports, so that Node loads this file as it is (types stripped) in
 * scripts/registry.ts, before anything is built.
 */
export const SUBGRAPH_REGISTRY = [
  {
    name: 'products',
    port: 4001,
    database: 'mp_products',
    peerBench: true,
    summary: 'products, variants with SKUs, prices, images, categories, publishing workflow',
  },
  {
    name: 'inventory',
    port: 4002,
    database: 'mp_inventory',
    peerBench: true,
    summary: 'stock per SKU, reservations with expiry, cart holds; `Variant.stock`',
  },
  {
    name: 'search',
    port: 4003,
    database: 'mp_search',
    peerBench: false,
    summary: 'Elasticsearch projection: full text, filters, facets, sort, rebuild',
  },
  {
    name: 'accounts',
    port: 4004,
    database: 'mp_accounts',
    peerBench: true,
    summary: 'users, sign-in with rotating refresh tokens, stores and their approval, addresses',
  },
  {
    name: 'cart',
    port: 4005,
    database: 'mp_cart',
    peerBench: false,
    summary: 'guest and buyer carts, merge on sign-in, prices re-read on every view',
  },
  {
    name: 'coupons',
    port: 4006,
    database: 'mp_coupons',
    peerBench: false,
    summary: 'platform and seller coupons, `Cart.pricing`, redemption limits',
  },
  {
    name: 'checkout',
    port: 4007,
    database: 'mp_checkout',
    peerBench: false,
    summary: 'the checkout saga: persisted steps, compensations, timeouts, idempotency keys',
  },
  {
    name: 'orders',
    port: 4008,
    database: 'mp_orders',
    peerBench: false,
    summary: 'orders with per-seller sub-orders, their state machine, cancellations, refunds',
  },
  {
    name: 'payments',
    port: 4009,
    database: 'mp_payments',
    peerBench: false,
    summary: 'payments, attempts and refunds, providers, double-entry ledger, reconciliation',
  },
  {
    name: 'shipping',
    port: 4010,
    database: 'mp_shipping',
    peerBench: false,
    summary: 'rate table and quotes, one shipment per sub-order, dispatch and delivery',
  },
  {
    name: 'notifications',
    port: 4011,
    database: 'mp_notifications',
    peerBench: false,
    summary: "templates, channels and preferences; the buyer's `myNotifications`",
  },
  {
    name: 'reviews',
    port: 4013,
    database: 'mp_reviews',
    peerBench: true,
    summary: "buyers' ratings of delivered products; `Product.rating` and `Seller.rating`",
  },
  {
    name: 'operations',
    port: 4014,
    database: 'mp_operations',
    peerBench: false,
    summary: 'admin tools: dead letters (inspect, replay, discard), read-model rebuild jobs',
  },
] as const satisfies readonly SubgraphEntry[];

/** The processes beside the subgraphs, on the ports the subgraphs must not take. */
export const GATEWAY_PORT = 4000;
export const WEBHOOKS = { name: 'webhooks', port: 4012, database: 'mp_webhooks' } as const;

export interface SubgraphEntry {
  /** The folder under subgraphs/, the package @marketplace/<name>, the prefix of its <NAME>_* settings. */
  name: string;
  /** Where it listens in the services profile (<NAME>_PORT overrides) and the embedded one. */
  port: number;
  /** Its PostgreSQL database (<NAME>_DB overrides); tests use their own. */
  database: string;
  /** Whether bench scenario 1 runs a peer-workload stand-in of it (bench/src/peer). */
  peerBench: boolean;
  /** What it owns, in a line: its row of the README's "Where to look" table. */
  summary: string;
}

export type SubgraphName = (typeof SUBGRAPH_REGISTRY)[number]['name'];

export const SUBGRAPH_NAMES: readonly SubgraphName[] = SUBGRAPH_REGISTRY.map((s) => s.name);

/** The registry's entry for a service name, if it is a subgraph. */
export function registeredSubgraph(name: string): SubgraphEntry | undefined {
  return SUBGRAPH_REGISTRY.find((s) => s.name === name);
}

/**
 * A service's PostgreSQL database: `<NAME>_DB` when set, else the registry's, else `mp_<name>`. The
 * service opens it, and so do operator tools reading its tables (the CLI's dead outbox rows).
 */
export function serviceDatabase(name: string, env: Record<string, string | undefined>): string {
  return env[`${name.toUpperCase()}_DB`] ?? registeredSubgraph(name)?.database ?? `mp_${name}`;
}

/** The subgraphs bench scenario 1 runs as peer-workload stand-ins (bench/src/peer, bench/peer/<name>.graphql). */
export type PeerBenchSubgraph = Extract<(typeof SUBGRAPH_REGISTRY)[number], { peerBench: true }>['name'];
export const PEER_BENCH_SUBGRAPHS = SUBGRAPH_REGISTRY.filter((s) => s.peerBench).map(
  (s) => s.name as PeerBenchSubgraph,
);
