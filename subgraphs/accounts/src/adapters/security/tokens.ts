import { createHash, randomBytes } from 'node:crypto';
import { signAccessToken, type Actor } from '@marketplace/platform';
import type { IssuedAccessToken, IssuedRefreshToken, TokenIssuer } from '../../application/ports.js';

export interface TokenSettings {
  jwtSecret: string;
  accessTtlSeconds: number;
  refreshTtlMs: number;
}

/**
 * Access tokens are the platform's HS256 JWTs that every subgraph verifies itself. Refresh
 * tokens are 256 random bits, opaque to clients; only their SHA-256 is stored (a fast hash is
 * enough for a secret with that much entropy, unlike a password).
 */
export class JwtTokenIssuer implements TokenIssuer {
  readonly refreshTtlMs: number;

  constructor(private readonly settings: TokenSettings) {
    this.refreshTtlMs = settings.refreshTtlMs;
  }

  async accessToken(actor: Actor): Promise<IssuedAccessToken> {
    const expiresAt = new Date(Date.now() + this.settings.accessTtlSeconds * 1000);
    return {
      token: await signAccessToken(actor, this.settings.jwtSecret, this.settings.accessTtlSeconds),
      expiresAt,
    };
  }

  newRefreshToken(): IssuedRefreshToken {
    const token = randomBytes(32).toString('base64url');
    return { token, hash: this.hashRefreshToken(token) };
  }

  hashRefreshToken(token: string): string {
    return createHash('sha256').update(token, 'utf8').digest('hex');
  }
}
