import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startMarketplace, uniqueSuffix, type Marketplace } from '@marketplace/platform/testing';
import { eventually, journey } from './journey.js';

/*
 * One checkout is one trace: the stack exports its spans by OTLP/HTTP JSON to a receiver this
 * test runs, and every service the saga passes through reports spans under the trace id the
 * client started. Every process serves Prometheus metrics at /metrics.
 */
const suffix = uniqueSuffix();
const word = suffix.replace(/[^a-z0-9]/gi, '').toLowerCase();
const admin = { email: `admin-${word}@e2e.example.com`, password: 'Observability-admin-42' };
let market: Marketplace;
const {
  call,
  login,
  registerSeller,
  registerBuyer,
  approveStore,
  createCategory,
  listProduct,
  placeSandboxOrder,
  settled,
  addToCart,
} = journey(() => market.gatewayUrl, word);

/** A span as the receiver keeps it: enough to group by trace and service. */
interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
}

/** The smallest OTLP/HTTP JSON traces receiver: POST /v1/traces, spans kept in memory. */
async function startOtlpReceiver(): Promise<{ url: string; spans: ReceivedSpan[]; server: Server }> {
  const spans: ReceivedSpan[] = [];
  type AnyValue = { stringValue?: string };
  type OtlpBody = {
    resourceSpans?: {
      resource?: { attributes?: { key: string; value: AnyValue }[] };
      scopeSpans?: { spans?: { traceId: string; spanId: string; parentSpanId?: string; name: string }[] }[];
    }[];
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/v1/traces') {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpBody;
        for (const resource of body.resourceSpans ?? []) {
          const service =
            resource.resource?.attributes?.find((a) => a.key === 'service.name')?.value.stringValue ?? '?';
          for (const scope of resource.scopeSpans ?? []) {
            for (const span of scope.spans ?? []) {
              spans.push({
                service,
                traceId: span.traceId,
                spanId: span.spanId,
                parentSpanId: span.parentSpanId,
                name: span.name,
              });
            }
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans, server };
}

/** The value of one sample in Prometheus text, whatever the order of its labels. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(match[3]);
  }
  return undefined;
}

const metricsOf = async (port: number) => {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  return res.text();
};

let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
const SKU = `OBS-${word}-LAMP`.toUpperCase();

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  market = await startMarketplace(
    suffix,
    {
      ACCOUNTS_ADMIN_EMAIL: admin.email,
      ACCOUNTS_ADMIN_PASSWORD: admin.password,
      PAYMENTS_SANDBOX_ENABLED: 'true',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      // The test is the trusted caller whose trace the checkout continues.
      GATEWAY_TRUST_TRACEPARENT: 'true',
      // Spans leave every half second, so the test does not wait for the 5 s default.
      OTEL_BSP_SCHEDULE_DELAY: '500',
    },
    ['products', 'inventory', 'accounts', 'cart', 'coupons', 'checkout', 'orders', 'payments', 'shipping'],
  );
  const adminToken = await login(admin.email, admin.password);
  const seller = await registerSeller('lumen');
  await approveStore(seller.storeId, adminToken);
  const category = await createCategory('Lighting', adminToken);
  await listProduct(seller.token, {
    name: `Desk lamp ${word}`,
    description: 'A lamp for the observability journey',
    sku: SKU,
    amount: 2500,
    onHand: 10,
    categoryId: category,
  });
}, 600_000);

afterAll(async () => {
  await market?.stop();
  await new Promise((resolve) => receiver?.server.close(resolve));
});

describe('observability across the stack', () => {
  it('one checkout is one trace through gateway, checkout, inventory, payments, orders and cart', async () => {
    const buyer = await registerBuyer('Otto Trace');
    await addToCart(SKU, 1, buyer.token);
    const cart = await call(`{ myCart { id } }`, {}, buyer.token);

    // The client starts the trace and names the request.
    const traceId = randomBytes(16).toString('hex');
    const correlationId = `obs-${word}`;
    const { res, body } = await placeSandboxOrder(buyer.token, cart.id, 'Otto Trace', `obs-${word}`, {
      traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`,
      'x-correlation-id': correlationId,
    });
    expect(body.errors).toBeUndefined();
    expect(res.headers.get('x-correlation-id')).toBe(correlationId);
    const checkoutId = body.data.placeOrder.checkout.id as string;
    expect((await settled(checkoutId, buyer.token)).status).toBe('COMPLETED');

    // Every service the saga passed through exported spans under the client's trace id.
    const expected = ['gateway', 'checkout', 'inventory', 'payments', 'orders', 'cart'];
    const services = await eventually(
      async () => {
        const seen = new Set(receiver.spans.filter((s) => s.traceId === traceId).map((s) => s.service));
        return expected.every((s) => seen.has(s)) ? seen : undefined;
      },
      'spans of every saga service arrive under the trace id',
      60_000,
    );
    expect([...services]).toEqual(expect.arrayContaining(expected));
    const inTrace = receiver.spans.filter((s) => s.traceId === traceId);
    // The hops are linked: gateway fetch -> checkout server span; relay send -> consumer process.
    const byId = new Map(inTrace.map((s) => [s.spanId, s]));
    const checkoutServer = inTrace.find((s) => s.service === 'checkout' && s.name.startsWith('mutation'));
    expect(checkoutServer).toBeDefined();
    expect(byId.get(checkoutServer!.parentSpanId!)).toMatchObject({
      service: 'gateway',
      name: 'POST checkout',
    });
    const inventoryProcess = inTrace.find(
      (s) => s.service === 'inventory' && s.name === 'process inventory.commands',
    );
    expect(inventoryProcess).toBeDefined();
    expect(byId.get(inventoryProcess!.parentSpanId!)).toMatchObject({
      service: 'checkout',
      name: 'send inventory.commands',
    });
  }, 300_000);

  it('serves Prometheus metrics on the gateway, a subgraph and the webhook sidecar', async () => {
    const gateway = await metricsOf(market.ports.gateway);
    expect(
      sample(gateway, 'request_duration_seconds_count', {
        service: 'gateway',
        operation_type: 'mutation',
        outcome: 'ok',
      }),
    ).toBeGreaterThan(0);
    expect(sample(gateway, 'process_resident_memory_bytes', { service: 'gateway' })).toBeGreaterThan(0);

    const checkout = await metricsOf(market.ports.checkout);
    expect(sample(checkout, 'outbox_backlog', { service: 'checkout' })).toBeGreaterThanOrEqual(0);
    expect(sample(checkout, 'outbox_lag_seconds', { service: 'checkout' })).toBeGreaterThanOrEqual(0);
    // The one checkout has finished: none under way.
    expect(sample(checkout, 'checkout_sagas', { service: 'checkout', state: 'RUNNING' })).toBe(0);
    expect(sample(checkout, 'checkout_sagas', { service: 'checkout', state: 'COMPENSATING' })).toBe(0);
    expect(
      sample(checkout, 'request_duration_seconds_count', {
        service: 'checkout',
        operation_type: 'mutation',
        outcome: 'ok',
      }),
    ).toBeGreaterThan(0);
    expect(
      sample(checkout, 'consumer_messages_total', { service: 'checkout', outcome: 'processed' }),
    ).toBeGreaterThan(0);
    expect(sample(checkout, 'consumer_lag', { service: 'checkout', partition: '0' })).toBeGreaterThanOrEqual(
      0,
    );
    expect(checkout).toContain('# TYPE dead_letters_total counter');

    const webhooks = await metricsOf(market.ports.webhooks);
    expect(sample(webhooks, 'outbox_backlog', { service: 'webhooks' })).toBeGreaterThanOrEqual(0);

    // /metrics needs no gateway secret, unlike the subgraph's GraphQL endpoint.
    const graphql = await fetch(`http://127.0.0.1:${market.ports.inventory}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query":"{ __typename }"}',
    });
    expect(graphql.status).toBe(403);
    expect(
      sample(await metricsOf(market.ports.inventory), 'outbox_backlog', { service: 'inventory' }),
    ).toBeGreaterThanOrEqual(0);
  }, 120_000);
});
