// type-graphql reads decorator metadata through this polyfill.
import 'reflect-metadata';
import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { isUuid, type Result } from '@marketplace/shared-kernel';
import {
  ErrorResult,
  orderByKeys,
  type ReferenceResolver,
  type RequestContext,
  type UseCases,
} from '@marketplace/platform';
import type { Coupon, CouponStatus } from '../../domain/coupon.js';
import { isVisibleTo, requireManager } from '../../application/access.js';
import { createCoupon } from '../../application/create-coupon.js';
import { archiveCoupon, pauseCoupon, resumeCoupon, updateCoupon } from '../../application/manage-coupon.js';
import type { CouponsContext } from '../../application/ports.js';
import { couponsByIds, couponsOf } from '../persistence/coupon-store.js';
import {
  CouponNode,
  CouponPayload,
  CouponResult,
  CouponStatusEnum,
  CreateCouponInput,
  UpdateCouponInput,
} from './coupon.types.js';

/** Batches every coupon lookup by id in a request into one SQL query. */
export function loadCoupon(ctx: RequestContext, id: string): Promise<Coupon | null> {
  if (!isUuid(id)) return Promise.resolve(null);
  return ctx.loaders
    .get<string, Coupon>('couponById', async (ids) =>
      orderByKeys(ids, await couponsByIds(ctx.em, ids), (c) => c.id),
    )
    .load(id.toLowerCase());
}

/** `Coupon` entity references: N representations, one query; others' coupons resolve to null. */
export const couponReference: ReferenceResolver<CouponNode> = async (reference, ctx) => {
  const coupon = await loadCoupon(ctx, String(reference.id));
  return coupon && isVisibleTo(coupon, ctx.actor) ? CouponNode.of(coupon) : null;
};

export function createCouponResolver(uc: UseCases<CouponsContext>) {
  const present = async (result: Promise<Result<Coupon>>): Promise<typeof CouponResult> => {
    const r = await result;
    if (!r.ok) return ErrorResult.of(r.error);
    return Object.assign(new CouponPayload(), { coupon: CouponNode.of(r.value) });
  };

  @Resolver(() => CouponNode)
  class CouponResolver {
    @Query(() => CouponNode, {
      nullable: true,
      description: 'A coupon by id, for whoever manages it (its seller, or an admin for platform coupons).',
    })
    async coupon(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<CouponNode | null> {
      const coupon = await loadCoupon(ctx, id);
      return coupon && isVisibleTo(coupon, ctx.actor) ? CouponNode.of(coupon) : null;
    }

    @Query(() => [CouponNode], {
      description: "Seller: the store's own coupons. Admin: the platform coupons. Newest first.",
    })
    async myCoupons(
      @Arg('status', () => CouponStatusEnum, { nullable: true }) status: CouponStatus | null,
      @Arg('limit', () => Int, { defaultValue: 50 }) limit: number,
      @Ctx() ctx: RequestContext,
    ): Promise<CouponNode[]> {
      const manager = requireManager(ctx.actor);
      if (!manager.ok) return [];
      const coupons = await couponsOf(ctx.em, manager.value, {
        status: status ?? null,
        limit: Math.min(Math.max(limit, 1), 200),
      });
      return coupons.map((c) => CouponNode.of(c));
    }

    @Mutation(() => CouponResult, {
      description: 'Seller: create a coupon for the own store. Admin: create a platform coupon.',
    })
    createCoupon(
      @Arg('input', () => CreateCouponInput) input: CreateCouponInput,
      @Ctx() ctx: RequestContext,
    ) {
      return present(createCoupon(input, uc.forRequest(ctx)));
    }

    @Mutation(() => CouponResult, { description: 'Change the window, the limits or the minimum spend.' })
    updateCoupon(
      @Arg('input', () => UpdateCouponInput) input: UpdateCouponInput,
      @Ctx() ctx: RequestContext,
    ) {
      return present(updateCoupon(input, uc.forRequest(ctx)));
    }

    @Mutation(() => CouponResult, { description: 'ACTIVE -> PAUSED: carts stop applying it.' })
    pauseCoupon(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext) {
      return present(pauseCoupon(id, uc.forRequest(ctx)));
    }

    @Mutation(() => CouponResult, { description: 'PAUSED -> ACTIVE.' })
    resumeCoupon(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext) {
      return present(resumeCoupon(id, uc.forRequest(ctx)));
    }

    @Mutation(() => CouponResult, { description: 'Retire for good; the code stays taken.' })
    archiveCoupon(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext) {
      return present(archiveCoupon(id, uc.forRequest(ctx)));
    }
  }
  return CouponResolver;
}
