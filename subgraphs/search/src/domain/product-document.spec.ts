import { describe, expect, it } from '@jest/globals';
import { searchRequest, toDocument } from './product-document.js';

describe('product search document', () => {
  it('flattens a product event snapshot, keeping the version for ordering', () => {
    const doc = toDocument(
      {
        productId: 'p',
        sellerId: 's',
        version: 3,
        snapshot: {
          name: 'Lamp',
          description: 'Warm',
          price: { amount: 1299, currency: 'EUR' },
          status: 'PUBLISHED',
        },
      },
      '2026-11-21T10:00:00.000Z',
    );
    expect(doc).toEqual({
      productId: 'p',
      sellerId: 's',
      name: 'Lamp',
      description: 'Warm',
      priceAmount: 1299,
      currency: 'EUR',
      status: 'PUBLISHED',
      version: 3,
      updatedAt: '2026-11-21T10:00:00.000Z',
    });
  });

  it('validates search input with stable codes', () => {
    expect(searchRequest('  lamp ', 10)).toEqual({ ok: true, value: { text: 'lamp', first: 10 } });
    expect(searchRequest('x'.repeat(201), 10)).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION.TOO_LONG' },
    });
    expect(searchRequest('lamp', 0)).toMatchObject({ ok: false, error: { code: 'VALIDATION.OUT_OF_RANGE' } });
    expect(searchRequest('lamp', 500)).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION.OUT_OF_RANGE' },
    });
  });
});
