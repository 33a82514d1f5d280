import { describe, expect, it } from '@jest/globals';
import { newId } from '@marketplace/shared-kernel';
import type { Actor } from '@marketplace/platform';
import { Coupon } from '../domain/coupon.js';
import { canManage, isVisibleTo, parseInstant, requireManager } from './access.js';

const sellerA: Actor = { userId: newId(), role: 'seller', sellerId: newId() };
const sellerB: Actor = { userId: newId(), role: 'seller', sellerId: newId() };
const admin: Actor = { userId: newId(), role: 'admin', sellerId: null };
const buyer: Actor = { userId: newId(), role: 'buyer', sellerId: null };

function coupon(owner: Actor): Coupon {
  const r = Coupon.create(
    {
      code: 'ACCESS1',
      scope: owner.role === 'admin' ? 'PLATFORM' : 'SELLER',
      sellerId: owner.sellerId,
      kind: 'FREE_SHIPPING',
      createdBy: owner.userId,
    },
    new Date(),
  );
  if (!r.ok) throw new Error(r.error.code);
  return r.value;
}

describe('who manages coupons', () => {
  it('gives sellers their store and admins the platform; refuses buyers and strangers', () => {
    expect(requireManager(sellerA)).toEqual({
      ok: true,
      value: { scope: 'SELLER', sellerId: sellerA.sellerId },
    });
    expect(requireManager(admin)).toEqual({ ok: true, value: { scope: 'PLATFORM', sellerId: null } });
    expect(requireManager(buyer)).toMatchObject({ ok: false, error: { code: 'AUTH.FORBIDDEN' } });
    expect(requireManager(null)).toMatchObject({ ok: false, error: { code: 'AUTH.UNAUTHENTICATED' } });
  });

  it("answers another owner's coupon exactly like a missing one", () => {
    const mine = coupon(sellerA);
    const platform = coupon(admin);
    expect(canManage(sellerA, mine)).toEqual({ ok: true, value: mine });
    expect(canManage(sellerB, mine)).toEqual(canManage(sellerB, null));
    expect(canManage(sellerB, mine)).toMatchObject({ ok: false, error: { code: 'COUPON.NOT_FOUND' } });
    expect(canManage(admin, mine)).toMatchObject({ ok: false, error: { code: 'COUPON.NOT_FOUND' } });
    expect(canManage(sellerA, platform)).toMatchObject({ ok: false, error: { code: 'COUPON.NOT_FOUND' } });
    expect(canManage(admin, platform).ok).toBe(true);
    expect([sellerA, sellerB, admin, buyer, null].map((a) => isVisibleTo(mine, a))).toEqual([
      true,
      false,
      false,
      false,
      false,
    ]);
  });
});

describe('parseInstant', () => {
  it.each(['2026-07-01T00:00:00Z', '2026-07-01T02:00+02:00', '2026-07-01T00:00:00.123456Z'])(
    'accepts %s',
    (value) => {
      expect(parseInstant('validFrom', value).ok).toBe(true);
    },
  );

  it.each(['2026-07-01', '2026-07-01T00:00:00', 'tomorrow', '2026-13-01T00:00:00Z', ''])(
    'refuses %j with VALIDATION.INVALID_DATE',
    (value) => {
      expect(parseInstant('validUntil', value)).toMatchObject({
        ok: false,
        error: { code: 'VALIDATION.INVALID_DATE', field: 'validUntil' },
      });
    },
  );

  it('keeps the instant, whatever the offset', () => {
    const r = parseInstant('validFrom', '2026-07-01T02:00:00+02:00');
    expect(r.ok && r.value.toISOString()).toBe('2026-07-01T00:00:00.000Z');
  });
});
