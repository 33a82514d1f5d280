import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { SignJWT } from 'jose';
import { AuthError, signAccessToken, verifyAccessToken, VERIFIED_TOKENS_KEPT, type Actor } from './auth.js';

const SECRET = 'auth-spec-secret-of-enough-length-0001';
const buyer: Actor = { userId: 'u-1', role: 'buyer', sellerId: null };

describe('verifyAccessToken', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('gives the same actor for a token asked again, and a copy the caller cannot change', async () => {
    const token = await signAccessToken(buyer, SECRET);
    const first = await verifyAccessToken(token, SECRET);
    first.role = 'admin';
    expect(await verifyAccessToken(token, SECRET)).toEqual(buyer);
  });

  it('refuses a token it verified before once the token has expired', async () => {
    jest.useFakeTimers({ now: new Date('2026-12-08T00:00:00Z'), doNotFake: ['nextTick', 'setImmediate'] });
    const token = await signAccessToken(buyer, SECRET, 60);
    expect(await verifyAccessToken(token, SECRET)).toEqual(buyer);
    jest.setSystemTime(new Date('2026-12-08T00:01:01Z'));
    await expect(verifyAccessToken(token, SECRET)).rejects.toBeInstanceOf(AuthError);
  });

  it('refuses a token verified under another secret (a rotated secret is not bypassed)', async () => {
    const token = await signAccessToken(buyer, SECRET);
    await verifyAccessToken(token, SECRET);
    await expect(verifyAccessToken(token, `${SECRET}-rotated`)).rejects.toBeInstanceOf(AuthError);
  });

  it('refuses a token with a changed payload even when the original was verified', async () => {
    const token = await signAccessToken(buyer, SECRET);
    await verifyAccessToken(token, SECRET);
    const [header, , signature] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ role: 'admin', sub: 'u-1' })).toString('base64url');
    await expect(verifyAccessToken(`${header}.${forged}.${signature}`, SECRET)).rejects.toBeInstanceOf(
      AuthError,
    );
  });

  it('accepts a well-signed token without an expiry, as before (it is not kept)', async () => {
    const token = await new SignJWT({ role: 'buyer' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('u-2')
      .setIssuer('marketplace-accounts')
      .setAudience('marketplace')
      .sign(new TextEncoder().encode(SECRET));
    expect(await verifyAccessToken(token, SECRET)).toEqual({ userId: 'u-2', role: 'buyer', sellerId: null });
    expect(await verifyAccessToken(token, SECRET)).toEqual({ userId: 'u-2', role: 'buyer', sellerId: null });
  });

  it('keeps a bounded number of tokens', async () => {
    // More distinct tokens than kept: every one still verifies (the oldest are checked again).
    const tokens = await Promise.all(
      Array.from({ length: VERIFIED_TOKENS_KEPT + 5 }, (_, i) =>
        signAccessToken({ userId: `u-${i}`, role: 'buyer', sellerId: null }, SECRET),
      ),
    );
    for (const token of tokens) await verifyAccessToken(token, SECRET);
    expect((await verifyAccessToken(tokens[0]!, SECRET)).userId).toBe('u-0');
  });
});
