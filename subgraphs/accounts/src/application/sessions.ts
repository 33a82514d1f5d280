import { domainError, err, ok, type DomainError, type Result } from '@marketplace/shared-kernel';
import type { Actor } from '@marketplace/platform';
import { PASSWORD_LIMITS } from '../domain/password-policy.js';
import { RefreshTokenFamily, refreshTokenInvalid } from '../domain/refresh-token-family.js';
import { normalizeEmail, type User } from '../domain/user.js';
import { requireUser } from './access.js';
import type { AccountsContext, AccountsTransaction, FromClient, IssuedAccessToken } from './ports.js';

/** What a client holds after signing in: a short-lived access token and a one-time refresh token. */
export interface Session {
  user: User;
  accessToken: IssuedAccessToken;
  refreshToken: string;
  refreshTokenExpiresAt: Date;
}

export interface ThrottledError extends DomainError {
  retryAfterSeconds: number;
}

/** The same answer for an unknown email and a wrong password, so accounts cannot be probed. */
export const invalidCredentials = (): DomainError =>
  domainError('AUTH.INVALID_CREDENTIALS', 'Email or password is wrong');

export const actorOf = (user: User): Actor => ({ userId: user.id, role: user.role, sellerId: user.sellerId });

/** Opens a token family inside the caller's transaction; the access token is signed after commit. */
export function openFamily(
  user: User,
  tx: AccountsTransaction,
  ctx: AccountsContext,
): { family: RefreshTokenFamily; refreshToken: string } {
  const now = ctx.clock.now();
  const refresh = ctx.tokens.newRefreshToken();
  const family = RefreshTokenFamily.start(user.id, refresh.hash, now, ctx.tokens.refreshTtlMs);
  tx.refreshTokens.add(family);
  tx.refreshTokens.rememberIssued(family, now);
  return { family, refreshToken: refresh.token };
}

export async function toSession(
  user: User,
  opened: { family: RefreshTokenFamily; refreshToken: string },
  ctx: AccountsContext,
): Promise<Session> {
  return {
    user,
    accessToken: await ctx.tokens.accessToken(actorOf(user)),
    refreshToken: opened.refreshToken,
    refreshTokenExpiresAt: opened.family.expiresAt,
  };
}

/**
 * Signs in with email and password. Every attempt is counted per email (known or not) and
 * per client before its password is checked; once either allowance is used up, even the
 * right password waits until it cools down. A success forgives the email's failures and
 * does not count against the client, so only failures use the allowances up.
 */
export async function login(
  input: { email: string; password: string } & FromClient,
  ctx: AccountsContext,
): Promise<Result<Session, DomainError | ThrottledError>> {
  const email = normalizeEmail(input.email);
  const keys = { email: email.ok ? email.value : input.email.trim().toLowerCase(), client: input.client };
  const admitted = await ctx.throttle.begin(keys);
  if ('retryAfterSeconds' in admitted) {
    const wait = admitted.retryAfterSeconds;
    return err({
      code: 'AUTH.TOO_MANY_ATTEMPTS',
      message: `Too many failed sign-ins; try again in ${wait} seconds`,
      retryAfterSeconds: wait,
    });
  }
  const { attempt } = admitted;
  // A password longer than any we accept cannot match; do not spend a hash on it.
  const plausible = email.ok && [...input.password].length <= PASSWORD_LIMITS.max;
  const user = plausible ? await ctx.reads.userByEmail(email.value) : null;
  const valid = user
    ? await ctx.passwords.verify(user.passwordHash, input.password)
    : await ctx.passwords.verifyAgainstDummy(input.password);
  if (!user || !valid) {
    await attempt.failed();
    return err(invalidCredentials());
  }
  await attempt.succeeded();
  const opened = await ctx.transaction(async (tx) => ok(openFamily(user, tx, ctx)));
  if (!opened.ok) return opened;
  return ok(await toSession(user, opened.value, ctx));
}

/** The longest refresh token we ever issue is far below this; anything longer is not ours. */
const MAX_REFRESH_TOKEN_LENGTH = 200;

/**
 * Exchanges a refresh token for a new pair. The presented token is retired; presenting a
 * retired one again revokes its whole family (see RefreshTokenFamily.rotate).
 */
export async function refresh(refreshToken: string, ctx: AccountsContext): Promise<Result<Session>> {
  if (!refreshToken || refreshToken.length > MAX_REFRESH_TOKEN_LENGTH) return err(refreshTokenInvalid());
  const presented = ctx.tokens.hashRefreshToken(refreshToken);
  const next = ctx.tokens.newRefreshToken();
  const now = ctx.clock.now();
  type Outcome = { family: RefreshTokenFamily; rejected: DomainError | null };
  const outcome = await ctx.transaction<Outcome>(async (tx) => {
    const family = await tx.refreshTokens.familyOfTokenForUpdate(presented);
    if (!family) return err(refreshTokenInvalid());
    const rotated = family.rotate(presented, next.hash, now, ctx.tokens.refreshTtlMs);
    // A reuse revokes the family: that must commit, so the rejection travels as a value.
    if (!rotated.ok) return ok({ family, rejected: rotated.error });
    tx.refreshTokens.rememberIssued(family, now);
    return ok({ family, rejected: null });
  });
  if (!outcome.ok) return outcome;
  const { family, rejected } = outcome.value;
  if (rejected) return err(rejected);
  const user = await ctx.reads.userById(family.userId);
  if (!user) return err(refreshTokenInvalid());
  return ok({
    user,
    accessToken: await ctx.tokens.accessToken(actorOf(user)),
    refreshToken: next.token,
    refreshTokenExpiresAt: family.expiresAt,
  });
}

/**
 * Ends the session the refresh token belongs to. Like OAuth token revocation (RFC 7009) an
 * unknown token is not an error: the outcome, no usable session, is the same.
 */
export async function logout(refreshToken: string, ctx: AccountsContext): Promise<Result<number>> {
  if (!refreshToken || refreshToken.length > MAX_REFRESH_TOKEN_LENGTH) return ok(0);
  const presented = ctx.tokens.hashRefreshToken(refreshToken);
  return ctx.transaction(async (tx) => {
    const family = await tx.refreshTokens.familyOfTokenForUpdate(presented);
    // A signed-in caller cannot end someone else's session with a token it found.
    if (!family || (ctx.actor && ctx.actor.userId !== family.userId)) return ok(0);
    return ok(family.revoke('LOGOUT', ctx.clock.now()) ? 1 : 0);
  });
}

/** Ends every session of the calling user (access tokens already issued run out within minutes). */
export async function logoutEverywhere(ctx: AccountsContext): Promise<Result<number>> {
  const actor = requireUser(ctx.actor);
  if (!actor.ok) return actor;
  return ctx.transaction(async (tx) => {
    const now = ctx.clock.now();
    const families = await tx.refreshTokens.activeFamiliesOfUserForUpdate(actor.value.userId);
    return ok(families.filter((f) => f.revoke('LOGOUT_EVERYWHERE', now)).length);
  });
}
