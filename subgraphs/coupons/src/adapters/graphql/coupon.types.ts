// type-graphql reads decorator metadata through this polyfill.
import 'reflect-metadata';
import { Directive, Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { graphqlEnum, resultUnion, MoneyInput, MoneyType as Money } from '@marketplace/platform';
import {
  COUPON_KIND,
  COUPON_SCOPE,
  COUPON_STATUS,
  type Coupon,
  type CouponKind,
  type CouponScope,
  type CouponStatus,
} from '../../domain/coupon.js';

export const CouponScopeEnum = graphqlEnum(COUPON_SCOPE, {
  description: "PLATFORM: created by an admin, covers every line. SELLER: covers only its seller's lines.",
});
export const CouponKindEnum = graphqlEnum(COUPON_KIND, { description: 'What a coupon gives.' });
export const CouponStatusEnum = graphqlEnum(COUPON_STATUS, {
  description: 'ACTIVE <-> PAUSED; either -> ARCHIVED (final).',
});

@Directive('@key(fields: "id")')
@ObjectType('Coupon', { description: 'A discount code. Visible only to whoever manages it.' })
export class CouponNode {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { description: 'Upper-case; matched case-insensitively.' })
  code!: string;

  @Field(() => CouponScopeEnum)
  scope!: CouponScope;

  @Field(() => ID, { nullable: true, description: 'The owning seller of a SELLER coupon.' })
  sellerId!: string | null;

  @Field(() => CouponKindEnum)
  kind!: CouponKind;

  @Field(() => Int, { nullable: true, description: 'Whole percent, 1..100 (PERCENTAGE).' })
  percentOff!: number | null;

  @Field(() => Money, { nullable: true, description: 'The amount taken off (FIXED_AMOUNT).' })
  amountOff!: Money | null;

  @Field(() => Money, {
    nullable: true,
    description:
      "Subtotal the covered lines must reach, before discounts. A seller coupon counts only its seller's lines.",
  })
  minimumSpend!: Money | null;

  @Field(() => String, { description: 'ISO-8601; valid from this instant (inclusive).' })
  validFrom!: string;

  @Field(() => String, { nullable: true, description: 'ISO-8601; valid until this instant (exclusive).' })
  validUntil!: string | null;

  @Field(() => Int, { nullable: true, description: 'Redemptions allowed in total; null: unlimited.' })
  totalLimit!: number | null;

  @Field(() => Int, { nullable: true, description: 'Redemptions allowed per buyer; null: unlimited.' })
  perBuyerLimit!: number | null;

  @Field(() => Int, { description: 'Active (not released) redemptions.' })
  redeemedCount!: number;

  @Field(() => CouponStatusEnum)
  status!: CouponStatus;

  @Field(() => Int, { description: 'Incremented by every change.' })
  version!: number;

  @Field(() => String, { description: 'ISO-8601 timestamp.' })
  createdAt!: string;

  @Field(() => String, { description: 'ISO-8601 timestamp.' })
  updatedAt!: string;

  static of(c: Coupon): CouponNode {
    return Object.assign(new CouponNode(), {
      id: c.id,
      code: c.code,
      scope: c.scope,
      sellerId: c.sellerId,
      kind: c.kind,
      percentOff: c.percentOff,
      amountOff: c.amountOff ? Money.of(c.amountOff) : null,
      minimumSpend: c.minimumSpend ? Money.of(c.minimumSpend) : null,
      validFrom: c.validFrom.toISOString(),
      validUntil: c.validUntil?.toISOString() ?? null,
      totalLimit: c.totalLimit,
      perBuyerLimit: c.perBuyerLimit,
      redeemedCount: c.redeemedCount,
      status: c.status,
      version: c.version,
      createdAt: c.createdAt.toISOString(),
      updatedAt: c.updatedAt.toISOString(),
    });
  }
}

@ObjectType({ description: 'The coupon after a successful change.' })
export class CouponPayload {
  @Field(() => CouponNode)
  coupon!: CouponNode;
}

export const CouponResult = resultUnion(CouponPayload, {
  name: 'CouponResult',
  description: 'The changed coupon, or why nothing was changed.',
});

@InputType({ description: 'A seller creates a SELLER coupon, an admin a PLATFORM coupon.' })
export class CreateCouponInput {
  @Field(() => String, {
    description:
      '3-32 letters, digits, "-" or "_"; stored upper-case, unique per store (and among platform coupons).',
  })
  code!: string;

  @Field(() => CouponKindEnum)
  kind!: CouponKind;

  @Field(() => Int, { nullable: true, description: 'Whole percent 1..100; PERCENTAGE only.' })
  percentOff?: number | null;

  @Field(() => MoneyInput, { nullable: true, description: 'Above zero; FIXED_AMOUNT only.' })
  amountOff?: MoneyInput | null;

  @Field(() => MoneyInput, { nullable: true })
  minimumSpend?: MoneyInput | null;

  @Field(() => String, { nullable: true, description: 'ISO-8601 instant with offset; default now.' })
  validFrom?: string | null;

  @Field(() => String, { nullable: true, description: 'ISO-8601 instant with offset; null: no end.' })
  validUntil?: string | null;

  @Field(() => Int, { nullable: true, description: 'Null: unlimited.' })
  totalLimit?: number | null;

  @Field(() => Int, { nullable: true, description: 'Null: unlimited.' })
  perBuyerLimit?: number | null;
}

@InputType({
  description: 'Only the fields given change; an explicit null clears a limit, the end or the minimum spend.',
})
export class UpdateCouponInput {
  @Field(() => ID)
  couponId!: string;

  @Field(() => String, { nullable: true, description: 'ISO-8601 instant with offset.' })
  validFrom?: string | null;

  @Field(() => String, { nullable: true, description: 'ISO-8601 instant with offset; null: no end.' })
  validUntil?: string | null;

  @Field(() => Int, { nullable: true, description: 'Null: unlimited.' })
  totalLimit?: number | null;

  @Field(() => Int, { nullable: true, description: 'Null: unlimited.' })
  perBuyerLimit?: number | null;

  @Field(() => MoneyInput, { nullable: true, description: 'Null: no minimum.' })
  minimumSpend?: MoneyInput | null;
}
