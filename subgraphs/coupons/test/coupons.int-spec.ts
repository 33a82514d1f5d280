import { describe, expect, it } from '@jest/globals';
import { newId } from '@marketplace/shared-kernel';
import { checkedValues, type Actor } from '@marketplace/platform';
import {
  newAdmin,
  newBuyer,
  newSeller,
  testEnvelope,
  uniqueSuffix,
  useSubgraph,
  waitFor,
} from '@marketplace/platform/testing';
import { couponsService } from '../src/service.js';
import { couponsUseCases } from '../src/adapters/persistence/coupon-store.js';
import { redemptionCommands } from '../src/application/redemption.js';
import type { RedeemCouponCommand } from '../src/application/ports.js';
import { COUPON_KIND, COUPON_SCOPE, COUPON_STATUS } from '../src/domain/coupon.js';
import { REDEMPTION_STATUS } from '../src/domain/redemption.js';
import { Topics } from '@marketplace/event-contracts';

/**
 * A read of coupons by a query under test. The running service's consumers may redeem other
 * tests' leftover commands meanwhile; their coupon reads lock (`for update`), reads never do.
 */
const isCouponRead = (s: string) => /\bselect\b/i.test(s) && /"coupon"/.test(s) && !/for update/i.test(s);
const sut = useSubgraph(couponsService, { statements: true });
const { gql, sql, service, statements } = sut;
const sellerA = newSeller();
const sellerB = newSeller();
const buyer = newBuyer();
const admin = newAdmin();

const COUPON_FIELDS = `id code scope sellerId kind percentOff amountOff { amount currency }
  minimumSpend { amount currency } validFrom validUntil totalLimit perBuyerLimit redeemedCount status version`;
const RESULT = `__typename ... on CouponPayload { coupon { ${COUPON_FIELDS} } } ... on ErrorResult { code field message }`;
const CREATE = `mutation($input: CreateCouponInput!) { createCoupon(input: $input) { ${RESULT} } }`;
const UPDATE = `mutation($input: UpdateCouponInput!) { updateCoupon(input: $input) { ${RESULT} } }`;
const command = (name: 'pauseCoupon' | 'resumeCoupon' | 'archiveCoupon') =>
  `mutation($id: ID!) { ${name}(id: $id) { ${RESULT} } }`;

let codeNo = 0;
const freshCode = (prefix = 'C') => `${prefix}${uniqueSuffix()}${++codeNo}`.slice(0, 32);

async function create(input: Record<string, unknown>, as: Actor = sellerA) {
  const result = (await gql(CREATE, { input: { kind: 'PERCENTAGE', percentOff: 10, ...input } }, as))
    .createCoupon;
  if (result.__typename !== 'CouponPayload') throw new Error(`create failed: ${JSON.stringify(result)}`);
  return result.coupon as { id: string; code: string } & Record<string, unknown>;
}

const countRows = async () =>
  Number(
    (
      await sql<{ n: number }>(
        // Replies to consumed commands (a new consumer group also reads earlier runs' commands)
        // carry the command's id as causation and are left out.
        `select (select count(*) from coupon) + (select count(*) from redemption)
          + (select count(*) from outbox where envelope->>'causationId' is null) as n`,
      )
    )[0]!.n,
  );

const commands = () => redemptionCommands(couponsUseCases.bind(service).forJob());
const redeem = (input: Partial<RedeemCouponCommand> & { code: string }) =>
  commands().redeem({
    sellerIds: [sellerA.sellerId!],
    buyerId: newId(),
    orderId: newId(),
    discount: { amount: 100, currency: 'EUR' },
    ...input,
  });

describe('closed sets', () => {
  it.each([
    ['coupon', 'scope', COUPON_SCOPE],
    ['coupon', 'kind', COUPON_KIND],
    ['coupon', 'status', COUPON_STATUS],
    ['redemption', 'status', REDEMPTION_STATUS],
  ] as const)("the database's CHECK on %s.%s allows exactly the domain's set", async (table, column, set) => {
    expect(await checkedValues(service.orm.em.fork(), table, column)).toEqual(set.values);
  });
});

describe('managing coupons', () => {
  it('lets a seller create a coupon for its own store, and publishes coupon-created', async () => {
    const code = freshCode('summer');
    const coupon = await create({
      code: `  ${code.toLowerCase()} `,
      minimumSpend: { amount: 5000, currency: 'EUR' },
      validUntil: '2099-01-01T00:00:00Z',
      totalLimit: 100,
      perBuyerLimit: 1,
    });
    expect(coupon).toMatchObject({
      code: code.toUpperCase(),
      scope: 'SELLER',
      sellerId: sellerA.sellerId,
      kind: 'PERCENTAGE',
      percentOff: 10,
      amountOff: null,
      minimumSpend: { amount: 5000, currency: 'EUR' },
      validUntil: '2099-01-01T00:00:00.000Z',
      totalLimit: 100,
      perBuyerLimit: 1,
      redeemedCount: 0,
      status: 'ACTIVE',
      version: 1,
    });
    // The relay publishes the outbox row to Kafka (topic coupons.coupon, key coupon id).
    const [row] = await waitFor(async () => {
      const rows = await sql<{
        topic: string;
        message_key: string;
        event_type: string;
        sent_at: Date | null;
      }>(`select topic, message_key, event_type, sent_at from outbox where message_key = ?`, [coupon.id]);
      return rows.length === 1 && rows[0]!.sent_at ? rows : undefined;
    });
    expect(row).toMatchObject({
      topic: 'coupons.coupon',
      message_key: coupon.id,
      event_type: 'coupons.coupon-created',
    });
    const mine = (await gql('{ myCoupons { id } }', {}, sellerA)).myCoupons;
    expect(mine.map((c: { id: string }) => c.id)).toContain(coupon.id);
  });

  it('refuses buyers and anonymous callers, and changes nothing', async () => {
    const before = await countRows();
    const input = { code: freshCode(), kind: 'PERCENTAGE', percentOff: 10 };
    expect((await gql(CREATE, { input }, buyer)).createCoupon).toMatchObject({ code: 'AUTH.FORBIDDEN' });
    expect((await gql(CREATE, { input })).createCoupon).toMatchObject({ code: 'AUTH.UNAUTHENTICATED' });
    expect((await gql('{ myCoupons { id } }', {}, buyer)).myCoupons).toEqual([]);
    expect(await countRows()).toBe(before);
  });

  it.each([
    ['a malformed code', { code: 'no spaces!' }, 'COUPON.INVALID_CODE', 'code'],
    ['a percentage of 0', { percentOff: 0 }, 'VALIDATION.OUT_OF_RANGE', 'percentOff'],
    ['a percentage above 100', { percentOff: 101 }, 'VALIDATION.OUT_OF_RANGE', 'percentOff'],
    [
      'a fixed amount without amount',
      { kind: 'FIXED_AMOUNT', percentOff: null },
      'COUPON.INVALID_TERMS',
      'amountOff',
    ],
    [
      'an unknown currency',
      { kind: 'FIXED_AMOUNT', percentOff: null, amountOff: { amount: 500, currency: 'EUX' } },
      'MONEY.UNKNOWN_CURRENCY',
      'currency',
    ],
    ['a date without offset', { validUntil: '2099-01-01T00:00:00' }, 'VALIDATION.INVALID_DATE', 'validUntil'],
    ['a date that is no date', { validFrom: 'tomorrow' }, 'VALIDATION.INVALID_DATE', 'validFrom'],
    [
      'a window ending before it starts',
      { validFrom: '2099-02-01T00:00:00Z', validUntil: '2099-01-01T00:00:00Z' },
      'COUPON.INVALID_WINDOW',
      'validUntil',
    ],
    ['a total limit of 0', { totalLimit: 0 }, 'VALIDATION.OUT_OF_RANGE', 'totalLimit'],
  ])('answers %s with a typed error and writes nothing', async (_case, input, code, field) => {
    const before = await countRows();
    const result = (
      await gql(
        CREATE,
        { input: { code: freshCode(), kind: 'PERCENTAGE', percentOff: 10, ...input } },
        sellerA,
      )
    ).createCoupon;
    expect(result).toMatchObject({ __typename: 'ErrorResult', code, field });
    expect(await countRows()).toBe(before);
  });

  it("keeps codes unique per store whatever their case, and tells no store about another's codes", async () => {
    const code = freshCode('dup');
    await create({ code });
    const before = await countRows();
    expect(
      (await gql(CREATE, { input: { code: code.toLowerCase(), kind: 'FREE_SHIPPING' } }, sellerA))
        .createCoupon,
    ).toMatchObject({ code: 'COUPON.CODE_TAKEN', field: 'code' });
    expect(await countRows()).toBe(before);

    // Seller B creating A's code is answered exactly like B creating a code nobody has.
    const fresh = freshCode('free');
    const answers = [];
    for (const tried of [code.toLowerCase(), fresh]) {
      const result = (await gql(CREATE, { input: { code: tried, kind: 'FREE_SHIPPING' } }, sellerB))
        .createCoupon;
      answers.push({ ...result, coupon: { ...result.coupon, id: 'id', code: 'code', validFrom: 'now' } });
    }
    expect(answers[0]).toEqual(answers[1]);
    expect(answers[0]).toMatchObject({
      __typename: 'CouponPayload',
      coupon: { scope: 'SELLER', sellerId: sellerB.sellerId },
    });

    // Racing for one code: the unique index lets one coupon per store through.
    const raced = freshCode('race');
    const results = await Promise.all(
      [sellerA, sellerB, sellerA, sellerB].map(
        async (as) => (await gql(CREATE, { input: { code: raced, kind: 'FREE_SHIPPING' } }, as)).createCoupon,
      ),
    );
    const created = results.filter((r) => r.__typename === 'CouponPayload');
    expect(created.map((r) => r.coupon.sellerId).sort()).toEqual([sellerA.sellerId, sellerB.sellerId].sort());
    expect(results.filter((r) => r.code === 'COUPON.CODE_TAKEN')).toHaveLength(2);
  });

  it("hides a seller's coupon from other sellers: NOT_FOUND, like a missing id", async () => {
    const coupon = await create({ code: freshCode() });
    const before = await countRows();
    for (const name of ['pauseCoupon', 'resumeCoupon', 'archiveCoupon'] as const) {
      const byB = (await gql(command(name), { id: coupon.id }, sellerB))[name];
      const missing = (await gql(command(name), { id: newId() }, sellerB))[name];
      expect(byB).toEqual({
        __typename: 'ErrorResult',
        code: 'COUPON.NOT_FOUND',
        field: 'couponId',
        message: 'No such coupon',
      });
      expect(missing).toEqual(byB);
    }
    expect(
      (await gql(UPDATE, { input: { couponId: coupon.id, totalLimit: 1 } }, sellerB)).updateCoupon,
    ).toMatchObject({
      code: 'COUPON.NOT_FOUND',
    });
    // An admin manages platform coupons only.
    expect((await gql(command('pauseCoupon'), { id: coupon.id }, admin)).pauseCoupon).toMatchObject({
      code: 'COUPON.NOT_FOUND',
    });
    expect(await countRows()).toBe(before);

    expect((await gql(`{ coupon(id: "${coupon.id}") { id } }`, {}, sellerB)).coupon).toBeNull();
    expect((await gql(`{ coupon(id: "${coupon.id}") { id } }`, {}, buyer)).coupon).toBeNull();
    expect((await gql(`{ coupon(id: "${coupon.id}") { id } }`, {}, sellerA)).coupon).toEqual({
      id: coupon.id,
    });
    expect(
      (await gql('{ myCoupons { id } }', {}, sellerB)).myCoupons.map((c: { id: string }) => c.id),
    ).not.toContain(coupon.id);
    const entities = `{ _entities(representations: [{ __typename: "Coupon", id: "${coupon.id}" }]) { ... on Coupon { id } } }`;
    expect((await gql(entities, {}, sellerB))._entities).toEqual([null]);
    expect((await gql(entities, {}, sellerA))._entities).toEqual([{ id: coupon.id }]);
  });

  it('walks the lifecycle ACTIVE -> PAUSED -> ACTIVE -> ARCHIVED, and nothing after', async () => {
    const { id } = await create({ code: freshCode() });
    const run = async (name: 'pauseCoupon' | 'resumeCoupon' | 'archiveCoupon') =>
      (await gql(command(name), { id }, sellerA))[name];
    expect(await run('pauseCoupon')).toMatchObject({ coupon: { status: 'PAUSED', version: 2 } });
    expect(await run('pauseCoupon')).toMatchObject({ code: 'COUPON.INVALID_TRANSITION' });
    expect(await run('resumeCoupon')).toMatchObject({ coupon: { status: 'ACTIVE', version: 3 } });
    expect(await run('archiveCoupon')).toMatchObject({ coupon: { status: 'ARCHIVED', version: 4 } });
    expect(await run('resumeCoupon')).toMatchObject({ code: 'COUPON.INVALID_TRANSITION' });
    expect(
      (await gql(UPDATE, { input: { couponId: id, totalLimit: 5 } }, sellerA)).updateCoupon,
    ).toMatchObject({
      code: 'COUPON.ARCHIVED',
    });
    const archived = (await gql('{ myCoupons(status: ARCHIVED) { id status } }', {}, sellerA)).myCoupons;
    expect(archived).toContainEqual({ id, status: 'ARCHIVED' });
  });

  it('updates only what is given; an explicit null clears', async () => {
    const { id } = await create({
      code: freshCode(),
      totalLimit: 10,
      perBuyerLimit: 2,
      validUntil: '2099-01-01T00:00:00Z',
      minimumSpend: { amount: 1000, currency: 'EUR' },
    });
    const first = (await gql(UPDATE, { input: { couponId: id, totalLimit: 20 } }, sellerA)).updateCoupon;
    expect(first.coupon).toMatchObject({
      totalLimit: 20,
      perBuyerLimit: 2,
      validUntil: '2099-01-01T00:00:00.000Z',
      minimumSpend: { amount: 1000, currency: 'EUR' },
    });
    const cleared = (
      await gql(
        UPDATE,
        { input: { couponId: id, perBuyerLimit: null, validUntil: null, minimumSpend: null } },
        sellerA,
      )
    ).updateCoupon;
    expect(cleared.coupon).toMatchObject({
      totalLimit: 20,
      perBuyerLimit: null,
      validUntil: null,
      minimumSpend: null,
    });
    const before = await countRows();
    const bad = (
      await gql(
        UPDATE,
        { input: { couponId: id, totalLimit: 30, validUntil: '2000-01-01T00:00:00Z' } },
        sellerA,
      )
    ).updateCoupon;
    expect(bad).toMatchObject({ code: 'COUPON.INVALID_WINDOW' });
    expect((await gql(`{ coupon(id: "${id}") { totalLimit } }`, {}, sellerA)).coupon).toEqual({
      totalLimit: 20,
    });
    expect(await countRows()).toBe(before);
  });

  it('lets admins manage platform coupons, which sellers do not see', async () => {
    const platform = await create({ code: freshCode('plat') }, admin);
    expect(platform).toMatchObject({ scope: 'PLATFORM', sellerId: null });
    expect((await gql(command('pauseCoupon'), { id: platform.id }, admin)).pauseCoupon).toMatchObject({
      coupon: { status: 'PAUSED' },
    });
    expect((await gql(command('resumeCoupon'), { id: platform.id }, sellerA)).resumeCoupon).toMatchObject({
      code: 'COUPON.NOT_FOUND',
    });
    const adminList = (await gql('{ myCoupons { scope } }', {}, admin)).myCoupons;
    expect(adminList.length).toBeGreaterThan(0);
    expect(adminList.every((c: { scope: string }) => c.scope === 'PLATFORM')).toBe(true);
  });

  it('resolves N coupon references with one SQL query', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await create({ code: freshCode() })).id);
    const representations = ids.map((id) => `{ __typename: "Coupon", id: "${id}" }`).join(', ');
    statements.length = 0;
    const data = await gql(
      `{ _entities(representations: [${representations}]) { ... on Coupon { id code status } } }`,
      {},
      sellerA,
    );
    expect(data._entities.map((c: { id: string }) => c.id)).toEqual(ids);
    // The service's consumers may redeem leftover commands meanwhile; their reads lock.
    expect(statements.filter(isCouponRead)).toHaveLength(1);
  });
});

describe('Cart.pricing through _entities (how the gateway resolves @requires)', () => {
  const PRICING = `pricing {
    currency subtotal { amount currency } discountTotal { amount } total { amount } freeShippingSellerIds
    coupons { code status reason discount { amount currency } scope lines { lineId amount { amount } } }
    lines { lineId subtotal { amount } discount { amount } total { amount } } }`;
  type Line = {
    id: string;
    sellerId: string;
    quantity: number;
    unitPrice: { amount: number; currency: string };
    available?: boolean;
  };
  const cartRep = (lines: Line[], couponCodes: string[]) => ({
    __typename: 'Cart',
    id: newId(),
    lines: lines.map((line) => ({ available: true, ...line })),
    couponCodes,
  });
  const price = async (reps: object[], as?: Actor) =>
    (
      await gql(
        `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Cart { id ${PRICING} } } }`,
        { reps },
        as,
      )
    )._entities;

  it('prices a cart with a seller coupon and a platform coupon, and reports rejected codes', async () => {
    const sellerCode = freshCode('a');
    const platformCode = freshCode('p');
    const otherPlatform = freshCode('p');
    await create({ code: sellerCode, percentOff: 10 });
    await create(
      {
        code: platformCode,
        kind: 'FIXED_AMOUNT',
        percentOff: null,
        amountOff: { amount: 500, currency: 'EUR' },
      },
      admin,
    );
    await create({ code: otherPlatform, kind: 'FREE_SHIPPING', percentOff: null }, admin);
    const lines: Line[] = [
      { id: 'l1', sellerId: sellerA.sellerId!, quantity: 3, unitPrice: { amount: 335, currency: 'EUR' } },
      { id: 'l2', sellerId: sellerB.sellerId!, quantity: 1, unitPrice: { amount: 2000, currency: 'EUR' } },
      // Off the storefront: the cart leaves it out of its subtotal, and so does pricing.
      {
        id: 'l3',
        sellerId: sellerA.sellerId!,
        quantity: 1,
        unitPrice: { amount: 9999, currency: 'USD' },
        available: false,
      },
    ];
    const [cart] = await price(
      [cartRep(lines, [sellerCode.toLowerCase(), platformCode, otherPlatform, 'NOSUCHCODE'])],
      buyer,
    );
    // A's line: 1005, 10% -> 100.5 -> 101. Platform 500 off the rest (904 + 2000), split 904:2000 -> 156, 344.
    expect(cart.pricing).toEqual({
      currency: 'EUR',
      subtotal: { amount: 3005, currency: 'EUR' },
      discountTotal: { amount: 601 },
      total: { amount: 2404 },
      freeShippingSellerIds: [],
      coupons: [
        {
          code: sellerCode.toUpperCase(),
          status: 'APPLIED',
          reason: null,
          discount: { amount: 101, currency: 'EUR' },
          scope: 'SELLER',
          lines: [{ lineId: 'l1', amount: { amount: 101 } }],
        },
        {
          code: platformCode.toUpperCase(),
          status: 'APPLIED',
          reason: null,
          discount: { amount: 500, currency: 'EUR' },
          scope: 'PLATFORM',
          lines: [
            { lineId: 'l1', amount: { amount: 156 } },
            { lineId: 'l2', amount: { amount: 344 } },
          ],
        },
        {
          code: otherPlatform.toUpperCase(),
          status: 'REJECTED',
          reason: 'COUPON.NOT_STACKABLE',
          discount: { amount: 0, currency: 'EUR' },
          scope: 'PLATFORM',
          lines: [],
        },
        {
          code: 'NOSUCHCODE',
          status: 'REJECTED',
          reason: 'COUPON.NOT_FOUND',
          discount: { amount: 0, currency: 'EUR' },
          scope: null,
          lines: [],
        },
      ],
      lines: [
        { lineId: 'l1', subtotal: { amount: 1005 }, discount: { amount: 257 }, total: { amount: 748 } },
        { lineId: 'l2', subtotal: { amount: 2000 }, discount: { amount: 344 }, total: { amount: 1656 } },
      ],
    });
  });

  it('prices N carts with one coupon query', async () => {
    const codes = [freshCode('n'), freshCode('n'), freshCode('n')];
    for (const code of codes) await create({ code, minimumSpend: { amount: 1500, currency: 'EUR' } });
    const reps = Array.from({ length: 6 }, (_, i) =>
      cartRep(
        [
          {
            id: `x${i}`,
            sellerId: sellerA.sellerId!,
            quantity: i + 1,
            unitPrice: { amount: 500, currency: 'EUR' },
          },
        ],
        [codes[i % 3]!],
      ),
    );
    statements.length = 0;
    const carts = await price(reps, buyer);
    expect(
      carts.map((c: { pricing: { coupons: { reason: string | null }[] } }) => c.pricing.coupons[0]!.reason),
    ).toEqual(['COUPON.MIN_SPEND_NOT_MET', 'COUPON.MIN_SPEND_NOT_MET', null, null, null, null]);
    expect(statements.filter(isCouponRead)).toHaveLength(1);
    expect(statements.filter((s) => /\bfrom redemption\b/i.test(s))).toHaveLength(1);
  });

  it("prices a code two stores share with the coupon of the store whose lines the cart holds, and another store's code as unknown", async () => {
    const code = freshCode('shared');
    await create({ code, percentOff: 10 });
    await create({ code, percentOff: 50 }, sellerB);
    const line = (sellerId: string): Line => ({
      id: 'l1',
      sellerId,
      quantity: 1,
      unitPrice: { amount: 1000, currency: 'EUR' },
    });
    const [ofA, ofB, ofNobody] = await price(
      [
        cartRep([line(sellerA.sellerId!)], [code]),
        cartRep([line(sellerB.sellerId!)], [code]),
        cartRep([line(newId())], [code]),
      ],
      { userId: newId(), role: 'buyer', sellerId: null },
    );
    expect(ofA.pricing.coupons[0]).toMatchObject({ status: 'APPLIED', discount: { amount: 100 } });
    expect(ofB.pricing.coupons[0]).toMatchObject({ status: 'APPLIED', discount: { amount: 500 } });
    // Not NO_ELIGIBLE_LINES: a cart says nothing about the codes of stores it does not hold.
    expect(ofNobody.pricing.coupons[0]).toMatchObject({ status: 'REJECTED', reason: 'COUPON.NOT_FOUND' });
    expect(
      (await redeem({ code, sellerIds: [sellerB.sellerId!], discount: { amount: 500, currency: 'EUR' } })).ok,
    ).toBe(true);
  });

  it("pre-checks the asking buyer's per-buyer limit", async () => {
    const code = freshCode('once');
    await create({ code, perBuyerLimit: 1 });
    const shopper: Actor = { userId: newId(), role: 'buyer', sellerId: null };
    const rep = cartRep(
      [{ id: 'l1', sellerId: sellerA.sellerId!, quantity: 1, unitPrice: { amount: 1000, currency: 'EUR' } }],
      [code],
    );
    expect((await price([rep], shopper))[0].pricing.coupons[0]).toMatchObject({ status: 'APPLIED' });
    expect((await redeem({ code, buyerId: shopper.userId })).ok).toBe(true);
    expect((await price([rep], shopper))[0].pricing.coupons[0]).toMatchObject({
      status: 'REJECTED',
      reason: 'COUPON.BUYER_LIMIT_REACHED',
    });
    // Someone else may still use it.
    expect((await price([rep], buyer))[0].pricing.coupons[0]).toMatchObject({ status: 'APPLIED' });
  });

  it('answers a paused coupon with COUPON.INACTIVE', async () => {
    const { id, code } = await create({ code: freshCode() });
    await gql(command('pauseCoupon'), { id }, sellerA);
    const rep = cartRep(
      [{ id: 'l1', sellerId: sellerA.sellerId!, quantity: 1, unitPrice: { amount: 1000, currency: 'EUR' } }],
      [code],
    );
    expect((await price([rep]))[0].pricing).toMatchObject({
      total: { amount: 1000 },
      coupons: [{ status: 'REJECTED', reason: 'COUPON.INACTIVE' }],
    });
  });
});

describe('redemption (the checkout saga port)', () => {
  it('lets exactly L of 50 concurrent redemptions by different buyers succeed', async () => {
    const LIMIT = 7;
    const { id, code } = await create({ code: freshCode('limit'), totalLimit: LIMIT });
    const results = await Promise.all(Array.from({ length: 50 }, () => redeem({ code })));
    expect(results.filter((r) => r.ok)).toHaveLength(LIMIT);
    const refused = results.filter((r) => !r.ok);
    expect(refused).toHaveLength(50 - LIMIT);
    for (const r of refused) expect(r).toMatchObject({ ok: false, error: { code: 'COUPON.LIMIT_REACHED' } });

    const [row] = await sql<{ redeemed_count: number; rows: string; events: string }>(
      `select redeemed_count,
              (select count(*) from redemption where coupon_id = ?) as rows,
              (select count(*) from outbox where message_key = ? and event_type = 'coupons.coupon-redeemed') as events
         from coupon where id = ?`,
      [id, id, id],
    );
    expect(row).toEqual({ redeemed_count: LIMIT, rows: String(LIMIT), events: String(LIMIT) });
  });

  it('holds the per-buyer limit under concurrent redemptions by one buyer', async () => {
    const { id, code } = await create({ code: freshCode('perbuyer'), perBuyerLimit: 3 });
    const buyerId = newId();
    const results = await Promise.all(Array.from({ length: 20 }, () => redeem({ code, buyerId })));
    expect(results.filter((r) => r.ok)).toHaveLength(3);
    for (const r of results.filter((x) => !x.ok))
      expect(r).toMatchObject({ error: { code: 'COUPON.BUYER_LIMIT_REACHED' } });
    // Another buyer is not affected.
    expect((await redeem({ code })).ok).toBe(true);
    const [row] = await sql<{ redeemed_count: number }>('select redeemed_count from coupon where id = ?', [
      id,
    ]);
    expect(row!.redeemed_count).toBe(4);
  });

  it('redeems once per order and releases once, however often it is asked', async () => {
    const { id, code } = await create({ code: freshCode('idem'), totalLimit: 2 });
    const orderId = newId();
    const buyerId = newId();
    const ask = { code: code.toLowerCase(), buyerId, orderId, discount: { amount: 250, currency: 'EUR' } };
    const redeemedEvents = async () =>
      Number(
        (
          await sql<{ n: string }>(
            `select count(*) as n from outbox where message_key = ? and event_type = 'coupons.coupon-redeemed'`,
            [id],
          )
        )[0]!.n,
      );

    const attempts = await Promise.all([redeem(ask), redeem(ask), redeem(ask)]);
    expect(attempts.every((a) => a.ok)).toBe(true);
    const ids = new Set(attempts.map((a) => a.ok && a.value.redemption.id));
    expect(ids.size).toBe(1);
    expect(attempts.filter((a) => a.ok && !a.value.replayed)).toHaveLength(1);
    expect(await redeemedEvents()).toBe(1);
    expect(await redeem({ ...ask, discount: { amount: 999, currency: 'EUR' } })).toMatchObject({
      ok: false,
      error: { code: 'COUPON.REDEMPTION_CONFLICT' },
    });

    const releases = await Promise.all([commands().release(orderId), commands().release(orderId)]);
    const released = releases.flatMap((r) => (r.ok ? r.value.released : []));
    expect(released).toHaveLength(1);
    expect(releases.every((r) => r.ok)).toBe(true);
    const again = await commands().release(orderId);
    expect(again).toMatchObject({
      ok: true,
      value: { released: [], alreadyReleased: [{ orderId, status: 'RELEASED' }] },
    });
    expect(await commands().release(newId())).toMatchObject({
      ok: true,
      value: { released: [], alreadyReleased: [] },
    });

    const [row] = await sql<{ redeemed_count: number; events: string }>(
      `select redeemed_count,
              (select count(*) from outbox where message_key = ? and event_type = 'coupons.redemption-released') as events
         from coupon where id = ?`,
      [id, id],
    );
    expect(row).toEqual({ redeemed_count: 0, events: '1' });
    // A released order cannot come back (a late duplicate of the redeem command must not leak a use).
    expect(await redeem(ask)).toMatchObject({ ok: false, error: { code: 'COUPON.REDEMPTION_RELEASED' } });
    expect(await redeemedEvents()).toBe(1);
  });

  it('refuses unusable coupons and bad commands, writing nothing', async () => {
    const paused = await create({ code: freshCode() });
    await gql(command('pauseCoupon'), { id: paused.id }, sellerA);
    const fixed = await create({
      code: freshCode(),
      kind: 'FIXED_AMOUNT',
      percentOff: null,
      amountOff: { amount: 500, currency: 'EUR' },
    });
    const before = await countRows();
    expect(await redeem({ code: paused.code })).toMatchObject({
      ok: false,
      error: { code: 'COUPON.INACTIVE' },
    });
    expect(await redeem({ code: 'NOSUCHCODE' })).toMatchObject({
      ok: false,
      error: { code: 'COUPON.NOT_FOUND' },
    });
    expect(await redeem({ code: fixed.code, discount: { amount: 501, currency: 'EUR' } })).toMatchObject({
      ok: false,
      error: { code: 'COUPON.INVALID_DISCOUNT' },
    });
    expect(await redeem({ code: fixed.code, discount: { amount: 500, currency: 'USD' } })).toMatchObject({
      ok: false,
      error: { code: 'COUPON.CURRENCY_MISMATCH' },
    });
    expect(await redeem({ code: fixed.code, orderId: 'order-1' })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION.MALFORMED_ID' },
    });
    expect(await countRows()).toBe(before);
  });

  it('publishes redemption events that match their contracts', async () => {
    const { id, code } = await create({ code: freshCode('events') });
    const orderId = newId();
    const buyerId = newId();
    expect((await redeem({ code, orderId, buyerId })).ok).toBe(true);
    expect((await commands().release(orderId)).ok).toBe(true);
    const rows = await waitFor(async () => {
      const found = await sql<{
        event_type: string;
        envelope: { payload: Record<string, unknown> };
        sent_at: Date | null;
      }>(`select event_type, envelope, sent_at from outbox where message_key = ? order by seq`, [id]);
      return found.length === 3 && found.every((r) => r.sent_at) ? found : undefined;
    });
    expect(rows.map((r) => r.event_type)).toEqual([
      'coupons.coupon-created',
      'coupons.coupon-redeemed',
      'coupons.redemption-released',
    ]);
    expect(rows[1]!.envelope.payload).toMatchObject({
      couponId: id,
      code,
      scope: 'SELLER',
      sellerId: sellerA.sellerId,
      buyerId,
      orderId,
      discount: { amount: 100, currency: 'EUR' },
      redeemedCount: 1,
      version: 2,
    });
    expect(rows[2]!.envelope.payload).toMatchObject({ orderId, redeemedCount: 0, version: 3 });
  });
});

describe('checkout saga commands through Kafka', () => {
  const eur = (amount: number) => ({ amount, currency: 'EUR' });
  const envelope = (type: string, orderId: string, payload: object) =>
    testEnvelope(type, 'Order', orderId, payload, { producer: 'checkout' });
  type Envelope = ReturnType<typeof envelope>;
  const send = (...messages: Envelope[]) => sut.send(messages, { topic: Topics.couponCommands });
  const handled = (...messages: Envelope[]) => sut.handled(messages, { timeoutMs: 30_000 });
  const repliesTo = (message: Envelope) =>
    sql<{ topic: string; type: string; key: string; correlation: string; payload: Record<string, unknown> }>(
      `select topic, event_type as type, message_key as key, envelope->>'correlationId' as correlation,
       envelope->'payload' as payload from outbox where envelope->>'causationId' = ?
       and topic = 'coupons.redemption' order by seq`,
      [message.id],
    );
  const redemptionsOf = (orderId: string) =>
    sql<{ code: string; status: string; discount_amount: string }>(
      'select code, status, discount_amount from redemption where order_id = ? order by code',
      [orderId],
    );
  const redeemedCount = async (id: string) =>
    (await sql<{ redeemed_count: number }>('select redeemed_count from coupon where id = ?', [id]))[0]!
      .redeemed_count;

  const lineA = newId();
  const lineB = newId();
  const redeemCommand = (orderId: string, codes: string[], buyerId = buyer.userId) =>
    envelope('coupons.redeem-coupons', orderId, {
      orderId,
      checkoutId: newId(),
      buyerId,
      currency: 'EUR',
      codes,
      lines: [
        { lineId: lineA, sellerId: sellerA.sellerId, quantity: 2, unitPrice: eur(1000) },
        { lineId: lineB, sellerId: sellerB.sellerId, quantity: 1, unitPrice: eur(500) },
      ],
      shipping: [
        { sellerId: sellerA.sellerId, amount: eur(490) },
        { sellerId: sellerB.sellerId, amount: eur(300) },
      ],
    });

  it('redeems every coupon of an order at once, replies the discounts, and answers a repeat the same', async () => {
    const sellerCoupon = await create({ code: freshCode('ord'), percentOff: 10 });
    const shipping = await create(
      { code: freshCode('ship'), kind: 'FREE_SHIPPING', percentOff: null },
      admin,
    );
    const orderId = newId();
    const first = redeemCommand(orderId, [sellerCoupon.code.toLowerCase(), shipping.code]);
    await send(first);
    await handled(first);
    const [reply] = await repliesTo(first);
    expect(reply).toEqual({
      topic: Topics.couponRedemption,
      type: 'coupons.coupons-redeemed',
      key: orderId,
      correlation: first.correlationId,
      payload: {
        orderId,
        checkoutId: (first.payload as { checkoutId: string }).checkoutId,
        // 10 % of seller A's 2000, plus both sellers' shipping.
        discountTotal: eur(200 + 490 + 300),
        lineDiscounts: [{ lineId: lineA, amount: eur(200) }],
        shippingDiscounts: [
          { sellerId: sellerA.sellerId, amount: eur(490) },
          { sellerId: sellerB.sellerId, amount: eur(300) },
        ],
        coupons: [
          { couponId: sellerCoupon.id, code: sellerCoupon.code, discount: eur(200) },
          { couponId: shipping.id, code: shipping.code, discount: eur(790) },
        ],
      },
    });
    expect(await redeemedCount(sellerCoupon.id)).toBe(1);
    expect(await redeemedCount(shipping.id)).toBe(1);

    // Re-sent after a timeout (a new message id): same reply, nothing redeemed twice.
    const again = redeemCommand(orderId, [sellerCoupon.code, shipping.code]);
    await send(again);
    await handled(again);
    expect((await repliesTo(again))[0]?.payload).toEqual(reply!.payload);
    expect(await redemptionsOf(orderId)).toHaveLength(2);
    expect(await redeemedCount(sellerCoupon.id)).toBe(1);

    // The compensation gives both back; a later repeat of the redeem is refused.
    const release = envelope('coupons.release-redemptions', orderId, {
      orderId,
      checkoutId: newId(),
      reason: 'payment failed',
    });
    await send(release);
    await handled(release);
    expect((await redemptionsOf(orderId)).map((r) => r.status)).toEqual(['RELEASED', 'RELEASED']);
    expect(await redeemedCount(sellerCoupon.id)).toBe(0);
    expect(await redeemedCount(shipping.id)).toBe(0);
    const late = redeemCommand(orderId, [sellerCoupon.code, shipping.code]);
    await send(late);
    await handled(late);
    expect((await repliesTo(late))[0]).toMatchObject({
      type: 'coupons.coupons-redemption-rejected',
      payload: { orderId, code: 'COUPON.REDEMPTION_RELEASED' },
    });
    expect(await redeemedCount(sellerCoupon.id)).toBe(0);
  });

  it('does not redeem codes the cart showed as not applied (min spend, not stackable)', async () => {
    const good = await create({ code: freshCode('good'), percentOff: 10 });
    const bigSpend = await create(
      { code: freshCode('big'), percentOff: 20, minimumSpend: eur(100_000) },
      sellerB,
    );
    const samePlatformSlot = [
      await create({ code: freshCode('pla'), percentOff: 5 }, admin),
      await create({ code: freshCode('plb'), percentOff: 5 }, admin),
    ];
    const orderId = newId();
    const command = redeemCommand(orderId, [
      good.code,
      bigSpend.code,
      samePlatformSlot[0]!.code,
      samePlatformSlot[1]!.code,
    ]);
    await send(command);
    await handled(command);
    const [reply] = await repliesTo(command);
    expect(reply?.type).toBe('coupons.coupons-redeemed');
    // Seller A's 10 % of 2000 = 200; then the platform 5 % of what is left (1800 + 500) = 115.
    expect(reply?.payload).toMatchObject({
      discountTotal: eur(315),
      coupons: [
        { couponId: good.id, code: good.code, discount: eur(200) },
        { couponId: samePlatformSlot[0]!.id, code: samePlatformSlot[0]!.code, discount: eur(115) },
      ],
    });
    expect((await redemptionsOf(orderId)).map((r) => r.code).sort()).toEqual(
      [good.code, samePlatformSlot[0]!.code].sort(),
    );
    expect(await redeemedCount(bigSpend.id)).toBe(0);
    expect(await redeemedCount(samePlatformSlot[1]!.id)).toBe(0);
  });

  it('rejects the whole order when one coupon hit its limit, redeeming nothing', async () => {
    const good = await create({ code: freshCode('good'), percentOff: 10 });
    const limited = await create(
      { code: freshCode('lim'), kind: 'FREE_SHIPPING', percentOff: null, totalLimit: 1 },
      admin,
    );
    const used = redeemCommand(newId(), [limited.code], newId());
    await send(used);
    await handled(used);
    expect((await repliesTo(used))[0]?.type).toBe('coupons.coupons-redeemed');

    const orderId = newId();
    const refused = redeemCommand(orderId, [good.code, limited.code]);
    await send(refused);
    await handled(refused);
    expect(await repliesTo(refused)).toEqual([
      {
        topic: Topics.couponRedemption,
        type: 'coupons.coupons-redemption-rejected',
        key: orderId,
        correlation: refused.correlationId,
        payload: {
          orderId,
          checkoutId: (refused.payload as { checkoutId: string }).checkoutId,
          couponCode: limited.code,
          code: 'COUPON.LIMIT_REACHED',
          message: expect.any(String),
        },
      },
    ]);
    expect(await redemptionsOf(orderId)).toEqual([]);
    expect(await redeemedCount(good.id)).toBe(0);
    expect(await redeemedCount(limited.id)).toBe(1);
  });

  it("counts unknown codes against the buyer's guessing allowance, once per order however often it is sent", async () => {
    // The cart stores codes unchecked, so without this checkout would answer NOT_FOUND forever.
    const guesser: Actor = { userId: newId(), role: 'buyer', sellerId: null };
    const unknown = () => Array.from({ length: 10 }, () => freshCode('nope'));
    const outcome = async (message: Envelope) => {
      await send(message);
      await handled(message);
      return (await repliesTo(message))[0]?.payload.code;
    };
    const firstOrder = newId();
    const firstCodes = unknown();
    expect(await outcome(redeemCommand(firstOrder, firstCodes, guesser.userId))).toBe('COUPON.NOT_FOUND');
    // Re-sent after a timeout (new message id, same order): the same answer, not counted again.
    expect(await outcome(redeemCommand(firstOrder, firstCodes, guesser.userId))).toBe('COUPON.NOT_FOUND');
    // 10 more use up the 20 of the buyer (30 had the repeat counted, refusing these).
    expect(await outcome(redeemCommand(newId(), unknown(), guesser.userId))).toBe('COUPON.NOT_FOUND');

    // Over the allowance: even a valid code is refused without being looked up or redeemed.
    const valid = await create({ code: freshCode('real'), percentOff: 10 });
    const refusedOrder = newId();
    const refused = redeemCommand(refusedOrder, [valid.code], guesser.userId);
    await send(refused);
    await handled(refused);
    expect((await repliesTo(refused))[0]).toMatchObject({
      type: 'coupons.coupons-redemption-rejected',
      payload: { orderId: refusedOrder, couponCode: valid.code, code: 'COUPON.TOO_MANY_ATTEMPTS' },
    });
    expect(await redemptionsOf(refusedOrder)).toEqual([]);
    expect(await redeemedCount(valid.id)).toBe(0);
    // Another buyer is not affected, and a known code does not use the allowance up.
    const other = redeemCommand(newId(), [valid.code], newId());
    expect(await outcome(other)).toBeUndefined();
    expect((await repliesTo(other))[0]?.type).toBe('coupons.coupons-redeemed');
  });
});

describe('coupon-code guessing throttle (defaults: 10 unknown codes per cart, 20 per buyer, 50 per client)', () => {
  const unknown = (n: number) => Array.from({ length: n }, () => freshCode('nope'));
  const line = {
    id: newId(),
    sellerId: sellerA.sellerId!,
    quantity: 1,
    unitPrice: { amount: 1000, currency: 'EUR' },
  };
  const cart = (couponCodes: string[], id = newId()) => ({
    __typename: 'Cart',
    id,
    lines: [{ ...line, available: true }],
    couponCodes,
  });
  /** Prices carts as the gateway would, with the caller's address and token. */
  const price = async (reps: object[], options: { client?: string; as?: Actor } = {}) => {
    const data = await gql(
      `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Cart { pricing { coupons { code status reason } } } } }`,
      { reps },
      { as: options.as, headers: options.client ? { 'x-client-ip': options.client } : {} },
    );
    return (data._entities as { pricing: { coupons: { code: string; reason: string | null }[] } }[]).map(
      (c) => c.pricing.coupons,
    );
  };
  const reasons = (coupons: { reason: string | null }[][]) => coupons.flat().map((c) => c.reason);
  const tally = (list: (string | null)[]) =>
    list.reduce<Record<string, number>>(
      (acc, r) => ({ ...acc, [r ?? 'APPLIED']: (acc[r ?? 'APPLIED'] ?? 0) + 1 }),
      {},
    );
  const client = () => `203.0.113.${uniqueSuffix()}`;

  it('lets a cart try 10 unknown codes, refuses the 11th without a lookup, and keeps answering tried codes', async () => {
    const valid = freshCode('ok');
    await create({ code: valid, percentOff: 5 });
    const tried = unknown(9);
    const [tenth, eleventh] = unknown(2);
    const cartId = newId();
    const from = client();

    const first = await price([cart([valid, ...tried], cartId)], { client: from });
    // The valid code was counted until it was found, then given back: room for a tenth.
    const second = await price([cart([valid, ...tried, tenth!], cartId)], { client: from });
    statements.length = 0;
    const [third] = await price([cart([valid, ...tried, tenth!, eleventh!], cartId)], { client: from });

    expect(tally(reasons(first))).toEqual({ APPLIED: 1, 'COUPON.NOT_FOUND': 9 });
    expect(tally(reasons(second))).toEqual({ APPLIED: 1, 'COUPON.NOT_FOUND': 10 });
    expect(third!.at(-1)).toMatchObject({ status: 'REJECTED', reason: 'COUPON.TOO_MANY_ATTEMPTS' });
    // Codes already tried on the cart are still answered; only the new one is refused.
    expect(tally(reasons([third!]))).toEqual({
      APPLIED: 1,
      'COUPON.NOT_FOUND': 10,
      'COUPON.TOO_MANY_ATTEMPTS': 1,
    });
    // The one lookup asked for the 11 codes tried before (valid + 10 unknown), not the 12th,
    // owned by the platform or by the cart's one store.
    const lookups = statements.filter((s) => /from "coupon" .* where "c0"\."code" in/.test(s));
    expect(lookups).toHaveLength(1);
    expect(lookups[0]!.match(/\?/g)).toHaveLength(11 + 1);
  });

  it('limits one client to 50 unknown codes over many carts, exactly, also when they arrive at once', async () => {
    const from = client();
    const results = await Promise.all(
      Array.from({ length: 12 }, () => price([cart(unknown(5))], { client: from })),
    );

    expect(tally(reasons(results.flat()))).toEqual({
      'COUPON.NOT_FOUND': 50,
      'COUPON.TOO_MANY_ATTEMPTS': 10,
    });
  });

  it('limits one signed-in buyer to 20 unknown codes over their carts', async () => {
    const guesser: Actor = { userId: newId(), role: 'buyer', sellerId: null };
    const results = [];
    for (let i = 0; i < 3; i++) results.push(...(await price([cart(unknown(9))], { as: guesser })));

    expect(tally(reasons(results))).toEqual({ 'COUPON.NOT_FOUND': 20, 'COUPON.TOO_MANY_ATTEMPTS': 7 });
  });

  it("does not let a shared address's guesses lock signed-in buyers out (the client limit is for anonymous callers)", async () => {
    // Behind a load balancer every caller has one address: anonymous guessing uses it up...
    const shared = client();
    const anonymous = await Promise.all(
      Array.from({ length: 6 }, () => price([cart(unknown(9))], { client: shared })),
    );
    expect(tally(reasons(anonymous.flat()))).toEqual({
      'COUPON.NOT_FOUND': 50,
      'COUPON.TOO_MANY_ATTEMPTS': 4,
    });
    expect(tally(reasons(await price([cart(unknown(1))], { client: shared })))).toEqual({
      'COUPON.TOO_MANY_ATTEMPTS': 1,
    });

    // ...while signed-in buyers from it keep their own allowances, and do not count against it.
    const ada: Actor = { userId: newId(), role: 'buyer', sellerId: null };
    const bob: Actor = { userId: newId(), role: 'buyer', sellerId: null };
    expect(tally(reasons(await price([cart(unknown(3))], { client: shared, as: ada })))).toEqual({
      'COUPON.NOT_FOUND': 3,
    });
    const bobs = [];
    for (let i = 0; i < 3; i++) bobs.push(...(await price([cart(unknown(9))], { client: shared, as: bob })));
    expect(tally(reasons(bobs))).toEqual({ 'COUPON.NOT_FOUND': 20, 'COUPON.TOO_MANY_ATTEMPTS': 7 });
  });
});
