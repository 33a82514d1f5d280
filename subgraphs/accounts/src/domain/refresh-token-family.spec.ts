import { describe, expect, it } from '@jest/globals';
import { RefreshTokenFamily } from './refresh-token-family.js';

const userId = '0192f3a0-1111-7aaa-8bbb-000000000001';
const t0 = new Date('2026-11-21T10:00:00Z');
const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);
const TTL = 60 * 60_000; // one hour

describe('RefreshTokenFamily', () => {
  it('exchanges the current token for the next one, once', () => {
    const family = RefreshTokenFamily.start(userId, 'h1', t0, TTL);
    expect(family.generation).toBe(1);
    expect(family.rotate('h1', 'h2', at(10), TTL)).toEqual({ ok: true, value: undefined });
    expect(family.currentTokenHash).toBe('h2');
    expect(family.generation).toBe(2);
    // Sliding expiry: an hour after the last rotation.
    expect(family.expiresAt).toEqual(at(70));
    expect(family.rotate('h2', 'h3', at(20), TTL).ok).toBe(true);
    expect(family.isActive(at(20))).toBe(true);
  });

  it('treats a retired token as theft: refuses it and revokes the whole family', () => {
    const family = RefreshTokenFamily.start(userId, 'h1', t0, TTL);
    family.rotate('h1', 'h2', at(1), TTL);
    // The thief (or the victim) replays h1 after it was exchanged.
    expect(family.rotate('h1', 'hx', at(2), TTL)).toMatchObject({
      ok: false,
      error: { code: 'AUTH.REFRESH_TOKEN_REUSED' },
    });
    expect(family.isRevoked()).toBe(true);
    expect(family.revokedReason).toBe('REUSE_DETECTED');
    expect(family.revokedAt).toEqual(at(2));
    // The legitimate current token is dead too.
    expect(family.rotate('h2', 'h3', at(3), TTL)).toMatchObject({
      ok: false,
      error: { code: 'AUTH.REFRESH_TOKEN_REVOKED' },
    });
    expect(family.currentTokenHash).toBe('h2');
  });

  it('refuses an expired token without revoking, and anything after a logout', () => {
    const family = RefreshTokenFamily.start(userId, 'h1', t0, TTL);
    expect(family.rotate('h1', 'h2', at(60), TTL)).toMatchObject({
      ok: false,
      error: { code: 'AUTH.REFRESH_TOKEN_EXPIRED' },
    });
    expect(family.isRevoked()).toBe(false);
    expect(family.isActive(at(60))).toBe(false);

    const other = RefreshTokenFamily.start(userId, 'k1', t0, TTL);
    expect(other.revoke('LOGOUT', at(1))).toBe(true);
    expect(other.revoke('LOGOUT_EVERYWHERE', at(2))).toBe(false);
    expect(other.revokedReason).toBe('LOGOUT');
    expect(other.rotate('k1', 'k2', at(3), TTL)).toMatchObject({
      ok: false,
      error: { code: 'AUTH.REFRESH_TOKEN_REVOKED' },
    });
  });
});
