import { createHash } from 'node:crypto';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import type { Redis } from '@marketplace/platform';
import type { LoginThrottle, ThrottleKeys } from '../../application/ports.js';

export interface ThrottleSettings {
  /** Failed sign-ins allowed per email within the window. */
  maxFailuresPerEmail: number;
  /** Failed sign-ins allowed per client within the window (slows one client trying many emails). */
  maxFailuresPerClient: number;
  windowSeconds: number;
  /** Redis key prefix; tests give each run its own. */
  prefix?: string;
}

/**
 * Counts failed sign-ins in Redis with rate-limiter-flexible (atomic, shared by every
 * accounts instance). A key that used up its failures is refused until its window ends,
 * whatever password comes next. Emails are hashed before they become keys: no addresses in Redis.
 */
export class RedisLoginThrottle implements LoginThrottle {
  private limiters?: { email: RateLimiterRedis; client: RateLimiterRedis };

  constructor(
    private readonly redis: Redis,
    private readonly settings: ThrottleSettings,
  ) {}

  async blockedFor(keys: ThrottleKeys): Promise<number | null> {
    const { email, client } = this.get();
    const checks: [RateLimiterRedis, string, number][] = [
      [email, this.emailKey(keys), this.settings.maxFailuresPerEmail],
    ];
    if (keys.client) checks.push([client, keys.client, this.settings.maxFailuresPerClient]);
    let wait: number | null = null;
    for (const [limiter, key, max] of checks) {
      const state = await limiter.get(key);
      if (state && state.consumedPoints >= max) {
        wait = Math.max(wait ?? 0, Math.max(1, Math.ceil(state.msBeforeNext / 1000)));
      }
    }
    return wait;
  }

  async recordFailure(keys: ThrottleKeys): Promise<void> {
    const { email, client } = this.get();
    const { maxFailuresPerEmail, maxFailuresPerClient, windowSeconds } = this.settings;
    await Promise.all([
      penalize(email, this.emailKey(keys), maxFailuresPerEmail, windowSeconds),
      keys.client ? penalize(client, keys.client, maxFailuresPerClient, windowSeconds) : undefined,
    ]);
  }

  async recordSuccess(keys: ThrottleKeys): Promise<void> {
    await this.get().email.delete(this.emailKey(keys));
  }

  private emailKey(keys: ThrottleKeys): string {
    return createHash('sha256').update(keys.email).digest('hex');
  }

  // Built on first use: printing the schema constructs resolvers without a Redis connection.
  private get() {
    const { windowSeconds, prefix = 'accounts:login-failures' } = this.settings;
    this.limiters ??= {
      email: new RateLimiterRedis({
        storeClient: this.redis,
        keyPrefix: `${prefix}:email`,
        points: this.settings.maxFailuresPerEmail,
        duration: windowSeconds,
      }),
      client: new RateLimiterRedis({
        storeClient: this.redis,
        keyPrefix: `${prefix}:client`,
        points: this.settings.maxFailuresPerClient,
        duration: windowSeconds,
      }),
    };
    return this.limiters;
  }
}

/**
 * Counts one failure. The one that uses up the allowance blocks the key for a whole window
 * from now, so a lockout is never cut short by a window that started with an old failure.
 */
async function penalize(limiter: RateLimiterRedis, key: string, max: number, windowSeconds: number) {
  const state = await limiter.penalty(key, 1);
  if (state.consumedPoints === max) await limiter.block(key, windowSeconds);
}
