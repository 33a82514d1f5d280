import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { signAccessToken } from '@marketplace/platform';
import { uniqueSuffix } from '@marketplace/platform/testing';
import { runLoad, type Sent } from '../faults/support/load.js';
import { eventually, journey } from './journey.js';

/*
 * The embedded profile end to end: the whole marketplace in this process on embedded Postgres,
 * the in-process bus, Postgres full-text search and the in-memory store. The same journey as
 * on the services profile: a store approved, a product published and found by search, a
 * sandbox-card checkout that runs the saga over the bus to a paid order. Then the process gets
 * SIGTERM while sign-ups are in flight, stops gracefully, "restarts" on the same directory and
 * the data is still there, every answered sign-up included.
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
      // The graceful-stop test signs up thirty buyers from 127.0.0.1 in seconds; the per-address
      // registration throttle (accounts README) is the security suite's to test.
      ACCOUNTS_REGISTRATIONS_PER_CLIENT: '100000',
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

  it('stops gracefully under load and keeps its data (every answered sign-up included) and its secrets across a restart', async () => {
    const adminToken = await login(admin.email, admin.password);
    const { id: adminId } = await call(`{ me { id } }`, {}, adminToken);
    const child = market!.child;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    // Thirty sign-ups, six at a time (argon2 and embedded Postgres make each one take a while);
    // SIGTERM once six are answered.
    let signalAt = Number.POSITIVE_INFINITY;
    const results = await runLoad({
      url: market!.gatewayUrl,
      total: 30,
      concurrency: 6,
      body: (i) => ({
        query: `mutation($input: RegisterBuyerInput!) { registerBuyer(input: $input) {
          ... on AuthPayload { accessToken user { id } } ... on ErrorResult { code } } }`,
        variables: {
          input: {
            email: `stop-${i}-${word}@e2e.example.com`,
            password: 'Stop-buyer-password-3',
            name: `Stop ${i}`,
          },
        },
      }),
      onAnswer: (answered) => {
        if (answered !== 6) return;
        signalAt = performance.now();
        child.kill('SIGTERM');
      },
    });
    expect(await exited).toBe(0);
    const signedUp = (r: Sent) => {
      const payload = r.answer?.status === 200 ? JSON.parse(r.answer.body).data?.registerBuyer : undefined;
      return payload?.accessToken ? (payload as { accessToken: string; user: { id: string } }) : undefined;
    };
    // Every request written before the signal was answered, and signed its buyer up.
    const before = results.filter((r) => r.sentAt !== undefined && r.sentAt < signalAt);
    expect(before.filter((r) => !signedUp(r)).map((r) => r.refused ?? r.truncated ?? r.answer?.body)).toEqual(
      [],
    );
    expect(results.filter((r) => r.truncated)).toEqual([]);

    market = await start();
    const product = await call(`{ product(id: "${productId}") { id status } }`);
    expect(product).toEqual({ id: productId, status: 'PUBLISHED' });
    for (const answered of results.map(signedUp).filter((a) => a !== undefined)) {
      expect(await call(`{ me { id } }`, {}, answered.accessToken)).toEqual({ id: answered.user.id });
    }

    // The secrets were made for this directory on its first start and kept with its data: a
    // token from before the restart is still good, one signed with the development default
    // printed in the source is not, and none of them was printed.
    expect(await call(`{ me { email } }`, {}, adminToken)).toEqual({ email: admin.email });
    const forged = await signAccessToken(
      { userId: adminId, role: 'admin', sellerId: null },
      'dev-only-jwt-secret-change-me-0123456789abcdef',
    );
    const { body } = await gql(`{ me { email } }`, {}, forged);
    expect(body.data?.me ?? null).toBeNull();
    expect(body.errors?.length).toBeGreaterThan(0);
    const file = join(dataDir, 'secrets.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const output = market!.output.join('');
    for (const secret of Object.values(JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>))
      expect(output).not.toContain(secret);
  }, 300_000);
});
