import { isIPv4, isIPv6 } from 'node:net';
import { intFromEnv, type Actor, type KeyValueStore, type Logger } from '@marketplace/platform';

/** Whose budget an operation is charged to. Admins share the seller class's settings. */
export type CallerClass = 'buyer' | 'seller' | 'anonymous';

export interface BucketSettings {
  /** Cost the bucket holds: the largest burst a caller can send at once. */
  capacity: number;
  /** Cost that leaks out (is given back) per second: the sustained rate. */
  leakPerSecond: number;
}

export interface BudgetSettings {
  enabled: boolean;
  /** Store key prefix: gateways of one deployment share it; separate stacks must not. */
  prefix: string;
  classes: Record<CallerClass, BucketSettings>;
}

/**
 * Defaults sized for real use, generously: a storefront page costs about 20-450 (a search page
 * with facets about 230, an order with its sub-orders and lines about 230), a mutation 10-30.
 * A buyer may burst about 200 such pages and sustain about 8 per second, which also fits test
 * suites that poll every 150 ms until a projection catches up.
 */
export const DEFAULT_BUDGETS: Record<CallerClass, BucketSettings> = {
  buyer: { capacity: 50_000, leakPerSecond: 2_000 },
  seller: { capacity: 100_000, leakPerSecond: 4_000 },
  anonymous: { capacity: 30_000, leakPerSecond: 1_000 },
};

export function budgetSettings(env: NodeJS.ProcessEnv): BudgetSettings {
  const bucket = (cls: CallerClass): BucketSettings => {
    const name = cls.toUpperCase();
    const capacity = intFromEnv(`GATEWAY_BUDGET_${name}_CAPACITY`, DEFAULT_BUDGETS[cls].capacity, env);
    const leakPerSecond = intFromEnv(
      `GATEWAY_BUDGET_${name}_LEAK_PER_SECOND`,
      DEFAULT_BUDGETS[cls].leakPerSecond,
      env,
    );
    if (capacity < 1 || leakPerSecond < 1) throw new Error(`GATEWAY_BUDGET_${name}_* must be positive`);
    return { capacity, leakPerSecond };
  };
  const suffix = env.CONSUMER_GROUP_SUFFIX ? `:${env.CONSUMER_GROUP_SUFFIX}` : '';
  return {
    enabled: env.GATEWAY_BUDGETS !== 'off',
    prefix: env.GATEWAY_BUDGET_PREFIX ?? `gateway:budget${suffix}`,
    classes: { buyer: bucket('buyer'), seller: bucket('seller'), anonymous: bucket('anonymous') },
  };
}

/** Who is calling, as far as budgets care: a verified actor, else the client address. */
export interface Caller {
  class: CallerClass;
  /** Stable within the class: the user id, the store id, or the address (anonymousCallerId). */
  id: string;
}

export function callerOf(actor: Actor | null, clientIp: string | undefined): Caller {
  if (!actor) return { class: 'anonymous', id: anonymousCallerId(clientIp) };
  if (actor.role === 'buyer') return { class: 'buyer', id: actor.userId };
  // A store's staff share their store's budget; an admin is charged like a seller, by user.
  if (actor.role === 'seller' && actor.sellerId) return { class: 'seller', id: actor.sellerId };
  return { class: 'seller', id: `user:${actor.userId}` };
}

/**
 * The budget key of an anonymous address. An IPv4 address (also written IPv4-mapped,
 * `::ffff:a.b.c.d`) is itself; an IPv6 address is its /64 prefix (`2001:db8:0:1::/64`), since one
 * subscriber usually holds a whole /64 and would otherwise get a fresh bucket per address.
 */
export function anonymousCallerId(address: string | undefined): string {
  if (!address) return 'unknown';
  if (isIPv4(address)) return address;
  const unzoned = address.split('%')[0]!;
  if (!isIPv6(unzoned)) return address;
  const groups = ipv6Groups(unzoned);
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    const [high, low] = [groups[6]!, groups[7]!];
    return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
  }
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(':')}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address (`::` expanded, a dotted IPv4 tail split in two). */
function ipv6Groups(address: string): number[] {
  let text = address;
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const parse = (part: string) => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
  const left = parse(head);
  if (tail === undefined) return left;
  const right = parse(tail);
  return [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
}

export interface BudgetDecision {
  admitted: boolean;
  capacity: number;
  /** Cost the caller could spend right now (after this operation, when admitted). */
  remaining: number;
  leakPerSecond: number;
  /** When refused: seconds until this operation's cost would fit. */
  retryAfterSeconds?: number;
}

/** How often a store (Redis) outage is logged while it lasts. */
const WARN_EVERY_MS = 10_000;

/**
 * Per-caller cost budgets: one leaky bucket per caller in the KeyValueStore (takeFromBucket:
 * admitted when `level + cost <= capacity`, a refused operation adds nothing). In Redis they are
 * shared by every gateway instance of a deployment, on Redis's clock. If the store does not
 * answer, operations are admitted (fail open) and a warning is logged: budgets protect the
 * subgraphs from heavy callers, and losing them for a while is better than losing the API.
 */
export class CostBudgets {
  private lastWarning = 0;

  constructor(
    private readonly store: KeyValueStore,
    private readonly settings: BudgetSettings,
    private readonly logger: Logger,
  ) {}

  bucketOf(caller: Caller): BucketSettings {
    return this.settings.classes[caller.class];
  }

  /** Charges `cost` to the caller's bucket if it fits; `null` when budgets are off or the store failed. */
  async charge(caller: Caller, cost: number): Promise<BudgetDecision | null> {
    if (!this.settings.enabled) return null;
    const { capacity, leakPerSecond } = this.bucketOf(caller);
    const key = `${this.settings.prefix}:${caller.class}:${caller.id}`;
    try {
      const { admitted, level, waitMs } = await this.store.takeFromBucket(
        key,
        { capacity, leakPerSecond },
        cost,
      );
      const remaining = Math.max(0, Math.floor(capacity - level));
      return admitted
        ? { admitted: true, capacity, remaining, leakPerSecond }
        : {
            admitted: false,
            capacity,
            remaining,
            leakPerSecond,
            retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)),
          };
    } catch (error) {
      const now = Date.now();
      if (now - this.lastWarning > WARN_EVERY_MS) {
        this.lastWarning = now;
        this.logger.warn({ err: error }, 'cost budgets unavailable (Redis): admitting operations unmetered');
      }
      return null;
    }
  }
}
