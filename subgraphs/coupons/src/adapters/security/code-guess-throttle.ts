import { createHash } from 'node:crypto';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { intFromEnv, type KeyValueStore } from '@marketplace/platform';
import type { CodeGuessThrottle, GuessAdmission, GuessKeys } from '../../application/ports.js';

export interface GuessThrottleSettings {
  /** Unknown codes one cart may try within the window. */
  maxPerCart: number;
  /** Unknown codes one signed-in buyer may try within the window, over all their carts. */
  maxPerBuyer: number;
  /** Unknown codes one anonymous client address may try within the window (many guest carts). */
  maxPerClient: number;
  windowSeconds: number;
  /** Store key prefix; each deployment (and test stack) has its own. */
  prefix: string;
}

type Scope = 'cart' | 'buyer' | 'client';

/** The coupon-code guessing limits (README: Code guessing). */
export function guessThrottleSettings(env: NodeJS.ProcessEnv = process.env): GuessThrottleSettings {
  const suffix = env.CONSUMER_GROUP_SUFFIX ? `:${env.CONSUMER_GROUP_SUFFIX}` : '';
  return {
    maxPerCart: intFromEnv('COUPONS_GUESS_MAX_PER_CART', 10, env),
    maxPerBuyer: intFromEnv('COUPONS_GUESS_MAX_PER_BUYER', 20, env),
    maxPerClient: intFromEnv('COUPONS_GUESS_MAX_PER_CLIENT', 50, env),
    windowSeconds: intFromEnv('COUPONS_GUESS_WINDOW_SECONDS', 900, env),
    prefix: env.COUPONS_GUESS_PREFIX ?? `coupons:code-guesses${suffix}`,
  };
}

/**
 * Counts coupon codes tried on carts in the KeyValueStore (Redis, or memory when embedded)
 * with rate-limiter-flexible, like the accounts login throttle: a code new to a cart is
 * counted with an atomic increment (`consume`) on the cart's and the buyer's counters (the
 * client address's instead of a buyer's for anonymous callers) _before_ it is looked up, so
 * simultaneous guesses cannot all slip under a limit; a code that turns out to exist is given back
 * (`reward`), so only unknown codes use an allowance up. A code already tried on the cart
 * (within the window) is free: pricing the same cart again reveals nothing new. When a counter
 * is used up, new codes are refused until its window ends. Codes are hashed before they become
 * keys: no valid codes sit in the store.
 */
export class StoreCodeGuessThrottle implements CodeGuessThrottle {
  private limiters?: Record<Scope, RateLimiterAbstract>;

  constructor(
    private readonly store: KeyValueStore,
    private readonly settings: GuessThrottleSettings,
  ) {}

  async admit(keys: GuessKeys, codes: readonly string[]): Promise<GuessAdmission> {
    const triedKey = this.triedKey(keys.cartId);
    const tried = await this.store.hasMembers(triedKey, codes.map(hash));
    const admission: GuessAdmission = { admitted: [], counted: [], refused: [], retryAfterSeconds: null };
    for (const [i, code] of codes.entries()) {
      if (tried[i]) {
        admission.admitted.push(code);
        continue;
      }
      const wait = await this.count(keys);
      if (wait !== null) {
        admission.refused.push(code);
        admission.retryAfterSeconds = Math.max(admission.retryAfterSeconds ?? 0, wait);
        continue;
      }
      admission.admitted.push(code);
      admission.counted.push(code);
    }
    if (admission.counted.length > 0) {
      await this.store.addMembers(triedKey, admission.counted.map(hash), this.settings.windowSeconds);
    }
    return admission;
  }

  async forgive(keys: GuessKeys, codes: readonly string[]): Promise<void> {
    const limiters = this.get();
    await Promise.all(scopesOf(keys).map(([scope, key]) => limiters[scope].reward(key, codes.length)));
  }

  /**
   * One attempt on every counter of the keys; null when all admit it, else the wait. A
   * counter that admitted an attempt another refused gets it back: nothing was looked up.
   * A store failure rejects with its error: pricing fails closed rather than unthrottled.
   */
  private async count(keys: GuessKeys): Promise<number | null> {
    const limiters = this.get();
    const taken: [Scope, string][] = [];
    for (const [scope, key] of scopesOf(keys)) {
      try {
        await limiters[scope].consume(key, 1);
        taken.push([scope, key]);
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
        await Promise.all(taken.map(([s, k]) => limiters[s].reward(k, 1)));
        return Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      }
    }
    return null;
  }

  private triedKey(cartId: string): string {
    return `${this.settings.prefix}:tried:${cartId}`;
  }

  // Built on first use: printing the schema constructs resolvers without a store.
  private get(): Record<Scope, RateLimiterAbstract> {
    const { windowSeconds, prefix } = this.settings;
    const limiter = (scope: Scope, points: number) =>
      this.store.rateLimiter({ keyPrefix: `${prefix}:${scope}`, points, duration: windowSeconds });
    this.limiters ??= {
      cart: limiter('cart', this.settings.maxPerCart),
      buyer: limiter('buyer', this.settings.maxPerBuyer),
      client: limiter('client', this.settings.maxPerClient),
    };
    return this.limiters;
  }
}

/**
 * The client first: a client over its limit does not use up the cart's or buyer's allowance.
 * The client scope is for anonymous callers only: behind a load balancer or NAT many signed-in
 * buyers share one address, and they are limited per buyer and per cart already.
 */
function scopesOf(keys: GuessKeys): [Scope, string][] {
  return [
    ...(keys.client && !keys.buyerId ? [['client', keys.client] as [Scope, string]] : []),
    ['cart', keys.cartId],
    ...(keys.buyerId ? [['buyer', keys.buyerId] as [Scope, string]] : []),
  ];
}

const hash = (code: string) => createHash('sha256').update(code).digest('hex').slice(0, 32);
