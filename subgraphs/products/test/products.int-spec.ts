import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { newId } from '@marketplace/shared-kernel';
import {
  GATEWAY_SECRET_HEADER,
  signAccessToken,
  startService,
  type RunningService,
} from '@marketplace/platform';
import { uniqueSuffix } from '@marketplace/platform/testing';
import { productsService } from '../src/service.js';

// Responses are checked field by field in the assertions, so the body stays loosely typed.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type GraphQLBody = { data?: any; errors?: any[] };

const statements: string[] = [];
let service: RunningService;
const sellerA = { userId: newId(), role: 'seller' as const, sellerId: newId() };
const sellerB = { userId: newId(), role: 'seller' as const, sellerId: newId() };
const tokens: Record<string, string> = {};

async function gql(
  query: string,
  variables: object = {},
  as?: keyof typeof tokens,
  headers: Record<string, string> = {},
) {
  const res = await fetch(service.server.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      [GATEWAY_SECRET_HEADER]: service.config.gatewaySecret,
      ...(as ? { authorization: `Bearer ${tokens[as]}` } : {}),
      ...headers,
    },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, body: (await res.json()) as GraphQLBody };
}

const CREATE = `mutation($input: CreateProductInput!) { createProduct(input: $input) {
  __typename ... on ProductPayload { product { id status price { amount currency } } } ... on ErrorResult { code field message } } }`;

const countRows = async () =>
  Number(
    (
      await service.orm.em
        .fork()
        .execute<{ n: number }[]>(
          'select (select count(*) from product) + (select count(*) from outbox) as n',
        )
    )[0]!.n,
  );

beforeAll(async () => {
  service = await startService(productsService, {
    port: 0,
    dbName: `mp_test_products_${uniqueSuffix()}`,
    groupSuffix: uniqueSuffix(),
    onQuery: (sql) => statements.push(sql),
  });
  tokens.a = await signAccessToken(sellerA, service.config.jwtSecret);
  tokens.b = await signAccessToken(sellerB, service.config.jwtSecret);
  tokens.buyer = await signAccessToken(
    { userId: newId(), role: 'buyer', sellerId: null },
    service.config.jwtSecret,
  );
});

afterAll(async () => {
  await service?.stop();
});

describe('products subgraph', () => {
  it('refuses requests that did not come through the gateway', async () => {
    const res = await fetch(service.server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ errors: [{ extensions: { code: 'GATEWAY.REQUIRED' } }] });
  });

  it('refuses forged tokens', async () => {
    const forged = await signAccessToken(sellerA, 'some-other-secret-some-other-secret');
    const { status, body } = await gql('{ __typename }', {}, undefined, {
      authorization: `Bearer ${forged}`,
    });
    expect(status).toBe(401);
    expect(body.errors?.[0]?.extensions?.code).toBe('AUTH.INVALID_TOKEN');
  });

  it.each([
    ['a negative price', { name: 'Mug', price: { amount: -1, currency: 'EUR' } }, 'PRODUCT.NEGATIVE_PRICE'],
    [
      'an unknown currency',
      { name: 'Mug', price: { amount: 100, currency: 'XXQ' } },
      'MONEY.UNKNOWN_CURRENCY',
    ],
    [
      'an oversize name',
      { name: 'x'.repeat(201), price: { amount: 100, currency: 'EUR' } },
      'VALIDATION.TOO_LONG',
    ],
    [
      'an oversize description',
      { name: 'Mug', description: 'y'.repeat(5001), price: { amount: 100, currency: 'EUR' } },
      'VALIDATION.TOO_LONG',
    ],
  ])('answers %s with a typed error and writes nothing', async (_case, input, code) => {
    const before = await countRows();
    const { body } = await gql(CREATE, { input }, 'a');
    expect(body.data.createProduct).toMatchObject({ __typename: 'ErrorResult', code });
    expect(await countRows()).toBe(before);
  });

  it('answers a malformed id with a typed error and writes nothing', async () => {
    const before = await countRows();
    const { body } = await gql(
      'mutation { publishProduct(id: "42; drop table product") { ... on ErrorResult { code field } } }',
      {},
      'a',
    );
    expect(body.data.publishProduct).toEqual({ code: 'VALIDATION.MALFORMED_ID', field: 'productId' });
    expect(await countRows()).toBe(before);
  });

  it('lets only sellers create products, and hides one seller’s products from another', async () => {
    expect(
      (await gql(CREATE, { input: { name: 'Mug', price: { amount: 900, currency: 'EUR' } } }, 'buyer')).body
        .data.createProduct.code,
    ).toBe('AUTH.FORBIDDEN');
    const created = (
      await gql(CREATE, { input: { name: 'Mug', price: { amount: 900, currency: 'EUR' } } }, 'a')
    ).body.data.createProduct;
    expect(created).toMatchObject({
      __typename: 'ProductPayload',
      product: { status: 'DRAFT', price: { amount: 900, currency: 'EUR' } },
    });
    const id = created.product.id;

    // Seller B gets the same answer as for an id that does not exist.
    const publishByB = (
      await gql(`mutation { publishProduct(id: "${id}") { ... on ErrorResult { code } } }`, {}, 'b')
    ).body.data.publishProduct;
    const publishMissing = (
      await gql(`mutation { publishProduct(id: "${newId()}") { ... on ErrorResult { code } } }`, {}, 'b')
    ).body.data.publishProduct;
    expect(publishByB).toEqual({ code: 'PRODUCT.NOT_FOUND' });
    expect(publishMissing).toEqual(publishByB);
    // A draft is invisible to other sellers and buyers, also through _entities.
    expect((await gql(`{ product(id: "${id}") { id } }`, {}, 'b')).body.data.product).toBeNull();
    const entities = await gql(
      `{ _entities(representations: [{ __typename: "Product", id: "${id}" }]) { ... on Product { id } } }`,
      {},
      'buyer',
    );
    expect(entities.body.data._entities).toEqual([null]);
    expect((await gql(`{ product(id: "${id}") { id } }`, {}, 'a')).body.data.product).toEqual({ id });
  });

  it('resolves N entity representations with one SQL query', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { body } = await gql(
        CREATE,
        { input: { name: `Lamp ${i}`, price: { amount: 1000 + i, currency: 'EUR' } } },
        'a',
      );
      ids.push(body.data.createProduct.product.id);
      await gql(`mutation { publishProduct(id: "${ids[i]}") { __typename } }`, {}, 'a');
    }
    const representations = ids.map((id) => `{ __typename: "Product", id: "${id}" }`).join(', ');
    const query = `{ _entities(representations: [${representations}]) { ... on Product { id name price { amount } } } }`;
    await service.redis.del(...ids.map((id) => `products:view:${id}`));

    statements.length = 0;
    const cold = await gql(query, {}, 'buyer');
    expect(cold.body.data._entities.map((p: { id: string }) => p.id)).toEqual(ids);
    expect(statements.filter((s) => /\bselect\b/i.test(s) && /"product"/.test(s))).toHaveLength(1);

    // Served from the Redis cache: no SQL at all.
    statements.length = 0;
    const warm = await gql(query, {}, 'buyer');
    expect(warm.body.data._entities).toEqual(cold.body.data._entities);
    expect(statements.filter((s) => /"product"/.test(s))).toHaveLength(0);
  });

  it('drops the cached copy when the product changes', async () => {
    const { body } = await gql(
      CREATE,
      { input: { name: 'Chair', price: { amount: 5000, currency: 'EUR' } } },
      'a',
    );
    const id = body.data.createProduct.product.id;
    await gql(`mutation { publishProduct(id: "${id}") { __typename } }`, {}, 'a');
    expect((await gql(`{ product(id: "${id}") { name } }`, {}, 'buyer')).body.data.product).toEqual({
      name: 'Chair',
    });
    await gql(
      `mutation { updateProduct(input: { productId: "${id}", name: "Armchair" }) { __typename } }`,
      {},
      'a',
    );
    expect((await gql(`{ product(id: "${id}") { name } }`, {}, 'buyer')).body.data.product).toEqual({
      name: 'Armchair',
    });
  });
});
