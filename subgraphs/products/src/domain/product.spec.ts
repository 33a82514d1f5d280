import { describe, expect, it } from '@jest/globals';
import { Product, type NewProduct } from './product.js';
import { Category } from './category.js';

const sellerId = '0192f3a0-1111-7aaa-8bbb-000000000001';
const now = new Date('2026-11-21T10:00:00Z');
const later = new Date('2026-11-21T11:00:00Z');
const image = { url: 'https://img.example.com/a.jpg', alt: 'front' };
const valid: NewProduct = {
  sellerId,
  name: 'Trail shoe',
  slug: 'trail-shoe-1a2b3c4d',
  description: 'Light',
  categoryPath: [],
  attributes: [{ name: 'Material', value: 'Mesh' }],
  images: [image],
  variants: [
    { sku: 'ts-42', name: 'Size 42', price: { amount: 4999, currency: 'EUR' } },
    { sku: 'TS-43', name: 'Size 43', price: null },
  ],
};

const create = (over: Partial<NewProduct> = {}) => {
  const r = Product.create({ ...valid, ...over }, now);
  if (!r.ok) throw new Error(r.error.code);
  return r.value;
};
const codeOf = (r: { ok: boolean; error?: { code: string } }) => (r.ok ? 'OK' : r.error!.code);

describe('Product', () => {
  it('is created as a draft with normalised SKUs and records ProductCreated v2 with a snapshot', () => {
    const p = create();
    expect(p.status).toBe('DRAFT');
    expect(p.variants.map((v) => v.sku)).toEqual(['TS-42', 'TS-43']);
    const [event] = p.pullEvents();
    expect(event).toMatchObject({
      type: 'products.product-created',
      version: 2,
      aggregateId: p.id,
      payload: {
        productId: p.id,
        sellerId,
        version: 1,
        snapshot: { name: 'Trail shoe', status: 'DRAFT', images: [{ ...image, position: 0 }] },
      },
    });
    expect(p.pullEvents()).toEqual([]);
  });

  it.each([
    [
      { variants: [{ sku: 'A', name: 'x', price: { amount: -1, currency: 'EUR' } }] },
      'PRODUCT.NEGATIVE_PRICE',
    ],
    [{ variants: [{ sku: 'A', name: 'x', price: { amount: 10.5, currency: 'EUR' } }] }, 'MONEY.NOT_INTEGER'],
    [
      { variants: [{ sku: 'A', name: 'x', price: { amount: Number.MAX_SAFE_INTEGER, currency: 'EUR' } }] },
      'MONEY.OUT_OF_RANGE',
    ],
    [{ name: 'Lamp\u0000' }, 'VALIDATION.CONTROL_CHARACTERS'],
    [{ name: '\u001b[2J\u202eLamp' }, 'VALIDATION.CONTROL_CHARACTERS'],
    [{ description: 'Warm light\u0007' }, 'VALIDATION.CONTROL_CHARACTERS'],
    [
      {
        variants: [
          { sku: 'A', name: 'x' },
          { sku: 'a', name: 'y' },
        ],
      },
      'PRODUCT.SKU_TAKEN',
    ],
    [{ variants: [{ sku: '-A', name: 'x' }] }, 'VALIDATION.MALFORMED_SKU'],
    [{ slug: 'Not A Slug' }, 'VALIDATION.MALFORMED_SLUG'],
    [{ name: '   ' }, 'VALIDATION.TOO_SHORT'],
    [{ images: [{ url: 'javascript:alert(1)' }] }, 'VALIDATION.MALFORMED_URL'],
    [
      {
        attributes: [
          { name: 'Colour', value: 'red' },
          { name: 'colour', value: 'blue' },
        ],
      },
      'VALIDATION.DUPLICATE',
    ],
  ])('refuses invalid input %# with a stable code', (over, code) => {
    expect(codeOf(Product.create({ ...valid, ...over } as NewProduct, now))).toBe(code);
  });

  it('publishes only with an active store, a priced variant and an image', () => {
    expect(codeOf(create().publish('PENDING', now))).toBe('PRODUCT.SELLER_NOT_ACTIVE');
    expect(codeOf(create().publish('UNKNOWN', now))).toBe('PRODUCT.SELLER_NOT_ACTIVE');
    expect(codeOf(create({ variants: [{ sku: 'A', name: 'a' }] }).publish('ACTIVE', now))).toBe(
      'PRODUCT.PRICE_REQUIRED',
    );
    expect(
      codeOf(
        create({ variants: [{ sku: 'A', name: 'a', price: { amount: 0, currency: 'EUR' } }] }).publish(
          'ACTIVE',
          now,
        ),
      ),
    ).toBe('PRODUCT.PRICE_REQUIRED');
    expect(codeOf(create({ images: [] }).publish('ACTIVE', now))).toBe('PRODUCT.IMAGE_REQUIRED');
    const p = create();
    expect(codeOf(p.publish('ACTIVE', later))).toBe('OK');
    expect(p.publishedAt).toEqual(later);
    // A published product keeps what made it publishable.
    expect(codeOf(p.updateDetails({ images: [] }, later))).toBe('PRODUCT.IMAGE_REQUIRED');
    expect(codeOf(p.setVariantPrice(p.variants[0]!.variantId, { amount: 0, currency: 'EUR' }, later))).toBe(
      'PRODUCT.PRICE_REQUIRED',
    );
  });

  it('follows the workflow draft → published ⇄ unpublished → deleted', () => {
    const p = create();
    expect(codeOf(p.unpublish(now))).toBe('PRODUCT.INVALID_TRANSITION');
    expect(codeOf(p.publish('ACTIVE', now))).toBe('OK');
    expect(codeOf(p.unpublish(now))).toBe('OK');
    expect(codeOf(p.publish('ACTIVE', now))).toBe('OK');
    expect(codeOf(p.delete(now))).toBe('OK');
    expect(codeOf(p.publish('ACTIVE', now))).toBe('PRODUCT.INVALID_TRANSITION');
    expect(codeOf(p.updateDetails({ name: 'x' }, now))).toBe('PRODUCT.DELETED');
    expect(p.version).toBe(5);
  });

  it('keeps one currency per product and records price changes with the previous price', () => {
    const p = create();
    const [first, second] = p.variants;
    p.pullEvents();
    expect(codeOf(p.setVariantPrice(second!.variantId, { amount: 100, currency: 'USD' }, now))).toBe(
      'PRODUCT.CURRENCY_MISMATCH',
    );
    expect(codeOf(p.setVariantPrice(second!.variantId, { amount: 5299, currency: 'EUR' }, now))).toBe('OK');
    expect(codeOf(p.setVariantPrice(first!.variantId, { amount: 4999, currency: 'EUR' }, now))).toBe('OK');
    const events = p.pullEvents();
    expect(events).toHaveLength(1); // setting the same price again records nothing
    expect(events[0]!.payload).toMatchObject({
      variantId: second!.variantId,
      sku: 'TS-43',
      previousPrice: null,
      price: { amount: 5299, currency: 'EUR' },
      version: 2,
    });
    expect(
      codeOf(p.setVariantPrice('0192f3a0-1111-7aaa-8bbb-00000000dead', { amount: 1, currency: 'EUR' }, now)),
    ).toBe('PRODUCT.VARIANT_NOT_FOUND');
  });

  it('adds and edits variants, refusing a duplicate SKU, and records no event for a no-op', () => {
    const p = create();
    p.pullEvents();
    expect(codeOf(p.addVariant({ sku: 'ts-42', name: 'again' }, now))).toBe('PRODUCT.SKU_TAKEN');
    expect(codeOf(p.addVariant({ sku: 'TS-44', name: 'Size 44' }, now))).toBe('OK');
    const v = p.variants[2]!;
    expect(codeOf(p.updateVariant(v.variantId, { name: 'Size 44' }, now))).toBe('OK');
    expect(codeOf(p.updateVariant(v.variantId, { attributes: [{ name: 'Size', value: '44' }] }, now))).toBe(
      'OK',
    );
    expect(p.pullEvents().map((e) => e.type)).toEqual([
      'products.product-updated',
      'products.product-updated',
    ]);
  });
});

describe('Category', () => {
  it('carries its path root first and refuses to nest too deep', () => {
    const root = Category.create({ name: 'Shoes', slug: 'shoes', parent: null }, now);
    if (!root.ok) throw new Error();
    const child = Category.create({ name: 'Running', slug: 'running', parent: root.value }, now);
    if (!child.ok) throw new Error();
    expect(child.value.path.map((c) => c.slug)).toEqual(['shoes', 'running']);
    let parent = child.value;
    for (let depth = 2; depth < 6; depth++) {
      const next = Category.create({ name: `L${depth}`, slug: `l${depth}`, parent }, now);
      if (!next.ok) throw new Error(next.error.code);
      parent = next.value;
    }
    expect(codeOf(Category.create({ name: 'Deep', slug: 'deep', parent }, now))).toBe('CATEGORY.TOO_DEEP');
  });
});
