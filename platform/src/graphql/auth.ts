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

/** Verifies a short-lived HS256 access token (signature, expiry, issuer, audience, claims). */
export async function verifyAccessToken(token: string, secret: string): Promise<Actor> {
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
    return { userId: payload.sub, role, sellerId };
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
