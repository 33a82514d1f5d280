import { describe, expect, it } from '@jest/globals';
import type { ProductCreatedV1 } from './generated/contracts.js';
import {
  contractKey,
  deadLetterTopic,
  isKnownContract,
  listContracts,
  topicFor,
  Topics,
  validateEnvelope,
} from './registry.js';

const productId = '0b5e0c9e-5a43-4b8e-9d2f-6f0f3d6c1a11';

const productCreated = (): ProductCreatedV1 => ({
  productId,
  sellerId: '5f7c9a3e-2d14-4c6b-8a90-1e2f3a4b5c6d',
  version: 1,
  snapshot: {
    name: 'Desk lamp',
    description: '',
    price: { amount: 2599, currency: 'EUR' },
    status: 'DRAFT',
  },
});

const envelope = (payload: unknown = productCreated(), overrides: Record<string, unknown> = {}) => ({
  id: '9d3f1c2a-7b6e-4f5d-8c4b-3a2e1f0d9c8b',
  type: 'products.product-created',
  version: 1,
  aggregateType: 'Product',
  aggregateId: productId,
  occurredAt: '2025-03-01T12:00:00.000Z',
  correlationId: 'req-42',
  causationId: null,
  producer: 'products',
  payload,
  ...overrides,
});

const codeOf = (value: unknown): string => {
  const result = validateEnvelope(value);
  return result.ok ? 'OK' : result.error.code;
};

describe('validateEnvelope', () => {
  it('accepts a valid envelope with a valid payload', () => {
    const value = envelope(productCreated(), {
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      causationId: 'msg-1',
    });
    expect(validateEnvelope(value)).toEqual({ ok: true, value });
  });

  const base = productCreated();
  it.each<[string, unknown, string]>([
    [
      'a negative amount',
      { ...base, snapshot: { ...base.snapshot, price: { amount: -1, currency: 'EUR' } } },
      '/snapshot/price/amount',
    ],
    [
      'a lower-case currency',
      { ...base, snapshot: { ...base.snapshot, price: { amount: 1, currency: 'eur' } } },
      '/snapshot/price/currency',
    ],
    ['a missing snapshot', { ...base, snapshot: undefined }, "required property 'snapshot'"],
    ['an extra property', { ...base, discount: 5 }, 'additional properties (discount)'],
    [
      'a fractional amount',
      { ...base, snapshot: { ...base.snapshot, price: { amount: 1.5, currency: 'EUR' } } },
      'integer',
    ],
  ])('rejects a payload with %s as CONTRACT.INVALID_PAYLOAD', (_case, payload, detail) => {
    const result = validateEnvelope(JSON.parse(JSON.stringify(envelope(payload))));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('CONTRACT.INVALID_PAYLOAD');
    expect(result.error.message).toContain(detail);
  });

  it('rejects an unknown type or version as CONTRACT.UNKNOWN_EVENT', () => {
    expect(codeOf(envelope(productCreated(), { type: 'products.product-exploded' }))).toBe(
      'CONTRACT.UNKNOWN_EVENT',
    );
    expect(codeOf(envelope(productCreated(), { version: 99 }))).toBe('CONTRACT.UNKNOWN_EVENT');
  });

  it('rejects a malformed envelope as CONTRACT.INVALID_ENVELOPE', () => {
    const { correlationId: _dropped, ...withoutCorrelation } = envelope();
    expect(codeOf(envelope(productCreated(), { id: 'not-a-uuid' }))).toBe('CONTRACT.INVALID_ENVELOPE');
    expect(codeOf(withoutCorrelation)).toBe('CONTRACT.INVALID_ENVELOPE');
    expect(codeOf(envelope(productCreated(), { traceparent: 'abc' }))).toBe('CONTRACT.INVALID_ENVELOPE');
    expect(codeOf(envelope(productCreated(), { type: 'ProductCreated' }))).toBe('CONTRACT.INVALID_ENVELOPE');
    expect(codeOf('{}')).toBe('CONTRACT.INVALID_ENVELOPE');
  });

  it('names the offending field in the message', () => {
    const result = validateEnvelope(envelope(productCreated(), { id: 'not-a-uuid' }));
    expect(result.ok ? '' : result.error.message).toContain('/id must match format "uuid"');
  });
});

describe('contracts', () => {
  it('routes each event to the topic its schema declares', () => {
    expect(topicFor('products.product-created', 1)).toBe(Topics.product);
    expect(topicFor('products.price-changed', 1)).toBe(Topics.product);
    expect(topicFor('inventory.stock-adjusted', 1)).toBe(Topics.stockItem);
    expect(() => topicFor('products.product-created', 999)).toThrow('products.product-created@999');
  });

  it('only uses topics the code knows about', () => {
    const known: string[] = Object.values(Topics);
    const strays = listContracts().filter((c) => !known.includes(c.topic));
    expect(strays).toEqual([]);
  });

  it('lists every contract with its schema id', () => {
    expect(listContracts()).toContainEqual({
      type: 'inventory.stock-adjusted',
      version: 1,
      topic: 'inventory.stock-item',
      schemaId: 'inventory.stock-adjusted.v1',
    });
    expect(isKnownContract('products.product-deleted', 1)).toBe(true);
    expect(isKnownContract('envelope', 1)).toBe(false);
  });

  it('names keys and dead-letter topics consistently', () => {
    expect(contractKey('products.product-created', 1)).toBe('products.product-created@1');
    expect(deadLetterTopic('search.indexer')).toBe('search.indexer.dlt');
  });
});
