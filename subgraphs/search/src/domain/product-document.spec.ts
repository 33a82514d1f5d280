import { describe, expect, it } from '@jest/globals';
import { applySnapshot, emptyState, toDocument, type ProductSnapshot } from './product-document.js';

const root = { id: '0190a000-0000-7000-8000-000000000001', name: 'Home', slug: 'home' };
const lighting = { id: '0190a000-0000-7000-8000-000000000002', name: 'Lighting', slug: 'lighting' };
const productId = '0190a000-0000-7000-8000-0000000000aa';
const sellerId = '0190a000-0000-7000-8000-0000000000bb';

const snapshot = (overrides: Partial<ProductSnapshot> = {}): ProductSnapshot => ({
  name: 'Aurora lamp',
  slug: 'aurora-lamp',
  description: 'Warm light',
  status: 'PUBLISHED',
  categoryId: lighting.id,
  categoryPath: [root, lighting],
  attributes: [{ name: 'material', value: 'brass' }],
  images: [],
  variants: [
    {
      variantId: '0190a000-0000-7000-8000-0000000000c1',
      sku: 'LAMP-RED',
      name: 'Red',
      attributes: [{ name: 'colour', value: 'red' }],
      price: { amount: 2500, currency: 'EUR' },
    },
    {
      variantId: '0190a000-0000-7000-8000-0000000000c2',
      sku: 'LAMP-BLUE',
      name: 'Blue',
      attributes: [
        { name: 'colour', value: 'blue' },
        { name: 'material', value: 'brass' },
      ],
      price: { amount: 1900, currency: 'EUR' },
    },
    {
      variantId: '0190a000-0000-7000-8000-0000000000c3',
      sku: 'LAMP-GOLD',
      name: 'Gold',
      attributes: [],
      price: null,
    },
  ],
  ...overrides,
});

const change = (
  version: number,
  overrides: Partial<ProductSnapshot> = {},
  occurredAt = '2026-11-21T10:00:00.000Z',
) => ({
  productId,
  sellerId,
  version,
  snapshot: snapshot(overrides),
  occurredAt,
});

describe('product state', () => {
  it('applies newer snapshots and ignores same or older versions', () => {
    const v2 = applySnapshot(emptyState(productId, sellerId), change(2))!;
    expect(v2.productVersion).toBe(2);
    expect(applySnapshot(v2, change(2, { name: 'Replayed' }))).toBeNull();
    expect(applySnapshot(v2, change(1, { name: 'Late' }))).toBeNull();
    expect(applySnapshot(v2, change(3, { name: 'Renamed' }))?.snapshot?.name).toBe('Renamed');
  });

  it('remembers when it was first seen and first seen published', () => {
    const draft = applySnapshot(
      emptyState(productId, sellerId),
      change(1, { status: 'DRAFT' }, '2026-11-21T09:00:00.000Z'),
    )!;
    expect(draft).toMatchObject({ createdAt: '2026-11-21T09:00:00.000Z', publishedAt: null });
    const published = applySnapshot(draft, change(2, {}, '2026-11-21T10:00:00.000Z'))!;
    expect(published).toMatchObject({
      createdAt: '2026-11-21T09:00:00.000Z',
      publishedAt: '2026-11-21T10:00:00.000Z',
    });
    const again = applySnapshot(published, change(3, {}, '2026-11-21T11:00:00.000Z'))!;
    expect(again.publishedAt).toBe('2026-11-21T10:00:00.000Z');
  });

  it('takes the creation time from the source of truth when it knows it', () => {
    const state = applySnapshot(emptyState(productId, sellerId), {
      ...change(4),
      occurredAt: null,
      createdAt: '2026-01-01T00:00:00.000Z',
    })!;
    expect(state).toMatchObject({ createdAt: '2026-01-01T00:00:00.000Z', publishedAt: null });
  });
});

describe('product search document', () => {
  const state = applySnapshot(emptyState(productId, sellerId), change(3))!;

  it('flattens the snapshot into searchable, filterable fields', () => {
    const doc = toDocument(state, [{ sku: 'LAMP-BLUE', available: 4 }])!;
    expect(doc).toMatchObject({
      productId,
      sellerId,
      status: 'PUBLISHED',
      name: 'Aurora lamp',
      categoryId: lighting.id,
      categoryIds: [root.id, lighting.id],
      categories: [
        { ...root, depth: 0 },
        { ...lighting, depth: 1 },
      ],
      variantNames: ['Red', 'Blue', 'Gold'],
      skus: ['LAMP-RED', 'LAMP-BLUE', 'LAMP-GOLD'],
      currency: 'EUR',
      prices: [1900, 2500],
      priceMin: 1900,
      priceMax: 2500,
      inStock: true,
      productVersion: 3,
      listedAt: '2026-11-21T10:00:00.000Z',
    });
    // Product and variant attributes, each pair once.
    expect(doc.attributes).toEqual([
      { name: 'material', value: 'brass' },
      { name: 'colour', value: 'red' },
      { name: 'colour', value: 'blue' },
    ]);
    expect(doc.attributeText).toEqual(['brass', 'red', 'blue']);
  });

  it('is in stock only when a current variant has available units', () => {
    expect(toDocument(state, [])!.inStock).toBe(false);
    expect(toDocument(state, [{ sku: 'LAMP-RED', available: 0 }])!.inStock).toBe(false);
    // Stock of a SKU the product no longer has does not count.
    expect(toDocument(state, [{ sku: 'OTHER-SKU', available: 9 }])!.inStock).toBe(false);
    expect(toDocument(state, [{ sku: 'LAMP-GOLD', available: 1 }])!.inStock).toBe(true);
  });

  it('has no price range while no variant is priced, and no document before a snapshot', () => {
    const unpriced = applySnapshot(emptyState(productId, sellerId), change(1, { variants: [] }))!;
    expect(toDocument(unpriced, [])).toMatchObject({
      currency: null,
      prices: [],
      priceMin: null,
      priceMax: null,
    });
    expect(toDocument(emptyState(productId, sellerId), [])).toBeNull();
  });

  it('lists by creation time while the publication time is unknown', () => {
    const fromSource = applySnapshot(emptyState(productId, sellerId), {
      ...change(1),
      occurredAt: null,
      createdAt: '2026-02-01T00:00:00.000Z',
    })!;
    expect(toDocument(fromSource, [])!.listedAt).toBe('2026-02-01T00:00:00.000Z');
  });
});
