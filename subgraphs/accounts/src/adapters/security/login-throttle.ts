import { createHash } from 'node:crypto';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { KeyValueStore } from '@marketplace/platform';
import type {
  LoginAttempt,
  LoginThrottle,
  RegistrationThrottle,
  ThrottleKeys,
} from '../../application/ports.js';

export interface ThrottleSettings {
  /** Failed sign-ins allowed per email within the window. */
  maxFailuresPerEmail: number;
  /** Failed sign-ins allowed per client within the window (slows one client trying many emails). */
  maxFailuresPerClient: number;
  windowSeconds: number;
  /** Store key prefix; tests give each run its own. */
  prefix?: string;
}

type Refused = { retryAfterSeconds: number };

/** One counter an admitted attempt used: which key, and the count its own attempt reached. */
interface Counted {
  limiter: RateLimiterAbstract;
  key: string;
  max: number;
  reached: number;
}

/**
 * Counts sign-in attempts in the KeyValueStore (Redis, or memory when embedded) with
 * rate-limiter-flexible. Every attempt is counted with an atomic increment (`consume`) before
 * its password is checked, so N simultaneous guesses get N different counts and at most the
 * allowance of them is checked; in Redis the counts are shared by every accounts instance. Only failures stay counted: a success deletes the email's count
 * and gives the client's attempt back. A key that used up its allowance is refused until its
 * window ends, whatever password comes next. Emails are hashed before they become keys: no
 * addresses in the store.
 */
export class StoreLoginThrottle implements LoginThrottle {
  private limiters?: { email: RateLimiterAbstract; client: RateLimiterAbstract };

  constructor(
    private readonly store: KeyValueStore,
    private readonly settings: ThrottleSettings,
  ) {}

  async begin(keys: ThrottleKeys): Promise<{ attempt: LoginAttempt } | Refused> {
    const limiters = this.get();
    const { maxFailuresPerEmail, maxFailuresPerClient } = this.settings;
    // The client first: a client over its limit does not use up anyone's email allowance.
    let client: Counted | null = null;
    if (keys.client) {
      const counted = await count(limiters.client, keys.client, maxFailuresPerClient);
      if ('retryAfterSeconds' in counted) return counted;
      client = counted;
    }
    const email = await count(limiters.email, this.emailKey(keys), maxFailuresPerEmail);
    if ('retryAfterSeconds' in email) {
      // No password is checked, so this was no guess from the client.
      if (client) await client.limiter.reward(client.key, 1);
      return email;
    }
    return { attempt: this.attempt(email, client) };
  }

  private attempt(email: Counted, client: Counted | null): LoginAttempt {
    const { windowSeconds } = this.settings;
    return {
      // The failure that uses an allowance up blocks its key for a whole window from now, so
      // a lockout is never cut short by a window that started with an old failure.
      failed: async () => {
        await Promise.all(
          [email, client].map((c) =>
            c && c.reached >= c.max ? c.limiter.block(c.key, windowSeconds) : null,
          ),
        );
      },
      succeeded: async () => {
        await Promise.all([email.limiter.delete(email.key), client?.limiter.reward(client.key, 1)]);
      },
    };
  }

  private emailKey(keys: ThrottleKeys): string {
    return createHash('sha256').update(keys.email).digest('hex');
  }

  // Built on first use: printing the schema constructs resolvers without a store.
  private get() {
    const { windowSeconds, prefix = 'accounts:login-failures' } = this.settings;
    this.limiters ??= {
      email: this.store.rateLimiter({
        keyPrefix: `${prefix}:email`,
        points: this.settings.maxFailuresPerEmail,
        duration: windowSeconds,
      }),
      client: this.store.rateLimiter({
        keyPrefix: `${prefix}:client`,
        points: this.settings.maxFailuresPerClient,
        duration: windowSeconds,
      }),
    };
    return this.limiters;
  }
}

/**
 * Counts registrations per client address in the KeyValueStore, the way sign-in failures are
 * counted: an atomic increment before anything is checked, so N simultaneous registrations get N
 * different counts; one that created no account (bad input, email taken) gives its count back.
 * Over the allowance the client is refused until its window ends.
 */
export class StoreRegistrationThrottle implements RegistrationThrottle {
  private limiter?: RateLimiterAbstract;

  constructor(
    private readonly store: KeyValueStore,
    private readonly settings: { maxPerClient: number; windowSeconds: number; prefix?: string },
  ) {}

  async begin(client: string): Promise<{ done(created: boolean): Promise<void> } | Refused> {
    const { maxPerClient, windowSeconds, prefix = 'accounts:registrations' } = this.settings;
    // Built on first use: printing the schema constructs resolvers without a store.
    this.limiter ??= this.store.rateLimiter({
      keyPrefix: `${prefix}:client`,
      points: maxPerClient,
      duration: windowSeconds,
    });
    const counted = await count(this.limiter, client, maxPerClient);
    if ('retryAfterSeconds' in counted) return counted;
    return {
      done: async (created) => {
        if (!created) await counted.limiter.reward(counted.key, 1);
      },
    };
  }
}

/**
 * Adds one attempt to the key's count atomically (one Redis script). Over the allowance the
 * limiter rejects with its state (the wait); a store failure rejects with an error, which
 * propagates: sign-in fails closed rather than unthrottled.
 */
async function count(limiter: RateLimiterAbstract, key: string, max: number): Promise<Counted | Refused> {
  try {
    const state = await limiter.consume(key, 1);
    return { limiter, key, max, reached: state.consumedPoints };
  } catch (rejection) {
    if (!(rejection instanceof RateLimiterRes)) throw rejection;
    return { retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)) };
  }
}
