import { describe, expect, it } from '@jest/globals';
import { User, normalizeEmail } from './user.js';

const now = new Date('2026-11-21T10:00:00Z');
const hash = '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNo';
const sellerId = '0192f3a0-1111-7aaa-8bbb-000000000009';

describe('User', () => {
  it('registers a buyer with a lowercased email and records UserRegistered without personal data, the email apart in UserContactChanged', () => {
    const r = User.registerBuyer({ email: '  Ada@Example.COM ', name: ' Ada ', passwordHash: hash }, now);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.email).toBe('ada@example.com');
    expect(r.value.role).toBe('buyer');
    expect(r.value.sellerId).toBeNull();
    expect(r.value.pullEvents()).toEqual([
      {
        type: 'accounts.user-registered',
        version: 1,
        aggregateType: 'User',
        aggregateId: r.value.id,
        occurredAt: now,
        payload: { userId: r.value.id, role: 'buyer', name: 'Ada' },
      },
      {
        type: 'accounts.user-contact-changed',
        version: 1,
        aggregateType: 'User',
        aggregateId: r.value.id,
        occurredAt: now,
        payload: { userId: r.value.id, email: 'ada@example.com', version: 1 },
      },
    ]);
  });

  it('ties a seller to its store', () => {
    const r = User.registerSeller(
      { email: 'shop@example.com', name: 'Shop', passwordHash: hash },
      sellerId,
      now,
    );
    expect(r).toMatchObject({ ok: true, value: { role: 'seller', sellerId } });
  });

  it.each([
    [{ email: 'not-an-email' }, 'VALIDATION.INVALID_EMAIL'],
    [{ email: 'a@b' }, 'VALIDATION.INVALID_EMAIL'],
    [{ email: 'two@@example.com' }, 'VALIDATION.INVALID_EMAIL'],
    [{ email: 'sp ace@example.com' }, 'VALIDATION.INVALID_EMAIL'],
    [{ email: `${'a'.repeat(65)}@example.com` }, 'VALIDATION.INVALID_EMAIL'],
    [{ name: '  ' }, 'VALIDATION.TOO_SHORT'],
    [{ name: 'n'.repeat(81) }, 'VALIDATION.TOO_LONG'],
    [{ passwordHash: 'plain-text-password' }, 'ACCOUNT.INVALID_PASSWORD_HASH'],
  ])('refuses %j with %s', (over, code) => {
    expect(
      User.registerBuyer({ email: 'ada@example.com', name: 'Ada', passwordHash: hash, ...over }, now),
    ).toMatchObject({ ok: false, error: { code } });
  });

  it('normalizes emails so uniqueness is case-insensitive', () => {
    expect(normalizeEmail('ADA@Example.com')).toEqual(normalizeEmail('ada@example.COM'));
  });

  it('changes its password hash and name, counting versions', () => {
    const r = User.createAdmin({ email: 'root@example.com', name: 'Root', passwordHash: hash }, now);
    if (!r.ok) throw new Error(r.error.code);
    const admin = r.value;
    expect(admin.isAdmin()).toBe(true);
    expect(admin.changePassword(`${hash}x`, now).ok).toBe(true);
    expect(admin.rename('Operator', now).ok).toBe(true);
    expect(admin.rename('Operator', now).ok).toBe(true);
    expect(admin.version).toBe(3);
  });
});
