import { describe, expect, it } from '@jest/globals';
import { Product } from './product.js';

const sellerId = '0192f3a0-1111-7aaa-8bbb-000000000001';
const now = new Date('2026-11-21T10:00:00Z');
const valid = {
  sellerId,
  name: 'Trail shoe',
  description: 'Light',
  price: { amount: 4999, currency: 'EUR' },
};

const create = (over: Partial<typeof valid> = {}) => {
  const r = Product.create({ ...valid, ...over }, now);
  if (!r.ok) throw new Error(r.error.code);
  return r.value;
};

describe('Product', () => {
  it('is created as a draft and records ProductCreated with a snapshot', () => {
    const p = create();
    expect(p.status).toBe('DRAFT');
    const [event] = p.pullEvents();
    expect(event).toMatchObject({
      type: 'products.product-created',
      aggregateId: p.id,
      payload: {
        productId: p.id,
        sellerId,
        version: 1,
        snapshot: { name: 'Trail shoe', status: 'DRAFT', price: { amount: 4999, currency: 'EUR' } },
      },
    });
    expect(p.pullEvents()).toEqual([]);
  });

  it.each([
    [{ price: { amount: -1, currency: 'EUR' } }, 'PRODUCT.NEGATIVE_PRICE'],
    [{ price: { amount: 10, currency: 'ZZZ' } }, 'MONEY.UNKNOWN_CURRENCY'],
    [{ price: { amount: 10.5, currency: 'EUR' } }, 'MONEY.NOT_INTEGER'],
    [{ name: '   ' }, 'VALIDATION.TOO_SHORT'],
    [{ name: 'x'.repeat(201) }, 'VALIDATION.TOO_LONG'],
    [{ description: 'x'.repeat(5001) }, 'VALIDATION.TOO_LONG'],
    [{ sellerId: 'not-a-uuid' }, 'VALIDATION.MALFORMED_ID'],
  ])('rejects bad input %j with %s', (over, code) => {
    expect(Product.create({ ...valid, ...over }, now)).toMatchObject({ ok: false, error: { code } });
  });

  it('publishes, unpublishes and republishes, raising one event per change with increasing versions', () => {
    const p = create();
    p.pullEvents();
    expect(p.publish(now).ok).toBe(true);
    expect(p.unpublish(now).ok).toBe(true);
    expect(p.publish(now).ok).toBe(true);
    expect(p.pullEvents().map((e) => [e.type, e.payload.version])).toEqual([
      ['products.product-published', 2],
      ['products.product-unpublished', 3],
      ['products.product-published', 4],
    ]);
  });

  it('refuses invalid transitions with a stable code and changes nothing', () => {
    const p = create();
    p.pullEvents();
    expect(p.unpublish(now)).toMatchObject({ ok: false, error: { code: 'PRODUCT.INVALID_TRANSITION' } });
    p.delete(now);
    expect(p.publish(now)).toMatchObject({ ok: false, error: { code: 'PRODUCT.INVALID_TRANSITION' } });
    expect(p.updateDetails({ name: 'New' }, now)).toMatchObject({
      ok: false,
      error: { code: 'PRODUCT.DELETED' },
    });
    expect(p.pullEvents().map((e) => e.type)).toEqual(['products.product-deleted']);
  });

  it('will not publish a product without a price', () => {
    const p = create({ price: { amount: 0, currency: 'EUR' } });
    expect(p.publish(now)).toMatchObject({ ok: false, error: { code: 'PRODUCT.NOT_PUBLISHABLE' } });
    expect(p.status).toBe('DRAFT');
  });

  it('changes price within its currency and records the previous price', () => {
    const p = create();
    p.pullEvents();
    expect(p.changePrice({ amount: 3999, currency: 'EUR' }, now).ok).toBe(true);
    expect(p.changePrice({ amount: 3999, currency: 'USD' }, now)).toMatchObject({
      ok: false,
      error: { code: 'PRODUCT.CURRENCY_CHANGE' },
    });
    const [event] = p.pullEvents();
    expect(event?.payload).toMatchObject({
      previousPrice: { amount: 4999 },
      snapshot: { price: { amount: 3999 } },
    });
  });

  it('an update that changes nothing records nothing', () => {
    const p = create();
    p.pullEvents();
    expect(p.updateDetails({ name: 'Trail shoe' }, now).ok).toBe(true);
    expect(p.pullEvents()).toEqual([]);
  });
});
