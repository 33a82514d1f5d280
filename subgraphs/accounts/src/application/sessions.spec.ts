import { describe, expect, it } from '@jest/globals';
import { FixedClock } from '@marketplace/shared-kernel';
import type { RefreshTokenFamily } from '../domain/refresh-token-family.js';
import { User } from '../domain/user.js';
import type { AccountsContext, AccountsTransaction, ThrottleKeys } from './ports.js';
import { login, refresh } from './sessions.js';

const now = new Date('2026-11-21T10:00:00Z');
const HASH_OF = (password: string) => `$fake$${password}$padding-padding`;

/** In-memory fakes of every port the session use cases touch, recording what they were asked. */
function harness(maxFailures = 3) {
  const calls: string[] = [];
  const families = new Map<string, RefreshTokenFamily>();
  const issued = new Map<string, string>();
  const failures = new Map<string, number>();
  const outcomes: string[] = [];
  const user = User.registerBuyer(
    { email: 'ada@example.com', name: 'Ada', passwordHash: HASH_OF('right password here') },
    now,
  );
  if (!user.ok) throw new Error(user.error.code);
  let counter = 0;
  const tx: AccountsTransaction = {
    users: {} as AccountsTransaction['users'],
    stores: {} as AccountsTransaction['stores'],
    addressBooks: {} as AccountsTransaction['addressBooks'],
    refreshTokens: {
      familyOfTokenForUpdate: async (hash) => families.get(issued.get(hash) ?? '') ?? null,
      activeFamiliesOfUserForUpdate: async () => [...families.values()],
      add: (family) => void families.set(family.id, family),
      rememberIssued: (family) => void issued.set(family.currentTokenHash, family.id),
    },
    track: () => undefined,
    afterCommit: () => undefined,
  };
  const ctx: AccountsContext = {
    actor: null,
    correlationId: 'test',
    causationId: null,
    clock: new FixedClock(now),
    reads: {
      userByEmail: async (email) => (email === user.value.email ? user.value : null),
      userById: async (id) => (id === user.value.id ? user.value : null),
      storeById: async () => null,
      stores: async () => [],
    },
    passwords: {
      hash: async (password) => HASH_OF(password),
      verify: async (hash, password) => {
        calls.push('verify');
        // A real check takes a while: let other attempts run meanwhile.
        await new Promise((resolve) => setTimeout(resolve, 5));
        return hash === HASH_OF(password);
      },
      verifyAgainstDummy: async () => {
        calls.push('verify-dummy');
        await new Promise((resolve) => setTimeout(resolve, 5));
        return false;
      },
    },
    tokens: {
      refreshTtlMs: 60_000,
      accessToken: async (actor) => ({ token: `access:${actor.userId}`, expiresAt: now }),
      newRefreshToken: () => {
        counter += 1;
        return { token: `refresh-${counter}`, hash: `h(refresh-${counter})` };
      },
      hashRefreshToken: (token) => `h(${token})`,
    },
    // Counts each attempt before it is checked, in one synchronous step like Redis' INCRBY.
    throttle: {
      begin: async ({ email }: ThrottleKeys) => {
        const attempts = (failures.get(email) ?? 0) + 1;
        failures.set(email, attempts);
        if (attempts > maxFailures) return { retryAfterSeconds: 600 };
        return {
          attempt: {
            failed: async () => void outcomes.push('failed'),
            succeeded: async () => {
              outcomes.push('succeeded');
              failures.delete(email);
            },
          },
        };
      },
    },
    // Sign-in never registers anyone.
    registrations: {
      begin: async () => {
        throw new Error('sign-in must not count registrations');
      },
    },
    transaction: async (work) => work(tx),
  };
  return { ctx, calls, families, failures, outcomes, user: user.value };
}

describe('login', () => {
  it('spends a password check on unknown emails too, and counts the failure', async () => {
    const { ctx, calls, failures, outcomes } = harness();
    const result = await login(
      { email: 'nobody@example.com', password: 'right password here', client: null },
      ctx,
    );
    expect(result).toMatchObject({ ok: false, error: { code: 'AUTH.INVALID_CREDENTIALS' } });
    expect(calls).toEqual(['verify-dummy']);
    expect(outcomes).toEqual(['failed']);
    expect(failures.get('nobody@example.com')).toBe(1);
  });

  it('counts simultaneous attempts before checking them, so only the allowance is checked', async () => {
    const { ctx, calls } = harness();
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        login({ email: 'ada@example.com', password: 'wrong password', client: null }, ctx),
      ),
    );
    const codes = results.map((r) => (r.ok ? 'ok' : r.error.code));
    expect(codes.filter((c) => c === 'AUTH.INVALID_CREDENTIALS')).toHaveLength(3);
    expect(codes.filter((c) => c === 'AUTH.TOO_MANY_ATTEMPTS')).toHaveLength(7);
    expect(calls).toEqual(['verify', 'verify', 'verify']);
  });

  it('refuses a blocked email before checking any password, with the wait', async () => {
    const { ctx, calls } = harness();
    for (let i = 0; i < 3; i++)
      await login({ email: 'ADA@example.com', password: 'wrong password', client: null }, ctx);
    calls.length = 0;
    const result = await login(
      { email: 'ada@example.com', password: 'right password here', client: null },
      ctx,
    );
    expect(result).toEqual({
      ok: false,
      error: expect.objectContaining({ code: 'AUTH.TOO_MANY_ATTEMPTS', retryAfterSeconds: 600 }),
    });
    expect(calls).toEqual([]);
  });

  it('opens a token family on success and forgives earlier failures', async () => {
    const { ctx, families, failures, outcomes, user } = harness();
    await login({ email: 'ada@example.com', password: 'wrong password', client: null }, ctx);
    const result = await login(
      { email: 'ada@example.com', password: 'right password here', client: null },
      ctx,
    );
    expect(result).toMatchObject({
      ok: true,
      value: {
        user: { id: user.id },
        accessToken: { token: `access:${user.id}` },
        refreshToken: 'refresh-1',
      },
    });
    expect(outcomes).toEqual(['failed', 'succeeded']);
    expect(failures.has('ada@example.com')).toBe(false);
    expect([...families.values()].map((f) => [f.userId, f.currentTokenHash])).toEqual([
      [user.id, 'h(refresh-1)'],
    ]);
  });
});

describe('refresh', () => {
  it('rotates, then revokes the family when a retired token comes back', async () => {
    const { ctx, families } = harness();
    const session = await login(
      { email: 'ada@example.com', password: 'right password here', client: null },
      ctx,
    );
    if (!session.ok) throw new Error(session.error.code);
    const rotated = await refresh(session.value.refreshToken, ctx);
    expect(rotated).toMatchObject({ ok: true, value: { refreshToken: 'refresh-2' } });
    expect(await refresh(session.value.refreshToken, ctx)).toMatchObject({
      ok: false,
      error: { code: 'AUTH.REFRESH_TOKEN_REUSED' },
    });
    // The revocation is part of the outcome even though the call was refused.
    expect([...families.values()][0]!.revokedReason).toBe('REUSE_DETECTED');
    expect(await refresh('refresh-2', ctx)).toMatchObject({
      ok: false,
      error: { code: 'AUTH.REFRESH_TOKEN_REVOKED' },
    });
  });

  it('does not accept tokens it never issued', async () => {
    const { ctx } = harness();
    for (const token of ['', 'unknown', 'x'.repeat(500)]) {
      expect(await refresh(token, ctx)).toMatchObject({
        ok: false,
        error: { code: 'AUTH.REFRESH_TOKEN_INVALID' },
      });
    }
  });
});
