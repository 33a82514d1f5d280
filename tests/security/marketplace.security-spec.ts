import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { serverAudits, type AuditResult } from 'graphql-http';
import {
  SUBGRAPHS,
  startMarketplace,
  startProcess,
  stopProcess,
  uniqueSuffix,
  waitReady,
  type Marketplace,
  type Process,
} from '@marketplace/platform/testing';
import { journey } from '../e2e/journey.js';
import { bearer, countingProxy, post, totalCalls, type Answer, type CountingProxy } from './support.js';

/**
 * Abuse tests against one real stack (every subgraph, the gateway) and a second gateway process
 * in production mode over the same subgraphs. The gateways reach the subgraphs through counting
 * proxies, so "refused before any resolver runs" is checked as "no request reached a subgraph".
 */
const suffix = uniqueSuffix();
const word = suffix.replace(/[^a-z0-9]/gi, '').toLowerCase();
const admin = { email: `admin-${word}@security.example.com`, password: 'Security-suite-admin-42' };
// Real secrets: the production gateway refuses to start with the development defaults.
const SECRETS = {
  AUTH_JWT_SECRET: `security-jwt-${suffix}-0123456789abcdef0123456789`,
  GATEWAY_SHARED_SECRET: `security-gateway-${suffix}-0123456789`,
};
// Small buckets, different per class, so each can be used up in a few requests; fast leaks so
// they refill within a second or two.
const BUDGETS = {
  anonymous: { capacity: 500, leak: 100 },
  buyer: { capacity: 600, leak: 100 },
  seller: { capacity: 800, leak: 100 },
};
const GUESS_WINDOW_SECONDS = 900;
const LOGIN_WINDOW_SECONDS = 900;
/**
 * accounts' default allowance of registrations per client address; counted here over a window
 * longer than the whole file (the default is a minute), so every registration the earlier tests
 * made from this address counts and the test cannot straddle a window's end.
 */
const REGISTRATIONS_PER_ADDRESS = 8;
const REGISTRATION_WINDOW_SECONDS = 3600;

let market: Marketplace;
let production: Process;
let productionUrl: string;
const proxies = new Map<string, CountingProxy>();
const calls = () => totalCalls(proxies.values());
const {
  call,
  login,
  registerSeller,
  registerBuyer,
  approveStore,
  createCategory,
  setStock,
  publish,
  addToCart,
} = journey(() => market.gatewayUrl, word);
const gateway = (body: unknown, headers: Record<string, string> = {}) =>
  post(market.gatewayUrl, body, headers);
const codeOf = (a: Answer) => a.json?.errors?.[0]?.extensions?.code as string | undefined;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  for (const name of SUBGRAPHS) proxies.set(name, await countingProxy());
  const budgetEnv = Object.fromEntries(
    Object.entries(BUDGETS).flatMap(([cls, b]) => [
      [`GATEWAY_BUDGET_${cls.toUpperCase()}_CAPACITY`, String(b.capacity)],
      [`GATEWAY_BUDGET_${cls.toUpperCase()}_LEAK_PER_SECOND`, String(b.leak)],
    ]),
  );
  const routing = Object.fromEntries(
    SUBGRAPHS.map((name) => [`${name.toUpperCase()}_URL`, proxies.get(name)!.url]),
  );
  market = await startMarketplace(suffix, (ports) => {
    for (const name of SUBGRAPHS) proxies.get(name)!.target = ports[name];
    return {
      ...SECRETS,
      ...budgetEnv,
      ...routing,
      ACCOUNTS_ADMIN_EMAIL: admin.email,
      ACCOUNTS_ADMIN_PASSWORD: admin.password,
      COUPONS_GUESS_WINDOW_SECONDS: String(GUESS_WINDOW_SECONDS),
      // The product's allowance, not the test stacks' raised one (see the last test).
      ACCOUNTS_REGISTRATIONS_PER_CLIENT: String(REGISTRATIONS_PER_ADDRESS),
      ACCOUNTS_REGISTRATION_WINDOW_SECONDS: String(REGISTRATION_WINDOW_SECONDS),
    };
  });
  const port = await freePort();
  productionUrl = `http://127.0.0.1:${port}/graphql`;
  production = startProcess('gateway (production)', 'gateway/dist/main.js', {
    ...SECRETS,
    ...routing,
    NODE_ENV: 'production',
    GATEWAY_PORT: String(port),
    GATEWAY_BUDGET_PREFIX: `gateway:budget:security-production:${suffix}`,
    // Nothing listens here: a subgraph that cannot be reached must not leak how it failed.
    SHIPPING_URL: `http://127.0.0.1:${await freePort()}/graphql`,
  });
  await waitReady(production, `http://127.0.0.1:${port}/health`);
  // Twelve processes start at once; on a busy machine that takes longer than one test may.
}, 240_000);

afterAll(async () => {
  if (process.env.SECURITY_DEBUG) {
    for (const [name, proc] of market?.processes ?? []) console.log(name, proc.output.join('').slice(-3000));
  }
  if (production) await stopProcess(production);
  await market?.stop();
  await Promise.all([...proxies.values()].map((p) => p.close()));
});

describe('GraphQL over HTTP conformance (graphql-http server audits)', () => {
  it('passes every MUST', async () => {
    const results: AuditResult[] = [];
    for (const audit of serverAudits({ url: market.gatewayUrl })) results.push(await audit.fn());

    const level = (r: AuditResult) => r.name.split(' ')[0]!;
    const table = results.map((r) => ({
      id: r.id,
      level: level(r),
      result: r.status === 'ok' ? 'pass' : `FAIL (${r.status})`,
      audit: r.name.slice(level(r).length + 1, 90),
    }));
    const summary = ['MUST', 'SHOULD', 'MAY'].map((l) => {
      const of = results.filter((r) => level(r) === l);
      return `${l}: ${of.filter((r) => r.status === 'ok').length}/${of.length} pass`;
    });
    console.log(
      `graphql-http server audits against the gateway\n${summary.join(', ')}\n` +
        table.map((t) => `${t.id}  ${t.level.padEnd(6)} ${t.result.padEnd(13)} ${t.audit}`).join('\n'),
    );

    const failedMusts = results
      .filter((r) => level(r) === 'MUST' && r.status !== 'ok')
      .map((r) => `${r.id} ${r.name}: ${'reason' in r ? r.reason : ''}`);
    expect(failedMusts).toEqual([]);
  });
});

describe('CSRF prevention', () => {
  const mutation = `mutation { registerBuyer(input: { email: "csrf-${word}@security.example.com", password: "Csrf-attempt-password-1", name: "CSRF" }) { __typename } }`;

  it('refuses a mutation over GET and simple-content-type POSTs, and runs nothing', async () => {
    const before = calls();
    const get = await fetch(`${market.gatewayUrl}?query=${encodeURIComponent(mutation)}`);
    const preflightedGet = await fetch(`${market.gatewayUrl}?query=${encodeURIComponent(mutation)}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });
    const form = new FormData();
    form.set('operations', JSON.stringify({ query: mutation }));
    const simple = await Promise.all([
      fetch(market.gatewayUrl, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: JSON.stringify({ query: mutation }),
      }),
      fetch(market.gatewayUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ query: mutation }).toString(),
      }),
      fetch(market.gatewayUrl, { method: 'POST', body: form }), // multipart/form-data
    ]);

    expect(get.status).toBe(400);
    expect(await get.text()).toMatch(/CSRF/);
    // Even a request that proves it is not a simple cross-site one cannot mutate over GET.
    expect(preflightedGet.status).toBe(405);
    for (const response of simple) {
      expect(response.status).toBe(400);
      expect(await response.text()).toMatch(/CSRF/);
    }
    expect(calls() - before).toBe(0);
  });
});

describe('operation limits: refused before any subgraph is called', () => {
  const depthBomb = `{ categories { ${'children { '.repeat(20)}id${' }'.repeat(20)} } }`;
  const aliasBomb = `{ ${Array.from({ length: 40 }, (_, i) => `c${i}: categories { id }`).join(' ')} }`;
  // 4 fields x 10 x 10 x 10 spreads = 4000 fields from a query of about 150 tokens.
  const fieldBomb = `{ categories { ...D } }
    fragment A on Category { id name slug parentId }
    fragment B on Category { ${'...A '.repeat(10)} }
    fragment C on Category { ${'...B '.repeat(10)} }
    fragment D on Category { ${'...C '.repeat(10)} }`;
  const overBudget = `{ products(first: 1000) { items { id name } } }`;
  // graphql-armor's depth rule skips __schema; the introspection limit does not.
  const introspectionBomb = `{ __schema { types { fields { type { ${'ofType { '.repeat(40)}name${' }'.repeat(40)} } } } } }`;

  it.each([
    ['a depth', depthBomb, 400, /depth limit of 12 exceeded/i],
    ['an alias', aliasBomb, 400, /aliases limit of 15 exceeded/i],
    ['a field-count', fieldBomb, 400, /Field limit of 500 exceeded/],
    ['an over-maximum cost', overBudget, 400, /Operation cost 1001 exceeds the maximum of 500/],
    ['an introspection depth', introspectionBomb, 400, /Introspection depth limit of 16 exceeded, found 45/],
  ])('refuses %s bomb with no subgraph call', async (_kind, query, status, message) => {
    const before = calls();
    const answer = await gateway({ query });

    expect(answer.status).toBe(status);
    expect(answer.json.data).toBeUndefined();
    expect(answer.json.errors.map((e: { message: string }) => e.message)).toContainEqual(
      expect.stringMatching(message),
    );
    expect(calls() - before).toBe(0);
  });

  it("still answers introspection as deep as the explorer's own query (15), without calling a subgraph", async () => {
    // The deepest path of GraphiQL's introspection query: fields { args { type { ...TypeRef } } },
    // TypeRef nesting ofType nine times (gateway/src/limits.spec.ts measures the real query).
    const asDeepAsTheExplorer = `{ __schema { types { fields { args { type { ${'ofType { '.repeat(9)}name${' }'.repeat(9)} } } } } } }`;
    const before = calls();
    const answer = await gateway({ query: asDeepAsTheExplorer });

    expect(answer.status).toBe(200);
    expect(answer.json.errors).toBeUndefined();
    expect(answer.json.data.__schema.types.length).toBeGreaterThan(50);
    expect(calls() - before).toBe(0);
  });

  it('names the over-maximum refusal with a stable code and reports the cost', async () => {
    const answer = await gateway({ query: overBudget });

    expect(codeOf(answer)).toBe('QUERY_TOO_COMPLEX');
    expect(answer.json.extensions.cost).toEqual({ requested: 1001, maximum: BUDGETS.anonymous.capacity });
  });
});

describe('query cost', () => {
  it('reports the cost of a known query in extensions.cost', async () => {
    // products(first: 3): 1 for the page + 3 x items (1 each, scalars free) = 4;
    // categories, an unsized list of objects: 10 assumed items x 1 = 10. Total 14.
    const answer = await gateway({
      query: '{ products(first: 3) { items { id name } nextCursor } categories { id name } }',
    });

    expect(answer.status).toBe(200);
    expect(answer.json.errors).toBeUndefined();
    expect(answer.json.extensions.cost).toEqual({
      requested: 14,
      maximum: BUDGETS.anonymous.capacity,
      budget: {
        capacity: BUDGETS.anonymous.capacity,
        remaining: expect.any(Number),
        refillPerSecond: BUDGETS.anonymous.leak,
      },
    });
    expect(answer.json.extensions.cost.budget.remaining).toBeLessThanOrEqual(BUDGETS.anonymous.capacity - 14);
  });

  it('counts a list size passed as a variable at its value', async () => {
    const answer = await gateway({
      query: 'query($n: Int!) { products(first: $n) { items { id } } }',
      variables: { n: 7 },
    });

    expect(answer.json.extensions.cost.requested).toBe(8);
  });
});

describe('production mode (a gateway with NODE_ENV=production)', () => {
  it('allows no introspection for anonymous callers, but does for an admin', async () => {
    const before = calls();
    const anonymous = await post(productionUrl, { query: '{ __schema { queryType { name } } }' });
    const typeProbe = await post(productionUrl, { query: '{ __type(name: "Product") { name } }' });
    const adminToken = await login(admin.email, admin.password);
    const asAdmin = await post(
      productionUrl,
      { query: '{ __schema { queryType { name } } }' },
      bearer(adminToken),
    );

    expect(anonymous.status).toBe(400);
    expect(anonymous.json.errors[0].message).toMatch(/introspection is not allowed/);
    expect(typeProbe.status).toBe(400);
    expect(calls() - before).toBe(1); // the admin's login, on the development gateway
    expect(asAdmin.json).toMatchObject({ data: { __schema: { queryType: { name: 'Query' } } } });
  });

  it('gives no field suggestions', async () => {
    const typo = await post(productionUrl, { query: '{ prodcts(first: 1) { items { id } } }' });

    expect(typo.status).toBe(400);
    expect(typo.json.errors[0].message).toMatch(/Cannot query field "prodcts"/);
    expect(typo.text).not.toMatch(/Did you mean/i);
  });

  it('leaks no stack trace or internal detail when a subgraph fails', async () => {
    const failing = await post(productionUrl, { query: '{ shippingRates { __typename } }' });
    const malformed = await fetch(productionUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query": ',
    });
    const malformedText = await malformed.text();

    // Typed and retryable (the gateway README's "Subgraph unavailable"), saying nothing of the cause.
    expect(failing.json.errors).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(/^Service temporarily unavailable/),
        extensions: expect.objectContaining({
          code: 'SERVICE_UNAVAILABLE',
          correlationId: expect.any(String),
        }),
      }),
    ]);
    for (const text of [failing.text, malformedText]) {
      expect(text).not.toMatch(/stacktrace|ECONNREFUSED|\bat .+\.js:\d+|127\.0\.0\.1/);
    }
    // Nor which subgraph failed: the internal topology stays in the logs and traces.
    expect(failing.json.errors[0].extensions).not.toHaveProperty('serviceName');
    expect(failing.text).not.toMatch(/serviceName/);
    expect(malformed.status).toBe(400);
  });

  it('serves no explorer', async () => {
    expect((await fetch(new URL('/explorer', productionUrl))).status).toBe(404);
  });
});

describe('subgraphs answer only the gateway', () => {
  it.each([...SUBGRAPHS])(
    '%s refuses requests without the gateway secret or with a wrong one',
    async (name) => {
      const url = `http://127.0.0.1:${market.ports[name]}/graphql`;
      const query = { query: '{ __typename }' };

      const without = await post(url, query);
      const wrong = await post(url, query, { 'x-gateway-secret': 'not-the-secret' });
      const right = await post(url, query, { 'x-gateway-secret': SECRETS.GATEWAY_SHARED_SECRET });

      for (const refused of [without, wrong]) {
        expect(refused.status).toBe(403);
        expect(codeOf(refused)).toBe('GATEWAY.REQUIRED');
      }
      // The control: the same request with the secret is answered.
      expect(right.json).toEqual({ data: { __typename: 'Query' } });
    },
  );
});

/** A seller with a stocked product and a buyer with it in the cart, made once for the file. */
let shopping: Promise<{ seller: { token: string }; buyer: { token: string } }> | undefined;
const shop = () =>
  (shopping ??= (async () => {
    const adminToken = await login(admin.email, admin.password);
    const seller = await registerSeller('guarded');
    await approveStore(seller.storeId, adminToken);
    const categoryId = await createCategory('Security', adminToken);
    const sku = `SEC-${word}`.toUpperCase().slice(0, 40);
    const created = await call(
      `mutation($input: CreateProductInput!) { createProduct(input: $input) {
        ... on ProductPayload { product { id } } ... on ErrorResult { code message } } }`,
      {
        input: {
          name: `Guarded lamp ${word}`,
          description: 'A lamp that stands in for any product in the abuse tests',
          categoryId,
          images: [{ url: 'https://images.example.com/lamp.jpg', alt: 'A lamp', width: 800, height: 800 }],
          variants: [{ sku, name: 'Default', price: { amount: 2500, currency: 'EUR' } }],
        },
      },
      seller.token,
    );
    await publish(created.product.id, seller.token);
    await setStock(sku, 10, seller.token);
    const buyer = await registerBuyer(`Guesser ${word}`);
    await addToCart(sku, 1, buyer.token);
    return { seller, buyer };
  })());

describe('guessing is throttled', () => {
  it('allows 5 failed sign-ins per email per window, then refuses even the right password', async () => {
    const email = `guess-${word}@security.example.com`;
    const password = 'Right-password-for-guessing-9';
    await call(`mutation($input: RegisterBuyerInput!) { registerBuyer(input: $input) { __typename } }`, {
      input: { email, password, name: 'Guessed' },
    });
    const attempt = async (pw: string) =>
      call(
        `mutation($input: LoginInput!) { login(input: $input) {
          __typename ... on TooManyAttemptsError { code retryAfterSeconds } ... on ErrorResult { code } } }`,
        { input: { email, password: pw } },
      );

    const outcomes = [];
    for (let i = 0; i < 7; i++) outcomes.push(await attempt(`Wrong-password-number-${i}`));
    const right = await attempt(password);

    const allowed = outcomes.findIndex((o) => o.__typename === 'TooManyAttemptsError');
    console.log(
      `login guessing: ${allowed} wrong passwords allowed per email per ${LOGIN_WINDOW_SECONDS / 60} min ` +
        `(${((allowed * 60) / LOGIN_WINDOW_SECONDS).toFixed(2)} per minute); then refused for ${outcomes[allowed]?.retryAfterSeconds} s`,
    );
    expect(allowed).toBe(5);
    expect(outcomes.slice(0, 5).every((o) => o.__typename === 'ErrorResult')).toBe(true);
    expect(outcomes.slice(5)).toEqual([
      {
        __typename: 'TooManyAttemptsError',
        code: 'AUTH.TOO_MANY_ATTEMPTS',
        retryAfterSeconds: expect.any(Number),
      },
      {
        __typename: 'TooManyAttemptsError',
        code: 'AUTH.TOO_MANY_ATTEMPTS',
        retryAfterSeconds: expect.any(Number),
      },
    ]);
    expect(right).toMatchObject({ __typename: 'TooManyAttemptsError' });
  });

  it('allows 10 unknown coupon codes per cart per window, then refuses new ones without a lookup', async () => {
    const { buyer } = await shop();

    const tryCode = async (code: string) => {
      const applied = await call(
        `mutation { applyCouponCode(code: "${code}") { ... on CartPayload { cart { pricing { coupons { code reason } } } } ... on ErrorResult { code } } }`,
        {},
        buyer.token,
      );
      await call(`mutation { removeCouponCode(code: "${code}") { __typename } }`, {}, buyer.token);
      return (applied.cart.pricing.coupons as { code: string; reason: string }[]).find((c) => c.code === code)
        ?.reason;
    };
    const reasons: string[] = [];
    for (let i = 0; i < 12; i++)
      reasons.push((await tryCode(`GUESS${i}${word}`.toUpperCase().slice(0, 32)))!);

    const allowed = reasons.indexOf('COUPON.TOO_MANY_ATTEMPTS');
    console.log(
      `coupon-code guessing: ${allowed} unknown codes allowed per cart per ${GUESS_WINDOW_SECONDS / 60} min ` +
        `(${((allowed * 60) / GUESS_WINDOW_SECONDS).toFixed(2)} per minute); also 20 per buyer, 50 per client address`,
    );
    expect(reasons).toEqual([
      ...Array<string>(10).fill('COUPON.NOT_FOUND'),
      'COUPON.TOO_MANY_ATTEMPTS',
      'COUPON.TOO_MANY_ATTEMPTS',
    ]);
  });
});

describe("a store learns nothing about other stores' coupon codes", () => {
  it('answers a code another store uses exactly like a code nobody uses, even for stores pending approval', async () => {
    // Both stores are just registered: pending approval, as anyone can make one.
    const [a, b] = [await registerSeller('codes-a'), await registerSeller('codes-b')];
    const create = async (token: string, code: string) => {
      const answer = await call(
        `mutation($input: CreateCouponInput!) { createCoupon(input: $input) {
          __typename ... on CouponPayload { coupon { code scope kind status } } ... on ErrorResult { code } } }`,
        { input: { code, kind: 'FREE_SHIPPING' } },
        token,
      );
      return answer.coupon ? { ...answer, coupon: { ...answer.coupon, code: 'the code' } } : answer;
    };
    const taken = `TAKEN${word}`.toUpperCase().slice(0, 32);
    const unused = `UNUSED${word}`.toUpperCase().slice(0, 32);
    expect(await create(a.token, taken)).toMatchObject({ __typename: 'CouponPayload' });

    const otherStoresCode = await create(b.token, taken);
    const nobodysCode = await create(b.token, unused);

    expect(otherStoresCode).toEqual(nobodysCode);
    expect(otherStoresCode).toMatchObject({ __typename: 'CouponPayload', coupon: { scope: 'SELLER' } });
    // Only its own codes are taken for a store.
    expect(await create(b.token, taken)).toEqual({ __typename: 'ErrorResult', code: 'COUPON.CODE_TAKEN' });
  });
});

describe('cost budgets: a leaky bucket per buyer, per seller and per anonymous address', () => {
  // Each costs 100 (a page of 99 items at 1 each, plus the page; a list of 100 at 1 each), so a
  // burst of 20 uses any of the buckets up.
  const costly = {
    anonymous: '{ products(first: 99) { items { id } } }',
    buyer: '{ products(first: 99) { items { id } } }',
    seller: '{ myProducts(limit: 100) { id } }',
  };
  type Cls = keyof typeof costly;
  const tokens: Partial<Record<Cls, string>> = {};
  const headersOf = (cls: Cls): Record<string, string> => (cls === 'anonymous' ? {} : bearer(tokens[cls]!));
  const once = (cls: Cls) => gateway({ query: costly[cls] }, headersOf(cls));
  const burst = async (cls: Cls) => {
    const before = calls();
    const answers = await Promise.all(Array.from({ length: 20 }, () => once(cls)));
    return {
      subgraphCalls: calls() - before,
      admitted: answers.filter((a) => a.status === 200),
      refused: answers.filter((a) => a.status === 429),
    };
  };

  it('uses up each bucket independently, refuses with 429 and a retry hint, and refills', async () => {
    const { buyer, seller } = await shop();
    tokens.buyer = buyer.token;
    tokens.seller = seller.token;
    const retryAfter: number[] = [];
    const classes: Cls[] = ['buyer', 'seller', 'anonymous'];
    for (const [i, cls] of classes.entries()) {
      const { admitted, refused, subgraphCalls } = await burst(cls);

      expect(admitted.length + refused.length).toBe(20);
      expect(admitted.length).toBeGreaterThanOrEqual(1);
      expect(refused.length).toBeGreaterThanOrEqual(1);
      const refusal = refused[0]!;
      expect(codeOf(refusal)).toBe('RATE_LIMITED');
      expect(refusal.json.data).toBeUndefined();
      expect(refusal.json.extensions.cost).toMatchObject({
        requested: 100,
        budget: { capacity: BUDGETS[cls].capacity, refillPerSecond: BUDGETS[cls].leak },
      });
      expect(refusal.json.extensions.cost.budget.remaining).toBeLessThan(100);
      const hint = Number(refusal.headers.get('retry-after'));
      expect(hint).toBeGreaterThanOrEqual(1);
      expect(refusal.json.extensions.cost.budget.retryAfterSeconds).toBe(hint);
      retryAfter.push(hint);

      // Each admitted operation made one subgraph call; the refused ones made none.
      expect(subgraphCalls).toBe(admitted.length);

      // The classes not yet used up are unaffected.
      for (const other of classes.slice(i + 1)) {
        const answer = await gateway({ query: '{ categories { id } }' }, headersOf(other));
        expect(answer.status).toBe(200);
        expect(answer.json.extensions.cost.budget.capacity).toBe(BUDGETS[other].capacity);
      }
    }

    // Refill: after the hinted wait, every bucket admits the operation again.
    await new Promise((resolve) => setTimeout(resolve, Math.max(...retryAfter) * 1000 + 200));
    for (const cls of classes) {
      const answer = await once(cls);
      expect(answer.status).toBe(200);
      expect(answer.json.errors).toBeUndefined();
    }
  });
});

// Last in the file: from here on, this address (127.0.0.1) registers nothing more in this stack.
describe('registration is throttled per address', () => {
  it('lets one address open 8 accounts per window, then refuses and creates nothing', async () => {
    const email = (i: number) => `flood-${i}-${word}@security.example.com`;
    const password = 'Flood-account-password-7';
    const register = async (i: number) => {
      // The anonymous cost budget of this stack is small and the budget tests just used it up:
      // its 429 is waited out (it is not the registration throttle, which answers an ErrorResult).
      for (;;) {
        const answer = await gateway({
          query: `mutation($input: RegisterBuyerInput!) { registerBuyer(input: $input) {
            __typename ... on ErrorResult { code message } } }`,
          variables: { input: { email: email(i), password, name: `Flood ${i}` } },
        });
        if (answer.status !== 429) {
          expect(answer.json?.errors).toBeUndefined();
          return answer.json.data.registerBuyer as { __typename: string; code?: string; message?: string };
        }
        await new Promise((resolve) =>
          setTimeout(resolve, 1000 * Number(answer.headers.get('retry-after') ?? 1)),
        );
      }
    };
    const outcomes: { __typename: string; code?: string; message?: string }[] = [];
    for (let i = 0; i <= REGISTRATIONS_PER_ADDRESS; i++) outcomes.push(await register(i));
    const created = outcomes.findIndex((o) => o.__typename !== 'AuthPayload');
    console.log(
      `registration flood: ${created} accounts created from one address (after the accounts the ` +
        `earlier tests registered from it), then refused: ${outcomes[created]?.message}`,
    );
    // Earlier tests registered a few accounts from the same address: together at most the allowance.
    expect(created).toBeGreaterThan(0);
    expect(created).toBeLessThanOrEqual(REGISTRATIONS_PER_ADDRESS);
    for (const refused of outcomes.slice(created))
      expect(refused).toMatchObject({ __typename: 'ErrorResult', code: 'AUTH.TOO_MANY_ATTEMPTS' });
    // The refused registration created no account.
    const signIn = await call(
      `mutation($input: LoginInput!) { login(input: $input) { __typename ... on ErrorResult { code } } }`,
      { input: { email: email(REGISTRATIONS_PER_ADDRESS), password } },
    );
    expect(signIn).toEqual({ __typename: 'ErrorResult', code: 'AUTH.INVALID_CREDENTIALS' });
  });
});
