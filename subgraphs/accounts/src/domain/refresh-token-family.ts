import {
  Entity,
  closedSet,
  domainError,
  err,
  newId,
  ok,
  type DomainError,
  type MemberOf,
  type Result,
} from '@marketplace/shared-kernel';

/** Why a session ended: the user signed out (here or everywhere), or a retired token came back. */
export const SESSION_END_REASON = closedSet('SessionEndReason', [
  'LOGOUT',
  'LOGOUT_EVERYWHERE',
  'REUSE_DETECTED',
] as const);
export type SessionEndReason = MemberOf<typeof SESSION_END_REASON>;

export const refreshTokenInvalid = (): DomainError =>
  domainError('AUTH.REFRESH_TOKEN_INVALID', 'This refresh token is not valid', 'refreshToken');

/**
 * One login session: the chain of refresh tokens issued since the login. Only the newest
 * token (by hash; the token itself is never stored) may be exchanged, once. Presenting an
 * older one means two parties hold tokens of this session, one of them a thief, so the
 * whole family is revoked and both must sign in again (OAuth 2.0 Security BCP, 4.14.2).
 */
export class RefreshTokenFamily extends Entity {
  private constructor(
    readonly id: string,
    readonly userId: string,
    private _currentTokenHash: string,
    /** How many tokens this family has issued; the current one is number `generation`. */
    private _generation: number,
    readonly createdAt: Date,
    private _lastRotatedAt: Date,
    /** When the current token stops being accepted; every rotation moves it forward. */
    private _expiresAt: Date,
    private _revokedAt: Date | null,
    private _revokedReason: SessionEndReason | null,
  ) {
    super();
  }

  static start(
    userId: string,
    tokenHash: string,
    now: Date,
    ttlMs: number,
    id: string = newId(),
  ): RefreshTokenFamily {
    return new RefreshTokenFamily(
      id,
      userId,
      tokenHash,
      1,
      now,
      now,
      new Date(now.getTime() + ttlMs),
      null,
      null,
    );
  }

  get currentTokenHash(): string {
    return this._currentTokenHash;
  }
  get generation(): number {
    return this._generation;
  }
  get lastRotatedAt(): Date {
    return this._lastRotatedAt;
  }
  get expiresAt(): Date {
    return this._expiresAt;
  }
  get revokedAt(): Date | null {
    return this._revokedAt;
  }
  get revokedReason(): SessionEndReason | null {
    return this._revokedReason;
  }

  isRevoked(): boolean {
    return this._revokedAt !== null;
  }

  isActive(now: Date): boolean {
    return !this.isRevoked() && now < this._expiresAt;
  }

  /**
   * Exchanges `presentedHash` (a token this family issued) for `nextHash`. A retired token
   * revokes the family and is refused with AUTH.REFRESH_TOKEN_REUSED: that change must be
   * saved although the result is a rejection.
   */
  rotate(presentedHash: string, nextHash: string, now: Date, ttlMs: number): Result<void> {
    if (this.isRevoked())
      return err(
        domainError('AUTH.REFRESH_TOKEN_REVOKED', 'This session has ended; sign in again', 'refreshToken'),
      );
    if (presentedHash !== this._currentTokenHash) {
      this.revoke('REUSE_DETECTED', now);
      return err(
        domainError(
          'AUTH.REFRESH_TOKEN_REUSED',
          'This refresh token was already used; the session has been ended for safety',
          'refreshToken',
        ),
      );
    }
    if (now >= this._expiresAt)
      return err(
        domainError('AUTH.REFRESH_TOKEN_EXPIRED', 'This session has expired; sign in again', 'refreshToken'),
      );
    if (nextHash === presentedHash) return err(refreshTokenInvalid());
    this._currentTokenHash = nextHash;
    this._generation += 1;
    this._lastRotatedAt = now;
    this._expiresAt = new Date(now.getTime() + ttlMs);
    return ok(undefined);
  }

  /** Ends the session; false when it had already ended (revoking is idempotent). */
  revoke(reason: SessionEndReason, now: Date): boolean {
    if (this.isRevoked()) return false;
    this._revokedAt = now;
    this._revokedReason = reason;
    return true;
  }
}
