import { describe, expect, it } from '@jest/globals';
import { Money, newId } from '@marketplace/shared-kernel';
import { Coupon, type NewCoupon } from './coupon.js';
import { percentageHalfUp, priceCart, type CartPricing, type PricingLine } from './pricing.js';

const now = new Date('2026-06-01T12:00:00Z');
const DAY = 86_400_000;
const sellerA = newId();
const sellerB = newId();
const sellerC = newId();
const creator = newId();

function coupon(code: string, terms: Partial<NewCoupon> = {}, createdAt = now): Coupon {
  const r = Coupon.create(
    {
      code,
      scope: 'PLATFORM',
      sellerId: null,
      kind: 'PERCENTAGE',
      percentOff: 10,
      createdBy: creator,
      ...terms,
    },
    createdAt,
  );
  if (!r.ok) throw new Error(`${code}: ${r.error.code}`);
  return r.value;
}
const sellerCoupon = (code: string, sellerId: string, terms: Partial<NewCoupon> = {}) =>
  coupon(code, { scope: 'SELLER', sellerId, ...terms });
const fixed = (amount: number, currency = 'EUR'): Partial<NewCoupon> => ({
  kind: 'FIXED_AMOUNT',
  percentOff: null,
  amountOff: { amount, currency },
});
const freeShipping: Partial<NewCoupon> = { kind: 'FREE_SHIPPING', percentOff: null };

let lineNo = 0;
const line = (sellerId: string, unit: number, quantity = 1, currency = 'EUR'): PricingLine => ({
  id: `line-${++lineNo}`,
  sellerId,
  quantity,
  unitPrice: Money.from(unit, currency),
});

function price(
  lines: PricingLine[],
  codes: string[],
  coupons: Coupon[],
  options: { buyerRedemptions?: Map<string, number> | null; at?: Date } = {},
): CartPricing {
  return priceCart({
    lines,
    couponCodes: codes,
    coupons: new Map(coupons.map((c) => [c.code, c])),
    buyerRedemptions: options.buyerRedemptions ?? null,
    now: options.at ?? now,
  });
}

const amounts = (p: CartPricing) => ({
  subtotal: p.subtotal?.amount,
  discountTotal: p.discountTotal?.amount,
  total: p.total?.amount,
  lines: p.lines.map((l) => [l.discount.amount, l.total.amount]),
});

describe('percentage rounding', () => {
  it.each([
    [1005, 10, 101], // 100.5 -> 101: half rounds up
    [1004, 10, 100], // 100.4 -> 100
    [1006, 10, 101], // 100.6 -> 101
    [1, 50, 1], // 0.5 -> 1
    [1, 49, 0], // 0.49 -> 0
    [999, 100, 999],
    [0, 30, 0],
    [Number.MAX_SAFE_INTEGER, 100, Number.MAX_SAFE_INTEGER], // exact beyond 2^53 intermediates
  ])('%d minor units at %d%% -> %d', (amount, percent, expected) => {
    expect(percentageHalfUp(amount, percent)).toBe(expected);
  });

  it('rounds once on the covered total, then splits by largest remainder', () => {
    // 3 x 335 = 1005 at 10% -> 100.5 -> 101, split 101 by weights 335,335,335 -> 34,34,33.
    const p = price(
      [line(sellerA, 335), line(sellerA, 335), line(sellerA, 335)],
      ['TENOFF'],
      [coupon('TENOFF')],
    );
    expect(amounts(p)).toEqual({
      subtotal: 1005,
      discountTotal: 101,
      total: 904,
      lines: [
        [34, 301],
        [34, 301],
        [33, 302],
      ],
    });
    expect(p.coupons[0]).toMatchObject({ code: 'TENOFF', status: 'APPLIED', reason: null });
    expect(p.coupons[0]!.allocations.map((a) => a.amount.amount)).toEqual([34, 34, 33]);
  });

  it('weights lines by their totals (unit price x quantity)', () => {
    // 1000 (2 x 500) and 3 at 15% -> 150.45 -> 150, split 1000:3 -> 149.55.., 0.44.. -> 150, 0.
    const p = price(
      [line(sellerA, 500, 2), line(sellerA, 3)],
      ['PCT15'],
      [coupon('PCT15', { percentOff: 15 })],
    );
    expect(amounts(p).lines).toEqual([
      [150, 850],
      [0, 3],
    ]);
  });

  it('works in currencies without minor units', () => {
    const p = price([line(sellerA, 1999, 1, 'JPY')], ['PCT15'], [coupon('PCT15', { percentOff: 15 })]);
    expect(p.currency).toBe('JPY');
    expect(p.discountTotal).toEqual(Money.from(300, 'JPY')); // 299.85 -> 300
  });
});

describe('fixed amounts', () => {
  it('take the amount off and split it over the lines', () => {
    const p = price([line(sellerA, 3000), line(sellerB, 1000)], ['FIVE'], [coupon('FIVE', fixed(500))]);
    expect(amounts(p)).toEqual({
      subtotal: 4000,
      discountTotal: 500,
      total: 3500,
      lines: [
        [375, 2625],
        [125, 875],
      ],
    });
  });

  it('never exceed the covered subtotal', () => {
    const p = price(
      [line(sellerA, 300), line(sellerB, 9000)],
      ['BIG'],
      [sellerCoupon('BIG', sellerA, fixed(5000))],
    );
    expect(p.coupons[0]!.discount?.amount).toBe(300);
    expect(amounts(p).lines).toEqual([
      [300, 0],
      [0, 9000],
    ]);
  });
});

describe('seller coupons', () => {
  it("discount only their seller's lines", () => {
    const p = price(
      [line(sellerA, 1000), line(sellerB, 1000), line(sellerA, 3000)],
      ['ASHOP20'],
      [sellerCoupon('ASHOP20', sellerA, { percentOff: 20 })],
    );
    expect(amounts(p).lines).toEqual([
      [200, 800],
      [0, 1000],
      [600, 2400],
    ]);
    expect(p.coupons[0]).toMatchObject({ status: 'APPLIED', scope: 'SELLER', sellerId: sellerA });
    expect(p.coupons[0]!.allocations.map((a) => a.lineId)).toEqual([p.lines[0]!.lineId, p.lines[2]!.lineId]);
  });

  it("measure the minimum spend on their seller's lines only", () => {
    const c = sellerCoupon('AMIN50', sellerA, { minimumSpend: { amount: 5000, currency: 'EUR' } });
    const short = price([line(sellerA, 3000), line(sellerB, 9000)], ['AMIN50'], [c]);
    expect(short.coupons[0]).toMatchObject({
      status: 'REJECTED',
      reason: { code: 'COUPON.MIN_SPEND_NOT_MET' },
      discount: Money.zero('EUR'),
    });
    expect(short.discountTotal).toEqual(Money.zero('EUR'));
    const enough = price([line(sellerA, 2500, 2), line(sellerB, 10)], ['AMIN50'], [c]);
    expect(enough.coupons[0]!.status).toBe('APPLIED');
  });

  it('are rejected when the cart has nothing from their seller', () => {
    const p = price([line(sellerB, 1000)], ['ASHOP20'], [sellerCoupon('ASHOP20', sellerA)]);
    expect(p.coupons[0]!.reason?.code).toBe('COUPON.NO_ELIGIBLE_LINES');
  });

  it('apply before the platform coupon, which discounts what they leave', () => {
    const p = price(
      [line(sellerA, 1000), line(sellerB, 1000)],
      ['PLAT10', 'ASHOP50'],
      [coupon('PLAT10'), sellerCoupon('ASHOP50', sellerA, { percentOff: 50 })],
    );
    // A: 1000 - 500 = 500; platform 10% of (500 + 1000) = 150, split 500:1000 -> 50, 100.
    expect(p.coupons.map((c) => [c.code, c.status, c.discount?.amount])).toEqual([
      ['PLAT10', 'APPLIED', 150],
      ['ASHOP50', 'APPLIED', 500],
    ]);
    expect(amounts(p).lines).toEqual([
      [550, 450],
      [100, 900],
    ]);
  });

  it('never let lines go below zero, even fully discounted and then hit by a fixed amount', () => {
    const p = price(
      [line(sellerA, 700), line(sellerB, 300)],
      ['AFREE', 'PLAT9999'],
      [sellerCoupon('AFREE', sellerA, { percentOff: 100 }), coupon('PLAT9999', fixed(9999))],
    );
    expect(amounts(p).lines).toEqual([
      [700, 0],
      [300, 0],
    ]);
    expect(p.total).toEqual(Money.zero('EUR'));
  });
});

describe('stacking: one platform coupon plus one coupon per seller', () => {
  const coupons = () => [
    coupon('PLAT10'),
    coupon('PLAT20', { percentOff: 20 }),
    sellerCoupon('A10', sellerA),
    sellerCoupon('A5OFF', sellerA, fixed(5)),
    sellerCoupon('B10', sellerB),
  ];
  const cart = () => [line(sellerA, 1000), line(sellerB, 1000), line(sellerC, 1000)];

  it('applies the first platform coupon and the first coupon of each seller', () => {
    const p = price(cart(), ['a10', 'PLAT10', 'PLAT20', 'A5OFF', 'B10'], coupons());
    expect(p.coupons.map((c) => [c.code, c.status, c.reason?.code ?? null])).toEqual([
      ['A10', 'APPLIED', null],
      ['PLAT10', 'APPLIED', null],
      ['PLAT20', 'REJECTED', 'COUPON.NOT_STACKABLE'],
      ['A5OFF', 'REJECTED', 'COUPON.NOT_STACKABLE'],
      ['B10', 'APPLIED', null],
    ]);
    expect(p.coupons[2]!.discount).toEqual(Money.zero('EUR'));
  });

  it('lets a later coupon take a slot an invalid earlier one could not', () => {
    const expired = coupon(
      'OLD10',
      { validUntil: new Date(now.getTime() + DAY) },
      new Date(now.getTime() - DAY),
    );
    const p = price(cart(), ['OLD10', 'PLAT20'], [expired, ...coupons()], {
      at: new Date(now.getTime() + 2 * DAY),
    });
    expect(p.coupons.map((c) => [c.code, c.status, c.reason?.code ?? null])).toEqual([
      ['OLD10', 'REJECTED', 'COUPON.EXPIRED'],
      ['PLAT20', 'APPLIED', null],
    ]);
  });

  it('rejects a repeated code, whatever its case', () => {
    const p = price(cart(), ['plat10', ' PLAT10 '], coupons());
    expect(p.coupons.map((c) => [c.code, c.status, c.reason?.code ?? null])).toEqual([
      ['PLAT10', 'APPLIED', null],
      ['PLAT10', 'REJECTED', 'COUPON.DUPLICATE'],
    ]);
  });
});

describe('rejections', () => {
  it('answers unknown and malformed codes with COUPON.NOT_FOUND', () => {
    const p = price([line(sellerA, 1000)], ['NOPE42', 'bad code!'], []);
    expect(p.coupons.map((c) => [c.code, c.reason?.code])).toEqual([
      ['NOPE42', 'COUPON.NOT_FOUND'],
      ['bad code!', 'COUPON.NOT_FOUND'],
    ]);
    expect(p.total).toEqual(Money.from(1000, 'EUR'));
  });

  it('reports the window, the status and the limits', () => {
    const future = coupon('SOON10', { validFrom: new Date(now.getTime() + DAY) });
    const paused = coupon('PAUSED10');
    paused.pause(now);
    const usedUp = coupon('ONCE10', { totalLimit: 1 });
    usedUp.redeem(
      { buyerId: newId(), orderId: newId(), discount: { amount: 1, currency: 'EUR' }, buyerRedemptions: 0 },
      now,
    );
    const perBuyer = sellerCoupon('MINE10', sellerA, { perBuyerLimit: 1 });
    const p = price(
      [line(sellerA, 1000)],
      ['SOON10', 'PAUSED10', 'ONCE10', 'MINE10'],
      [future, paused, usedUp, perBuyer],
      { buyerRedemptions: new Map([[perBuyer.id, 1]]) },
    );
    expect(p.coupons.map((c) => c.reason?.code)).toEqual([
      'COUPON.NOT_STARTED',
      'COUPON.INACTIVE',
      'COUPON.LIMIT_REACHED',
      'COUPON.BUYER_LIMIT_REACHED',
    ]);
  });

  it('rejects coupons in another currency', () => {
    const p = price([line(sellerA, 1000, 1, 'USD')], ['FIVE'], [coupon('FIVE', fixed(500, 'EUR'))]);
    expect(p.coupons[0]!.reason?.code).toBe('COUPON.CURRENCY_MISMATCH');
    expect(p.discountTotal).toEqual(Money.zero('USD'));
  });

  it('prices an empty cart or a cart mixing currencies without cart-level totals', () => {
    const empty = price([], ['PLAT10'], [coupon('PLAT10')]);
    expect(empty).toMatchObject({ currency: null, subtotal: null, total: null, lines: [] });
    expect(empty.coupons[0]).toMatchObject({ reason: { code: 'COUPON.NO_ELIGIBLE_LINES' }, discount: null });

    const mixed = price([line(sellerA, 1000), line(sellerB, 1000, 1, 'USD')], ['PLAT10'], [coupon('PLAT10')]);
    expect(mixed).toMatchObject({ currency: null, subtotal: null, discountTotal: null, total: null });
    expect(mixed.coupons[0]!.reason?.code).toBe('COUPON.CURRENCY_MISMATCH');
    expect(mixed.lines.map((l) => [l.subtotal.toJSON(), l.discount.amount])).toEqual([
      [{ amount: 1000, currency: 'EUR' }, 0],
      [{ amount: 1000, currency: 'USD' }, 0],
    ]);
  });

  it('refuses lines no cart should hold', () => {
    expect(() => price([line(sellerA, 1000, 0)], [], [])).toThrow(/positive quantity/);
    expect(() => price([line(sellerA, -1)], [], [])).toThrow(/non-negative price/);
  });
});

describe('free shipping', () => {
  it("frees a seller coupon's seller, or every seller for a platform coupon", () => {
    const lines = [line(sellerA, 1000), line(sellerB, 1000), line(sellerA, 10)];
    const seller = price(lines, ['ASHIP'], [sellerCoupon('ASHIP', sellerA, freeShipping)]);
    expect(seller.freeShippingSellerIds).toEqual([sellerA]);
    expect(seller.coupons[0]).toMatchObject({ status: 'APPLIED', discount: Money.zero('EUR') });
    expect(seller.total).toEqual(Money.from(2010, 'EUR'));
    const platform = price(lines, ['SHIPFREE'], [coupon('SHIPFREE', freeShipping)]);
    expect(platform.freeShippingSellerIds).toEqual([sellerA, sellerB]);
  });

  it('respects the minimum spend', () => {
    const p = price(
      [line(sellerA, 1000)],
      ['SHIPFREE'],
      [coupon('SHIPFREE', { ...freeShipping, minimumSpend: { amount: 5000, currency: 'EUR' } })],
    );
    expect(p.freeShippingSellerIds).toEqual([]);
    expect(p.coupons[0]!.reason?.code).toBe('COUPON.MIN_SPEND_NOT_MET');
  });
});

/** Seeded, so a failure names a reproducible case (mulberry32). */
function random(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[int(0, items.length - 1)]!;
  return { int, pick, chance: (p: number) => next() < p };
}

describe('property: random carts and coupons', () => {
  const RUNS = 2000;

  it(`keeps every sum exact and every rule in ${RUNS} random carts`, () => {
    const seen = new Map<string, number>();
    const tally = (key: string) => seen.set(key, (seen.get(key) ?? 0) + 1);
    for (let run = 0; run < RUNS; run++) {
      const rnd = random(run + 1);
      const currency = rnd.pick(['EUR', 'JPY', 'KWD']);
      const sellers = Array.from({ length: rnd.int(1, 4) }, () => newId());
      const lines = Array.from({ length: rnd.int(1, 8) }, () =>
        line(rnd.pick(sellers), rnd.chance(0.1) ? 0 : rnd.int(1, 200_000), rnd.int(1, 7), currency),
      );
      const coupons: Coupon[] = Array.from({ length: rnd.int(1, 6) }, (_, k) => {
        const seller = rnd.chance(0.35) ? null : rnd.pick(sellers);
        const kind = rnd.pick(['PERCENTAGE', 'PERCENTAGE', 'FIXED_AMOUNT', 'FREE_SHIPPING'] as const);
        return coupon(`C${run}X${k}`, {
          scope: seller ? 'SELLER' : 'PLATFORM',
          sellerId: seller,
          kind,
          percentOff: kind === 'PERCENTAGE' ? rnd.int(1, 100) : null,
          amountOff: kind === 'FIXED_AMOUNT' ? { amount: rnd.int(1, 300_000), currency } : null,
          minimumSpend: rnd.chance(0.3) ? { amount: rnd.int(0, 500_000), currency } : null,
        });
      });
      const codes = Array.from({ length: rnd.int(0, 7) }, () =>
        rnd.chance(0.1) ? 'UNKNOWN1' : rnd.pick(coupons).code.toLowerCase(),
      );
      const p = price(lines, codes, coupons);
      const context = `run ${run}: ${JSON.stringify({ codes, lines: lines.map((l) => [l.sellerId.slice(-4), l.unitPrice.amount, l.quantity]) })}`;

      const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
      // Parts always sum to the whole.
      expect({ context, ok: sum(p.lines.map((l) => l.subtotal.amount)) }).toEqual({
        context,
        ok: p.subtotal!.amount,
      });
      expect({ context, ok: sum(p.lines.map((l) => l.discount.amount)) }).toEqual({
        context,
        ok: p.discountTotal!.amount,
      });
      expect({ context, ok: sum(p.lines.map((l) => l.total.amount)) }).toEqual({
        context,
        ok: p.total!.amount,
      });
      expect(p.total!.amount).toBe(p.subtotal!.amount - p.discountTotal!.amount);
      expect(sum(p.coupons.map((c) => c.discount!.amount))).toBe(p.discountTotal!.amount);
      // No line below zero or discounted beyond its subtotal.
      for (const l of p.lines) {
        expect(l.discount.amount).toBeGreaterThanOrEqual(0);
        expect(l.total.amount).toBeGreaterThanOrEqual(0);
        expect(l.total.amount).toBe(l.subtotal.amount - l.discount.amount);
      }
      // Per coupon: parts sum to its discount, only on covered lines; rejected ones give nothing.
      const applied = p.coupons.filter((c) => c.status === 'APPLIED');
      for (const c of p.coupons) {
        expect(sum(c.allocations.map((a) => a.amount.amount))).toBe(c.discount!.amount);
        if (c.status === 'REJECTED') {
          expect(c.discount!.amount).toBe(0);
          expect(c.reason?.code).toMatch(/^COUPON\./);
          continue;
        }
        const covered = p.lines.filter((l) => c.scope === 'PLATFORM' || l.sellerId === c.sellerId);
        const coveredIds = new Set(covered.map((l) => l.lineId));
        for (const a of c.allocations) expect(coveredIds.has(a.lineId)).toBe(true);
        const coveredSubtotal = sum(covered.map((l) => l.subtotal.amount));
        const found = coupons.find((x) => x.id === c.couponId)!;
        if (found.kind === 'FIXED_AMOUNT')
          expect(c.discount!.amount).toBeLessThanOrEqual(Math.min(found.amountOff!.amount, coveredSubtotal));
        if (found.kind === 'FREE_SHIPPING') expect(c.discount!.amount).toBe(0);
        if (found.minimumSpend) expect(coveredSubtotal).toBeGreaterThanOrEqual(found.minimumSpend.amount);
        // A coupon alone on its lines (no seller coupon before a platform one) gets exactly its rounded share.
        const aloneOnItsLines =
          c.scope === 'SELLER' || !applied.some((o) => o.scope === 'SELLER' && o.discount!.amount > 0);
        if (found.kind === 'PERCENTAGE' && aloneOnItsLines)
          expect(c.discount!.amount).toBe(percentageHalfUp(coveredSubtotal, found.percentOff!));
      }
      // Stacking: one platform coupon, one per seller.
      expect(applied.filter((c) => c.scope === 'PLATFORM').length).toBeLessThanOrEqual(1);
      const sellerSlots = applied.filter((c) => c.scope === 'SELLER').map((c) => c.sellerId);
      expect(new Set(sellerSlots).size).toBe(sellerSlots.length);
      // Same input, same answer.
      expect(price(lines, codes, coupons)).toEqual(p);
      for (const c of p.coupons) tally(c.status === 'APPLIED' ? `${c.scope}:${c.kind}` : c.reason!.code);
      if (applied.some((c) => c.scope === 'PLATFORM') && applied.some((c) => c.scope === 'SELLER'))
        tally('stacked');
    }
    // The generator reaches every interesting case, so the checks above are not vacuous.
    for (const key of [
      'PLATFORM:PERCENTAGE',
      'PLATFORM:FIXED_AMOUNT',
      'PLATFORM:FREE_SHIPPING',
      'SELLER:PERCENTAGE',
      'SELLER:FIXED_AMOUNT',
      'SELLER:FREE_SHIPPING',
      'stacked',
      'COUPON.NOT_STACKABLE',
      'COUPON.DUPLICATE',
      'COUPON.MIN_SPEND_NOT_MET',
      'COUPON.NO_ELIGIBLE_LINES',
      'COUPON.NOT_FOUND',
    ]) {
      expect({ [key]: (seen.get(key) ?? 0) > RUNS / 100 }).toEqual({ [key]: true });
    }
  });
});
