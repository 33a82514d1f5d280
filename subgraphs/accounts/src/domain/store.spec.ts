import { describe, expect, it } from '@jest/globals';
import { Store, slugify, storeLifecycle, storeSlug } from './store.js';

const ownerUserId = '0192f3a0-1111-7aaa-8bbb-000000000001';
const now = new Date('2026-11-21T10:00:00Z');
const later = new Date('2026-11-22T10:00:00Z');

const open = (over: { name?: string; slug?: string | null } = {}) => {
  const r = Store.open({ ownerUserId, name: 'Trail Gear', slug: 'trail-gear', ...over }, now);
  if (!r.ok) throw new Error(r.error.code);
  r.value.pullEvents();
  return r.value;
};

describe('Store', () => {
  it('opens PENDING and records StoreRegistered with the seller id, slug and version 1', () => {
    const r = Store.open({ ownerUserId, name: ' Trail Gear ', slug: 'Trail-Gear' }, now);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const store = r.value;
    expect(store.status).toBe('PENDING');
    expect(store.isPublic()).toBe(false);
    expect(store.pullEvents()).toEqual([
      {
        type: 'accounts.store-registered',
        version: 1,
        aggregateType: 'Store',
        aggregateId: store.id,
        occurredAt: now,
        payload: {
          sellerId: store.id,
          ownerUserId,
          name: 'Trail Gear',
          slug: 'trail-gear',
          status: 'PENDING',
          version: 1,
        },
      },
    ]);
  });

  it('derives a slug from the name when none is given', () => {
    expect(open({ name: 'Café Déjà Vu!', slug: null }).slug).toBe('cafe-deja-vu');
    expect(slugify('  --Hello,   World--  ')).toBe('hello-world');
  });

  it.each([
    ['ab', 'STORE.INVALID_SLUG'],
    ['x'.repeat(41), 'STORE.INVALID_SLUG'],
    ['two--hyphens', 'STORE.INVALID_SLUG'],
    ['-leading', 'STORE.INVALID_SLUG'],
    ['under_score', 'STORE.INVALID_SLUG'],
    ['umläut', 'STORE.INVALID_SLUG'],
    ['admin', 'STORE.SLUG_RESERVED'],
  ])('refuses the slug %j with %s', (slug, code) => {
    expect(storeSlug(slug, 'Some store')).toMatchObject({ ok: false, error: { code, field: 'slug' } });
  });

  it.each([
    [{ name: 'x' }, 'VALIDATION.TOO_SHORT'],
    [{ name: 'x'.repeat(81) }, 'VALIDATION.TOO_LONG'],
    [{ name: '!!!', slug: null }, 'STORE.INVALID_SLUG'],
  ])('refuses to open with %j (%s)', (over, code) => {
    expect(Store.open({ ownerUserId, ...over }, now)).toMatchObject({
      ok: false,
      error: { code },
    });
  });

  it('follows PENDING -> ACTIVE -> SUSPENDED -> ACTIVE, one event per change with rising versions', () => {
    const store = open();
    expect(store.approve(later).ok).toBe(true);
    expect(store.suspend('  Counterfeit goods reported  ', later).ok).toBe(true);
    expect(store.suspensionReason).toBe('Counterfeit goods reported');
    expect(store.isPublic()).toBe(true);
    expect(store.reinstate(later).ok).toBe(true);
    expect(store.suspensionReason).toBeNull();
    expect(store.pullEvents().map((e) => e.payload)).toEqual([
      expect.objectContaining({ status: 'ACTIVE', previousStatus: 'PENDING', version: 2 }),
      {
        sellerId: store.id,
        ownerUserId,
        name: 'Trail Gear',
        slug: 'trail-gear',
        status: 'SUSPENDED',
        previousStatus: 'ACTIVE',
        version: 3,
        reason: 'Counterfeit goods reported',
      },
      expect.objectContaining({ status: 'ACTIVE', previousStatus: 'SUSPENDED', version: 4 }),
    ]);
    expect(store.version).toBe(4);
  });

  it('refuses transitions outside the table and changes nothing', () => {
    const store = open();
    expect(store.suspend('Too early to suspend', later)).toMatchObject({
      ok: false,
      error: { code: 'STORE.INVALID_TRANSITION' },
    });
    expect(store.reinstate(later)).toMatchObject({ ok: false, error: { code: 'STORE.INVALID_TRANSITION' } });
    store.approve(later);
    expect(store.approve(later)).toMatchObject({ ok: false, error: { code: 'STORE.INVALID_TRANSITION' } });
    expect(store.reinstate(later)).toMatchObject({ ok: false, error: { code: 'STORE.INVALID_TRANSITION' } });
    store.suspend('Chargebacks', later);
    // Approval is for pending stores only, even though SUSPENDED -> ACTIVE is in the table.
    expect(store.approve(later)).toMatchObject({ ok: false, error: { code: 'STORE.INVALID_TRANSITION' } });
    expect(store.status).toBe('SUSPENDED');
    expect(store.version).toBe(3);
  });

  it('needs a reason to suspend', () => {
    const store = open();
    store.approve(later);
    store.pullEvents();
    expect(store.suspend(' ', later)).toMatchObject({ ok: false, error: { code: 'VALIDATION.TOO_SHORT' } });
    expect(store.status).toBe('ACTIVE');
    expect(store.pullEvents()).toEqual([]);
  });

  it('has a transition table with no way back to PENDING', () => {
    expect(storeLifecycle.can('ACTIVE', 'PENDING')).toBe(false);
    expect(storeLifecycle.can('SUSPENDED', 'PENDING')).toBe(false);
    expect(storeLifecycle.can('PENDING', 'SUSPENDED')).toBe(false);
  });

  it('is owned by the seller whose id it is', () => {
    const store = open();
    expect(store.isOwnedBy(store.id)).toBe(true);
    expect(store.isOwnedBy(ownerUserId)).toBe(false);
    expect(store.isOwnedBy(null)).toBe(false);
  });
});
