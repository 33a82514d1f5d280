import { describe, expect, it } from '@jest/globals';
import { MemoryStore, createLogger } from '@marketplace/platform';
import { CostBudgets, anonymousCallerId, callerOf, type BudgetSettings } from './budget.js';

describe('the anonymous caller key', () => {
  it('keys an IPv4 address by itself, also when written IPv4-mapped', () => {
    expect(anonymousCallerId('203.0.113.7')).toBe('203.0.113.7');
    expect(anonymousCallerId('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(anonymousCallerId('::ffff:cb00:7107')).toBe('203.0.113.7');
  });

  it('keys every IPv6 address of one /64 alike, and different /64s apart', () => {
    const key = anonymousCallerId('2001:db8:0:1::1');
    expect(key).toBe('2001:db8:0:1::/64');
    for (const address of [
      '2001:db8:0:1:ffff:ffff:ffff:ffff',
      '2001:0DB8:0000:0001:1234:5678:9abc:def0',
      '2001:db8::1:0:0:0:2',
      '2001:db8:0:1::9%eth0',
    ]) {
      expect(anonymousCallerId(address)).toBe(key);
    }
    expect(anonymousCallerId('2001:db8:0:2::1')).not.toBe(key);
    expect(anonymousCallerId('::1')).toBe('0:0:0:0::/64');
  });

  it('keeps an unknown or unparsable address as given, and charges anonymous callers by the key', () => {
    expect(anonymousCallerId(undefined)).toBe('unknown');
    expect(anonymousCallerId('not-an-address')).toBe('not-an-address');
    expect(callerOf(null, '2001:db8:0:1::abcd')).toEqual({ class: 'anonymous', id: '2001:db8:0:1::/64' });
  });
});

describe('cost budgets', () => {
  const settings: BudgetSettings = {
    enabled: true,
    prefix: 'budget-spec',
    classes: {
      buyer: { capacity: 100, leakPerSecond: 10 },
      seller: { capacity: 1000, leakPerSecond: 100 },
      anonymous: { capacity: 50, leakPerSecond: 5 },
    },
  };
  const logger = createLogger('budget-spec');

  it("charges the caller's class bucket, and refuses what does not fit with the wait in whole seconds", async () => {
    // A clock that stands still: no leaking between the charges.
    const budgets = new CostBudgets(new MemoryStore({ now: () => 1_700_000_000_000 }), settings, logger);
    const buyer = { class: 'buyer' as const, id: 'u1' };
    expect(await budgets.charge(buyer, 70)).toEqual({
      admitted: true,
      capacity: 100,
      remaining: 30,
      leakPerSecond: 10,
    });
    // 70 in the bucket: 45 more needs 15 to leak at 10/s, 1.5 s, said as 2.
    expect(await budgets.charge(buyer, 45)).toMatchObject({
      admitted: false,
      remaining: 30,
      retryAfterSeconds: 2,
    });
    // The refusal cost nothing; another caller has a bucket of their own.
    expect(await budgets.charge(buyer, 30)).toMatchObject({ admitted: true, remaining: 0 });
    expect(await budgets.charge({ class: 'buyer', id: 'u2' }, 100)).toMatchObject({
      admitted: true,
      remaining: 0,
    });
  });

  it('meters nothing when budgets are off', async () => {
    const budgets = new CostBudgets(new MemoryStore(), { ...settings, enabled: false }, logger);
    expect(await budgets.charge({ class: 'anonymous', id: '203.0.113.7' }, 1_000_000)).toBeNull();
  });
});
