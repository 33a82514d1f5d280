import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startMarketplace, uniqueSuffix, type Marketplace } from '@marketplace/platform/testing';
import { buildPlan, demoTokens, Seeder, silentReporter, type SeedSummary } from '../../cli/src/seed/index.js';
import { journey } from './journey.js';

// The demo seeder on a small store: everything planned ends up in the marketplace through the
// gateway, a second run with the same seed creates nothing, and a check run finds it all.
const suffix = uniqueSuffix();
const word = suffix.replace(/[^a-z0-9]/gi, '').toLowerCase();
const admin = { email: `admin-${word}@e2e.example.com`, password: 'Seeder-admin-passphrase-42' };
// Stacks share the broker, and inventory keeps SKUs learned from any stack's events: a prefix per run.
const keyPrefix = `S${word.slice(-8).toUpperCase()}`;
const plan = buildPlan({ seed: 7, keyPrefix, sellers: 3, products: 60, buyers: 4, orders: 1 });
let market: Marketplace;
const { call } = journey(() => market.gatewayUrl, word);

const seed = (check = false): Promise<SeedSummary> =>
  new Seeder({
    gatewayUrl: market.gatewayUrl,
    admin,
    plan,
    check,
    concurrency: 8,
    reporter: silentReporter,
  }).seed();
const byPhase = (summary: SeedSummary) => Object.fromEntries(summary.phases.map((p) => [p.phase, p]));

beforeAll(async () => {
  market = await startMarketplace(suffix, (ports) => ({
    ACCOUNTS_ADMIN_EMAIL: admin.email,
    ACCOUNTS_ADMIN_PASSWORD: admin.password,
    PAYMENTS_SANDBOX_ENABLED: 'true',
    SANDBOX_WEBHOOK_SECRET: `whsec_sandbox_${word}`,
    SANDBOX_WEBHOOK_URL: `http://127.0.0.1:${ports.webhooks}/webhooks/sandbox`,
    // Fewer than the plan's 7 accounts: the seeder registers as the admin, whom it does not count.
    ACCOUNTS_REGISTRATIONS_PER_CLIENT: '2',
  }));
}, 300_000);

afterAll(async () => {
  await market?.stop();
});

describe('pnpm seed', () => {
  let first: SeedSummary;

  it('creates every planned seller, product, stock level, coupon, buyer and order', async () => {
    first = await seed();
    expect(first.failures).toEqual([]);
    for (const phase of first.phases)
      expect([phase.phase, phase.created + phase.existing]).toEqual([phase.phase, phase.total]);
    const phases = byPhase(first);
    expect(phases.sellers!.created).toBe(3);
    expect(phases.products!.created).toBe(60);
    expect(phases.orders!.created).toBe(1);

    // What the plan says is what the storefront shows: names, prices in the seller's currency.
    const planned = plan.products[0]!;
    const seller = plan.sellers[0]!;
    const token = (
      await call(
        `mutation { login(input: { email: "${seller.email}", password: "${seller.password}" }) { ... on AuthPayload { accessToken } } }`,
      )
    ).accessToken;
    const mine = await call(
      `{ myProducts(limit: 100) { name status variants { sku price { amount currency } stock { onHand } } } }`,
      {},
      token,
    );
    const found = mine.find(
      (p: { variants: { sku: string }[] }) => p.variants[0]!.sku === planned.variants[0]!.sku,
    );
    expect(found).toMatchObject({ name: planned.name, status: 'PUBLISHED' });
    expect(found.variants.map((v: { price: object }) => v.price)).toEqual(
      planned.variants.map((v) => v.price),
    );
    expect(mine).toHaveLength(plan.products.filter((p) => p.sellerNumber === 1).length);
  }, 300_000);

  it('creates nothing on a second run with the same seed, and a check run finds everything', async () => {
    const second = await seed();
    expect(second.failures).toEqual([]);
    for (const phase of second.phases) {
      expect([phase.phase, phase.created, phase.existing]).toEqual([phase.phase, 0, phase.total]);
    }
    expect(second.phases.map((p) => p.total)).toEqual(first.phases.map((p) => p.total));
    const check = await seed(true);
    expect(check.failures).toEqual([]);
  }, 120_000);

  it('signs the demo buyer, seller and admin in for ready-to-use tokens', async () => {
    const tokens = await demoTokens(market.gatewayUrl, admin);
    expect(tokens.accounts.map((a) => a.role)).toEqual(['buyer', 'seller', 'admin']);
    const me = await call(`{ me { email role } }`, {}, tokens.accounts[1]!.accessToken);
    expect(me).toEqual({ email: plan.sellers[0]!.email, role: 'SELLER' });
  });
});
