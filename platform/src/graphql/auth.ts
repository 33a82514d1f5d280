import { jwtVerify, SignJWT } from 'jose';

export type Role = 'buyer' | 'seller' | 'admin';
const ROLES: readonly Role[] = ['buyer', 'seller', 'admin'];

/** Who is calling: built from a verified access token, never from unverified input. */
export interface Actor {
  userId: string;
  role: Role;
  /** Set for sellers: the store the caller acts for. */
  sellerId: string | null;
}

const ISSUER = 'marketplace-accounts';
const AUDIENCE = 'marketplace';

export class AuthError extends Error {
  readonly code = 'AUTH.INVALID_TOKEN';
}

/**
 * Tokens already verified, by secret and then by token, each until its own expiry. A client sends
 * the same token on every request for its whole life (a buyer waiting on a checkout asks every
 * few hundred ms, and the gateway and the subgraph both verify it), so the HMAC check and the key
 * import run once per token instead of once per request. A hit is exactly as valid as a fresh
 * check: same token bytes, same secret, not yet expired. Bounded; the oldest entries go first.
 */
const verified = new Map<string, Map<string, { actor: Actor; expiresAtMs: number }>>();
export const VERIFIED_TOKENS_KEPT = 10_000;

function remembered(token: string, secret: string): Actor | null {
  const entry = verified.get(secret)?.get(token);
  if (!entry) return null;
  if (Date.now() < entry.expiresAtMs) return { ...entry.actor };
  verified.get(secret)!.delete(token);
  return null;
}

function remember(token: string, secret: string, actor: Actor, expiresAtMs: number): void {
  let tokens = verified.get(secret);
  if (!tokens) verified.set(secret, (tokens = new Map()));
  if (tokens.size >= VERIFIED_TOKENS_KEPT) tokens.delete(tokens.keys().next().value!);
  tokens.set(token, { actor: { ...actor }, expiresAtMs });
}

/** Verifies a short-lived HS256 access token (signature, expiry, issuer, audience, claims). */
export async function verifyAccessToken(token: string, secret: string): Promise<Actor> {
  const known = remembered(token, secret);
  if (known) return known;
  try {
    const { payload } = await jwtVerify(token, new TextEncoder().encode(secret), {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['HS256'],
    });
    const role = payload.role as Role;
    if (typeof payload.sub !== 'string' || !ROLES.includes(role))
      throw new AuthError('token claims are incomplete');
    const sellerId = typeof payload.sellerId === 'string' ? payload.sellerId : null;
    if (role === 'seller' && !sellerId) throw new AuthError('seller token without a seller id');
    const actor: Actor = { userId: payload.sub, role, sellerId };
    // A token without an expiry is verified every time rather than kept.
    if (typeof payload.exp === 'number') remember(token, secret, actor, payload.exp * 1000);
    return actor;
  } catch (error) {
    if (error instanceof AuthError) throw error;
    throw new AuthError(`access token rejected: ${(error as Error).message}`);
  }
}

export async function signAccessToken(actor: Actor, secret: string, ttlSeconds = 900): Promise<string> {
  return new SignJWT({ role: actor.role, ...(actor.sellerId ? { sellerId: actor.sellerId } : {}) })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(actor.userId)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .sign(new TextEncoder().encode(secret));
}
