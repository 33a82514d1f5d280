import { describe, expect, it } from '@jest/globals';
import { channelsFor, DEFAULT_PREFERENCES, effectivePreferences, updatePreferences } from './preferences.js';

describe('notification preferences', () => {
  it('uses the defaults until the user changes a category, and only that category', () => {
    expect(effectivePreferences(null)).toEqual(DEFAULT_PREFERENCES);
    expect(channelsFor(null, 'MARKETING')).toEqual([]);
    expect(channelsFor({ SHIPPING: ['PUSH'] }, 'SHIPPING')).toEqual(['PUSH']);
    expect(channelsFor({ SHIPPING: ['PUSH'] }, 'ORDER_UPDATES')).toEqual(DEFAULT_PREFERENCES.ORDER_UPDATES);
  });

  it('replaces the channels of the categories given, in a stable order', () => {
    const r = updatePreferences(null, [
      { category: 'ORDER_UPDATES', channels: [] },
      { category: 'MARKETING', channels: ['PUSH', 'EMAIL'] },
    ]);
    expect(r).toEqual({
      ok: true,
      value: { ...DEFAULT_PREFERENCES, ORDER_UPDATES: [], MARKETING: ['EMAIL', 'PUSH'] },
    });
  });

  it.each([
    [[], 'VALIDATION.EMPTY'],
    [[{ category: 'NEWS', channels: [] }], 'NOTIFICATION.UNKNOWN_CATEGORY'],
    [[{ category: 'PAYMENTS', channels: ['FAX'] }], 'NOTIFICATION.UNKNOWN_CHANNEL'],
    [[{ category: 'PAYMENTS', channels: ['SMS', 'SMS'] }], 'NOTIFICATION.DUPLICATE_CHANNEL'],
    [
      [
        { category: 'PAYMENTS', channels: [] },
        { category: 'PAYMENTS', channels: ['SMS'] },
      ],
      'NOTIFICATION.DUPLICATE_CATEGORY',
    ],
  ])('refuses %j with %s', (changes, code) => {
    expect(updatePreferences(null, changes)).toMatchObject({ ok: false, error: { code } });
  });
});
