import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { uniqueSuffix } from '@marketplace/platform/testing';
import { eventually, journey } from './journey.js';

/*
 * The embedded profile end to end: the whole marketplace in this process on embedded Postgres,
 * the in-process bus, Postgres full-text search and the in-memory store. The same journey as
 * on the services profile: a store approved, a product published and found by search, a
 * sandbox-card checkout that runs the saga over the bus to a paid order. Then the process
 * "restarts" on the same directory and the data is still there.
 */
const word = uniqueSuffix()
  .replace(/[^a-z0-9]/gi, '')
  .toLowerCase();
const admin = { email: `admin-${word}@e2e.example.com`, password: 'Embedded-admin-passphrase-7' };
const dataDir = mkdtempSync(join(tmpdir(), 'embedded-e2e-'));
const MAIN = fileURLToPath(new URL('../../embedded/dist/main.js', import.meta.url));

/** The start command's process (`pnpm start` runs it): its output, and the gateway URL it prints. */
interface Started {
  child: ChildProcess;
  output: string[];
  gatewayUrl: string;
}

/** Starts the marketplace as `pnpm start` does, on free ports and the test's directory. */
async function start(): Promise<Started> {
  const child = spawn(process.execPath, [MAIN], {
    env: {
      ...process.env,
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      EMBEDDED_DATA_DIR: dataDir,
      GATEWAY_PORT: '0',
      EMBEDDED_SEED: 'off',
      ACCOUNTS_ADMIN_EMAIL: admin.email,
      ACCOUNTS_ADMIN_PASSWORD: admin.password,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const gatewayUrl = await eventually(
    async () => {
      if (child.exitCode !== null)
        throw new Error(`exited ${child.exitCode}: ${output.join('').slice(-3000)}`);
      return /GraphQL endpoint\s*:\s*(\S+)/.exec(output.join(''))?.[1];
    },
    'the start command prints the gateway URL',
    240_000,
  );
  return { child, output, gatewayUrl };
}

async function stop(started: Started | undefined): Promise<void> {
  if (!started || started.child.exitCode !== null) return;
  const exited = new Promise((resolve) => started.child.once('exit', resolve));
  started.child.kill('SIGTERM');
  await exited;
}

let market: Started | undefined;
const {
  gql,
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
} = journey(() => market!.gatewayUrl, word);
const SKU = `EMB-${word}-LAMP`.toUpperCase();

beforeAll(async () => {
  market = await start();
}, 300_000);

afterAll(async () => {
  await stop(market);
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the embedded profile', () => {
  let productId: string;

  it('runs a store, a searchable product and a paid checkout without any external server', async () => {
    // The start command shows its progress, one line per process that became ready.
    expect(market!.output.join('')).toMatch(/(\d+)\/\1 gateway ready/);
    const adminToken = await login(admin.email, admin.password);
    const seller = await registerSeller('embedded');
    await approveStore(seller.storeId, adminToken);
    const category = await createCategory('Lighting', adminToken);
    productId = await listProduct(seller.token, {
      name: `Brass desk lamp ${word}`,
      description: 'A warm brass lamp with a linen shade',
      sku: SKU,
      amount: 4500,
      onHand: 5,
      categoryId: category,
    });

    // Search (Postgres full-text) learns of the product from the bus.
    const found = await eventually(async () => {
      const r = await call(
        `query($q: String!) { searchProducts(query: $q) { ... on ProductSearchResult { total products { id inStock } } } }`,
        { q: `brass lamp ${word}` },
      );
      return r.total > 0 ? r : undefined;
    }, 'search finds the product');
    expect(found.products[0]).toMatchObject({ id: productId });

    const buyer = await registerBuyer('Embedded Buyer');
    const cartId = await addToCart(SKU, 2, buyer.token);
    const { body } = await placeSandboxOrder(buyer.token, cartId, 'Em Bedded', `embedded-${word}`);
    const started = body.data.placeOrder;
    expect(started.checkout.status).toBe('RUNNING');
    const done = await settled(started.checkout.id, buyer.token);
    expect(done).toMatchObject({ status: 'COMPLETED', failure: null });
    const paid = await eventually(async () => {
      const o = await call(
        `{ order(id: "${done.orderId}") { status total { amount currency } } }`,
        {},
        buyer.token,
      );
      return o?.status === 'PAID' ? o : undefined;
    }, 'the sandbox capture marks the order paid');
    expect(paid.total.currency).toBe('EUR');
    const stock = await call(`{ myStock { items { sku onHand available } } }`, {}, seller.token);
    expect(stock.items.find((i: { sku: string }) => i.sku === SKU)).toMatchObject({
      onHand: 5,
      available: 3,
    });
  }, 300_000);

  it('refuses amounts that are not minor units and control characters, as the services profile does', async () => {
    const seller = await registerSeller('bounds');
    const create = (name: string, amount: unknown) =>
      gql(
        `mutation($input: CreateProductInput!) { createProduct(input: $input) {
          ... on ProductPayload { product { id } } ... on ErrorResult { code field } } }`,
        {
          input: {
            name,
            description: 'Input bounds',
            variants: [{ sku: `EMB-${word}-B`, name: 'Standard', price: { amount, currency: 'EUR' } }],
          },
        },
        seller.token,
      );
    const fraction = await create(`Fraction ${word}`, 25.99);
    expect(fraction.res.status).toBe(400);
    expect(fraction.body.errors?.[0]).toMatchObject({
      extensions: { code: 'BAD_USER_INPUT' },
      message: expect.stringContaining('2599 for 25.99'),
    });
    expect((await create(`Dear ${word}`, 2 ** 53 - 1)).body.data.createProduct).toEqual({
      code: 'MONEY.OUT_OF_RANGE',
      field: 'price',
    });
    expect((await create(`Lamp\u0000${word}`, 100)).body.data.createProduct).toEqual({
      code: 'VALIDATION.CONTROL_CHARACTERS',
      field: 'name',
    });
    // Postgres full-text search used to fail on the NUL ("insufficient data left in message").
    const search = await gql(
      `query($q: String!) { searchProducts(query: $q) { ... on ErrorResult { code field } } }`,
      {
        q: 'lamp\u0000',
      },
    );
    expect(search.body).toMatchObject({
      data: { searchProducts: { code: 'VALIDATION.CONTROL_CHARACTERS', field: 'query' } },
    });
  });

  it('keeps its data across a restart on the same directory', async () => {
    await stop(market);
    market = await start();
    const product = await call(`{ product(id: "${productId}") { id status } }`);
    expect(product).toEqual({ id: productId, status: 'PUBLISHED' });
  }, 300_000);
});
