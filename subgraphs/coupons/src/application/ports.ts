import type { UseCaseContext } from '@marketplace/platform';
import type { PayloadOf } from '@marketplace/event-contracts';
import type { Clock, Result } from '@marketplace/shared-kernel';
import type { Coupon } from '../domain/coupon.js';
import type { Redemption } from '../domain/redemption.js';

export interface CouponRepository {
  /** Loads and row-locks a coupon for the rest of the transaction. */
  byIdForUpdate(id: string): Promise<Coupon | null>;
  /**
   * The platform's and these stores' coupons with one of these normalised codes, row-locked in
   * id order: every redemption of a coupon queues on this lock. `couponsNamedIn` picks the one
   * an order means.
   */
  byCodesForUpdate(codes: readonly string[], sellerIds: readonly string[]): Promise<Coupon[]>;
  /** Row-locks several coupons in id order, so concurrent callers cannot deadlock. */
  byIdsForUpdate(ids: readonly string[]): Promise<Coupon[]>;
  /** Whether this owner (a store, or the platform for null) already has a coupon with the code. */
  codeTaken(code: string, sellerId: string | null): Promise<boolean>;
  /**
   * Adds a new coupon, its row written at once: the unique index on (owner, code) decides when
   * two requests race for one code (COUPON.CODE_TAKEN for the loser).
   */
  add(coupon: Coupon): Promise<Result<void>>;
}

export interface RedemptionRepository {
  forOrder(couponId: string, orderId: string): Promise<Redemption | null>;
  /** Row-locks the order's redemptions: a concurrent release waits and then sees them released. */
  allForOrderForUpdate(orderId: string): Promise<Redemption[]>;
  /** Active (not released) redemptions of one coupon by one buyer. */
  activeCountForBuyer(couponId: string, buyerId: string): Promise<number>;
  add(redemption: Redemption): void;
}

/** What an order got from its coupons, as replied to the checkout (kept to answer repeats). */
export type OrderRedemptionReply = PayloadOf<'coupons.coupons-redeemed@1'>;

/** One row per order that redeemed its coupons: the business key of redeem-coupons. */
export interface OrderRedemptionLog {
  find(orderId: string): Promise<OrderRedemptionReply | null>;
  save(reply: OrderRedemptionReply, at: Date): Promise<void>;
}

/** The repositories of one coupons transaction. */
export interface CouponsRepositories {
  coupons: CouponRepository;
  redemptions: RedemptionRepository;
  orders: OrderRedemptionLog;
}

/** What every coupons use case receives besides its input (declared once: couponsUseCases). */
export type CouponsContext = UseCaseContext<
  CouponsRepositories,
  {
    clock: Clock;
    /** The guessing allowances for unknown codes, shared by cart pricing and redeem-coupons. */
    throttle: CodeGuessThrottle;
  }
>;

/** Batched reads behind cart pricing: one query per kind however many carts a request prices. */
export interface PricingReader {
  /**
   * The platform's and these stores' coupons with these normalised codes (other stores' never
   * leave the database); unknown codes are simply missing.
   */
  couponsByCodes(codes: readonly string[], sellerIds: readonly string[]): Promise<Coupon[]>;
  /** Active redemptions per coupon id by one buyer. */
  activeRedemptionsOf(buyerId: string, couponIds: readonly string[]): Promise<Map<string, number>>;
}

export interface RedeemCouponCommand {
  code: string;
  /** The stores of the order's lines, in order: which store's coupon the code names. */
  sellerIds: readonly string[];
  buyerId: string;
  orderId: string;
  /** The discount the order got from this coupon (from Cart.pricing at checkout). */
  discount: { amount: number; currency: string };
}

export interface RedeemOutcome {
  redemption: Redemption;
  /** True when this order had already redeemed the coupon: nothing changed, nothing published. */
  replayed: boolean;
}

export interface ReleaseOutcome {
  /** Redemptions this call gave back. */
  released: Redemption[];
  /** Redemptions of the order that an earlier call had given back already. */
  alreadyReleased: Redemption[];
}

/**
 * The port the checkout saga drives (through a Kafka command handler): redeem a coupon for an
 * order, and give back everything an order redeemed as the compensation. Both are idempotent.
 */
export interface RedemptionCommands {
  redeem(command: RedeemCouponCommand): Promise<Result<RedeemOutcome>>;
  release(orderId: string): Promise<Result<ReleaseOutcome>>;
}

/** Who is trying coupon codes on a cart: each key has its own allowance of unknown codes. */
export interface GuessKeys {
  cartId: string;
  /** The signed-in caller; null when anonymous. */
  buyerId: string | null;
  /** The caller's address as the gateway forwards it (counted only when buyerId is null); null when not known. */
  client: string | null;
}

export interface GuessAdmission {
  /** May be looked up: codes already tried on this cart, and new ones within every allowance. */
  admitted: string[];
  /** New codes of this call that were counted against the allowances. */
  counted: string[];
  /** New codes over an allowance: not looked up. */
  refused: string[];
  /** When something was refused: seconds until the allowance that refused it renews. */
  retryAfterSeconds: number | null;
}

/** Limits how many unknown coupon codes can be tried, so codes cannot be found by guessing. */
export interface CodeGuessThrottle {
  /** Counts each code new to the cart before it is looked up; repeats of a code are free. */
  admit(keys: GuessKeys, codes: readonly string[]): Promise<GuessAdmission>;
  /** Gives the counts of codes that exist back: only unknown codes use an allowance up. */
  forgive(keys: GuessKeys, codes: readonly string[]): Promise<void>;
}
