// type-graphql reads decorator metadata through this polyfill.
import 'reflect-metadata';
import { Ctx, Directive, Field, FieldResolver, ID, Int, ObjectType, Resolver, Root } from 'type-graphql';
import { isUuid, type DomainError, type Money } from '@marketplace/shared-kernel';
import {
  MoneyType,
  graphqlEnum,
  type ReferenceResolver,
  type RequestContext,
  type UseCases,
} from '@marketplace/platform';
import type { Coupon, CouponKind, CouponScope } from '../../domain/coupon.js';
import {
  COUPON_OUTCOME,
  type CartPricing,
  type CouponOutcome,
  type CouponPricing,
  type LinePricing,
} from '../../domain/pricing.js';
import type { CodeGuessThrottle, CouponsContext, GuessKeys, PricingReader } from '../../application/ports.js';
import { priceCartFor } from '../../application/price-cart.js';
import { MikroPricingReader } from '../persistence/coupon-store.js';
import { CouponKindEnum, CouponScopeEnum } from './coupon.types.js';

/** The fields of the cart subgraph's entity that pricing needs; the gateway fetches them first. */
export const CART_PRICING_REQUIRES =
  'lines { id sellerId quantity unitPrice { amount currency } available } couponCodes';

// The cart subgraph owns CartLine (and its description); coupons only reads these fields.
@ObjectType('CartLine')
export class CartLineRef {
  @Directive('@external')
  @Field(() => ID)
  id!: string;

  @Directive('@external')
  @Field(() => ID)
  sellerId!: string;

  @Directive('@external')
  @Field(() => Int)
  quantity!: number;

  @Directive('@external')
  @Field(() => MoneyType, { description: 'The current unit price.' })
  unitPrice!: MoneyType;

  @Directive('@external')
  @Field(() => Boolean, { description: 'Whether the line can be bought; unavailable lines are not priced.' })
  available!: boolean;
}

const CouponOutcomeEnum = graphqlEnum(COUPON_OUTCOME, { description: 'Whether a cart coupon applies.' });

@ObjectType({ description: "One coupon's share of the discount on one line." })
export class CartPricingLineDiscount {
  @Field(() => ID)
  lineId!: string;

  @Field(() => MoneyType)
  amount!: MoneyType;
}

@ObjectType({ description: "What one of the cart's coupon codes does." })
export class CartPricingCoupon {
  @Field(() => String, { description: 'Normalised to upper case when well-formed.' })
  code!: string;

  @Field(() => CouponOutcomeEnum)
  status!: CouponOutcome;

  @Field(() => String, {
    nullable: true,
    description:
      'Why it was rejected, a stable code: COUPON.NOT_FOUND, COUPON.INACTIVE, COUPON.NOT_STARTED, COUPON.EXPIRED, COUPON.LIMIT_REACHED, COUPON.BUYER_LIMIT_REACHED, COUPON.CURRENCY_MISMATCH, COUPON.NO_ELIGIBLE_LINES, COUPON.MIN_SPEND_NOT_MET, COUPON.NOT_STACKABLE, COUPON.DUPLICATE.',
  })
  reason!: string | null;

  @Field(() => String, { nullable: true, description: 'Human-readable reason.' })
  message!: string | null;

  @Field(() => CouponScopeEnum, { nullable: true })
  scope!: CouponScope | null;

  @Field(() => ID, { nullable: true })
  sellerId!: string | null;

  @Field(() => CouponKindEnum, { nullable: true })
  kind!: CouponKind | null;

  @Field(() => MoneyType, {
    nullable: true,
    description: 'Zero when rejected; null only when the cart has no single currency.',
  })
  discount!: MoneyType | null;

  @Field(() => [CartPricingLineDiscount], { description: 'Sums exactly to discount.' })
  lines!: CartPricingLineDiscount[];

  @Field(() => [ID], { description: 'Sellers whose shipping this coupon makes free.' })
  freeShippingSellerIds!: string[];
}

@ObjectType({ description: 'One cart line after discounts.' })
export class CartPricingLine {
  @Field(() => ID)
  lineId!: string;

  @Field(() => MoneyType, { description: 'Unit price x quantity.' })
  subtotal!: MoneyType;

  @Field(() => MoneyType, { description: "The sum of every coupon's share on this line." })
  discount!: MoneyType;

  @Field(() => MoneyType, { description: 'subtotal - discount; never below zero.' })
  total!: MoneyType;
}

@ObjectType('CartPricing', {
  description:
    'The cart priced with its coupons: at most one platform coupon plus one coupon per seller. Line totals sum exactly to total.',
})
export class CartPricingNode {
  @Field(() => String, { nullable: true, description: 'Null when the cart is empty or mixes currencies.' })
  currency!: string | null;

  @Field(() => MoneyType, { nullable: true, description: 'Null when currency is null.' })
  subtotal!: MoneyType | null;

  @Field(() => MoneyType, { nullable: true, description: 'Null when currency is null.' })
  discountTotal!: MoneyType | null;

  @Field(() => MoneyType, { nullable: true, description: 'Null when currency is null.' })
  total!: MoneyType | null;

  @Field(() => [ID], { description: 'Sellers whose shipping an applied coupon makes free.' })
  freeShippingSellerIds!: string[];

  @Field(() => [CartPricingCoupon], { description: 'One entry per code in the cart, in its order.' })
  coupons!: CartPricingCoupon[];

  @Field(() => [CartPricingLine], { description: 'One entry per cart line, in its order.' })
  lines!: CartPricingLine[];
}

/** Coupons' view of the cart entity: it contributes `pricing`, computed from the cart's own fields. */
@Directive('@key(fields: "id")')
@ObjectType('Cart')
export class CartRef {
  @Field(() => ID)
  id!: string;

  @Directive('@external')
  @Field(() => [CartLineRef])
  lines!: CartLineRef[];

  @Directive('@external')
  @Field(() => [String])
  couponCodes!: string[];

  @Directive(`@requires(fields: "${CART_PRICING_REQUIRES}")`)
  @Field(() => CartPricingNode, {
    description: "Subtotal, discounts and totals with the cart's coupons applied.",
  })
  pricing!: CartPricingNode;
}

/**
 * No I/O here: the representation carries everything pricing needs (the @requires fields);
 * the coupon lookups of all carts in the request are batched by the pricing resolver.
 */
export const cartReference: ReferenceResolver<CartRef> = (reference) =>
  Object.assign(new CartRef(), reference);

const money = (m: Money | null) => (m ? MoneyType.of(m) : null);

function presentCoupon(c: CouponPricing): CartPricingCoupon {
  const reason: DomainError | null = c.reason;
  return Object.assign(new CartPricingCoupon(), {
    code: c.code,
    status: c.status,
    reason: reason?.code ?? null,
    message: reason?.message ?? null,
    scope: c.scope,
    sellerId: c.sellerId,
    kind: c.kind,
    discount: money(c.discount),
    lines: c.allocations.map((a) =>
      Object.assign(new CartPricingLineDiscount(), { lineId: a.lineId, amount: MoneyType.of(a.amount) }),
    ),
    freeShippingSellerIds: c.freeShippingSellerIds,
  });
}

function presentLine(l: LinePricing): CartPricingLine {
  return Object.assign(new CartPricingLine(), {
    lineId: l.lineId,
    subtotal: MoneyType.of(l.subtotal),
    discount: MoneyType.of(l.discount),
    total: MoneyType.of(l.total),
  });
}

export function presentPricing(p: CartPricing): CartPricingNode {
  return Object.assign(new CartPricingNode(), {
    currency: p.currency,
    subtotal: money(p.subtotal),
    discountTotal: money(p.discountTotal),
    total: money(p.total),
    freeShippingSellerIds: p.freeShippingSellerIds,
    coupons: p.coupons.map(presentCoupon),
    lines: p.lines.map(presentLine),
  });
}

/** A failed batch must fail the pricing, never read as "no such coupon". */
const ownerCodeKey = (owner: string | null, code: string) => JSON.stringify([owner, code]);

const rethrow = <T>(value: T | Error): T => {
  if (value instanceof Error) throw value;
  return value;
};

/**
 * The request's pricing reads behind DataLoaders: pricing N carts costs one coupon query and
 * at most one usage query, whatever N is.
 */
export function batchedPricingReader(ctx: RequestContext): PricingReader {
  const reader = new MikroPricingReader(ctx.em);
  return {
    async couponsByCodes(codes, sellerIds) {
      // Keyed by owner and code (the unique pair): several stores may share a code, and each
      // cart asks only for its own stores' and the platform's.
      const loader = ctx.loaders.get<string, Coupon>('couponByOwnerCode', async (keys) => {
        const pairs = keys.map((key) => JSON.parse(key) as [string | null, string]);
        const found = await reader.couponsByCodes(
          pairs.map(([, code]) => code),
          pairs.flatMap(([owner]) => (owner ? [owner] : [])),
        );
        const byKey = new Map(found.map((c) => [ownerCodeKey(c.sellerId, c.code), c]));
        return keys.map((key) => byKey.get(key) ?? null);
      });
      const owners = [null, ...new Set(sellerIds)];
      const keys = codes.flatMap((code) => owners.map((owner) => ownerCodeKey(owner, code)));
      return (await loader.loadMany(keys)).map(rethrow).filter((c): c is Coupon => c !== null);
    },
    async activeRedemptionsOf(buyerId, couponIds) {
      const loader = ctx.loaders.get<string, number>(`redemptionsOf:${buyerId}`, async (keys) => {
        const counts = await reader.activeRedemptionsOf(buyerId, keys);
        return keys.map((k) => counts.get(k) ?? 0);
      });
      const counts = (await loader.loadMany(couponIds)).map(rethrow);
      return new Map(couponIds.map((id, i) => [id, counts[i] ?? 0]));
    },
  };
}

/**
 * The request's throttle calls made together and answered together: the Redis round trips of
 * N carts end at different moments, and carts resumed one by one would each miss the coupon
 * lookup batch. Each call is its own key (objects are cached by identity, so none is shared).
 */
export function batchedThrottle(ctx: RequestContext, throttle: CodeGuessThrottle): CodeGuessThrottle {
  type Call = { keys: GuessKeys; codes: readonly string[] };
  const together =
    <R>(name: string, run: (call: Call) => Promise<R>) =>
    async (keys: GuessKeys, codes: readonly string[]): Promise<R> => {
      const loader = ctx.loaders.get<Call, R>(name, (calls) => Promise.all(calls.map(run)));
      return (await loader.load({ keys, codes })) as R;
    };
  return {
    admit: together('throttle:admit', (c) => throttle.admit(c.keys, c.codes)),
    forgive: together('throttle:forgive', (c) => throttle.forgive(c.keys, c.codes)),
  };
}

export function createCartPricingResolver(uc: UseCases<CouponsContext>) {
  @Resolver(() => CartRef)
  class CartPricingResolver {
    @FieldResolver(() => CartPricingNode)
    async pricing(@Root() cart: CartRef, @Ctx() ctx: RequestContext): Promise<CartPricingNode> {
      const { clock, throttle } = uc.forRequest(ctx);
      const pricing = await priceCartFor(cart, {
        reader: batchedPricingReader(ctx),
        clock,
        // Redemptions store buyers as uuids; any other subject cannot have used a coupon.
        buyerId: ctx.actor && isUuid(ctx.actor.userId) ? ctx.actor.userId : null,
        client: ctx.clientIp ?? null,
        throttle: batchedThrottle(ctx, throttle),
      });
      return presentPricing(pricing);
    }
  }
  return CartPricingResolver;
}
