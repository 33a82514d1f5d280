import { LockMode, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { defineUseCases, storedWhere } from '@marketplace/platform';
import { err, ok, systemClock, type Result } from '@marketplace/shared-kernel';
import { Coupon, type CouponStatus } from '../../domain/coupon.js';
import { Redemption } from '../../domain/redemption.js';
import type {
  CouponRepository,
  CouponsRepositories,
  OrderRedemptionLog,
  OrderRedemptionReply,
  PricingReader,
  RedemptionRepository,
} from '../../application/ports.js';
import { codeTaken } from '../../application/create-coupon.js';
import type { Manager } from '../../application/access.js';
import { StoreCodeGuessThrottle, guessThrottleSettings } from '../security/code-guess-throttle.js';
import { CouponSchema, RedemptionSchema } from './coupon.schema.js';

export class MikroCouponRepository implements CouponRepository {
  constructor(private readonly em: EntityManager) {}

  byIdForUpdate(id: string): Promise<Coupon | null> {
    return this.em.findOne(Coupon, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  }

  byCodesForUpdate(codes: readonly string[], sellerIds: readonly string[]): Promise<Coupon[]> {
    // In id order, like byIdsForUpdate: two orders with the same codes never wait in a cycle.
    return this.em.find(Coupon, ownedBy(codes, sellerIds), {
      lockMode: LockMode.PESSIMISTIC_WRITE,
      orderBy: { id: 'asc' },
    });
  }

  byIdsForUpdate(ids: readonly string[]): Promise<Coupon[]> {
    // Postgres locks the rows in the sorted order, so two callers never wait on each other in a cycle.
    return this.em.find(
      Coupon,
      { id: { $in: [...ids] } },
      { lockMode: LockMode.PESSIMISTIC_WRITE, orderBy: { id: 'asc' } },
    );
  }

  async codeTaken(code: string, sellerId: string | null): Promise<boolean> {
    return (await this.em.count(Coupon, { code, sellerId })) > 0;
  }

  async add(coupon: Coupon): Promise<Result<void>> {
    try {
      await this.em.persist(coupon).flush();
      return ok(undefined);
    } catch (error) {
      // Two requests raced for one code: the unique index decided, the loser is told so (and
      // its transaction, which Postgres has aborted, rolls back).
      if (isCodeClash(error)) return err(codeTaken());
      throw error;
    }
  }
}

export class MikroRedemptionRepository implements RedemptionRepository {
  constructor(private readonly em: EntityManager) {}

  forOrder(couponId: string, orderId: string): Promise<Redemption | null> {
    return this.em.findOne(Redemption, { couponId, orderId });
  }

  allForOrderForUpdate(orderId: string): Promise<Redemption[]> {
    return this.em.find(
      Redemption,
      { orderId },
      { lockMode: LockMode.PESSIMISTIC_WRITE, orderBy: { id: 'asc' } },
    );
  }

  activeCountForBuyer(couponId: string, buyerId: string): Promise<number> {
    return this.em.count(RedemptionSchema, { couponId, buyerId, _status: 'REDEEMED' });
  }

  add(redemption: Redemption): void {
    this.em.persist(redemption);
  }
}

export class SqlOrderRedemptionLog implements OrderRedemptionLog {
  constructor(private readonly em: EntityManager) {}

  async find(orderId: string): Promise<OrderRedemptionReply | null> {
    const rows = await this.em.execute<{ reply: OrderRedemptionReply }[]>(
      'select reply from order_redemption where order_id = ? for update',
      [orderId],
    );
    return rows[0]?.reply ?? null;
  }

  async save(reply: OrderRedemptionReply, at: Date): Promise<void> {
    await this.em.execute(
      'insert into order_redemption (order_id, checkout_id, reply, redeemed_at) values (?, ?, ?::jsonb, ?)',
      [reply.orderId, reply.checkoutId, JSON.stringify(reply), at],
    );
  }
}

const isCodeClash = (error: unknown) =>
  error instanceof UniqueConstraintViolationException && /coupon_owner_code_key/.test(error.message);

/** The coupons use cases' context, for requests and the checkout's commands alike. */
export const couponsUseCases = defineUseCases({
  producer: 'coupons',
  repositories: (em): CouponsRepositories => ({
    coupons: new MikroCouponRepository(em),
    redemptions: new MikroRedemptionRepository(em),
    orders: new SqlOrderRedemptionLog(em),
  }),
  extras: ({ store }) => ({
    clock: systemClock,
    throttle: new StoreCodeGuessThrottle(store, guessThrottleSettings()),
  }),
});

/** One query for any number of ids: the batch behind `Coupon` entity references. */
export function couponsByIds(em: EntityManager, ids: readonly string[]): Promise<Coupon[]> {
  return em.find(Coupon, { id: { $in: [...ids] } });
}

export function couponsOf(
  em: EntityManager,
  manager: Manager,
  options: { status: CouponStatus | null; limit: number },
): Promise<Coupon[]> {
  return em.find(
    Coupon,
    storedWhere(Coupon, CouponSchema, {
      scope: manager.scope,
      sellerId: manager.sellerId,
      ...(options.status ? { _status: options.status } : {}),
    }),
    { orderBy: { createdAt: 'desc', id: 'desc' }, limit: options.limit },
  );
}

/** Coupons with one of the codes owned by the platform or one of the stores. */
const ownedBy = (codes: readonly string[], sellerIds: readonly string[]) => ({
  code: { $in: [...new Set(codes)] },
  $or: [{ sellerId: null }, { sellerId: { $in: [...new Set(sellerIds)] } }],
});

/** Pricing reads: coupons by code and one buyer's usage, each one SQL statement per call. */
export class MikroPricingReader implements PricingReader {
  constructor(private readonly em: EntityManager) {}

  couponsByCodes(codes: readonly string[], sellerIds: readonly string[]): Promise<Coupon[]> {
    return this.em.find(Coupon, ownedBy(codes, sellerIds));
  }

  async activeRedemptionsOf(buyerId: string, couponIds: readonly string[]): Promise<Map<string, number>> {
    if (couponIds.length === 0) return new Map();
    const rows = await this.em.execute<{ coupon_id: string; n: number }[]>(
      `select coupon_id, count(*)::int as n from redemption
        where buyer_id = ? and status = 'REDEEMED' and coupon_id in (${couponIds.map(() => '?').join(', ')})
        group by coupon_id`,
      [buyerId, ...couponIds],
    );
    return new Map(rows.map((r) => [r.coupon_id, Number(r.n)]));
  }
}
