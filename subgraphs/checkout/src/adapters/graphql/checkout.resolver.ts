// type-graphql reads decorator metadata through this polyfill.
import 'reflect-metadata';
import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { isUuid } from '@marketplace/shared-kernel';
import { ErrorResult, orderByKeys, type ReferenceResolver, type RequestContext } from '@marketplace/platform';
import type { CheckoutSaga } from '../../domain/checkout-saga.js';
import { placeOrder } from '../../application/checkout.js';
import { canSee } from '../../application/access.js';
import { checkoutsByIds, checkoutsByOrderIds, type CheckoutUseCases } from '../persistence/checkout-store.js';
import { CheckoutNode, CheckoutPayload, PlaceOrderInput, PlaceOrderResult } from './checkout.types.js';

function loadCheckout(ctx: RequestContext, id: string): Promise<CheckoutSaga | null> {
  if (!isUuid(id)) return Promise.resolve(null);
  return ctx.loaders
    .get<string, CheckoutSaga>('checkoutById', async (ids) =>
      orderByKeys(ids, await checkoutsByIds(ctx.em, ids), (c) => c.id),
    )
    .load(id.toLowerCase());
}

const visible = (saga: CheckoutSaga | null, ctx: RequestContext) =>
  saga && canSee(saga, ctx.actor) ? CheckoutNode.of(saga, ctx.actor) : null;

/** `Checkout` entity references: one query per request; others' checkouts resolve to null. */
export const checkoutReference: ReferenceResolver<CheckoutNode> = async (reference, ctx) =>
  visible(await loadCheckout(ctx, String(reference.id)), ctx);

export function createCheckoutResolver(uc: CheckoutUseCases) {
  @Resolver(() => CheckoutNode)
  class CheckoutResolver {
    @Query(() => CheckoutNode, {
      nullable: true,
      description: 'A checkout: the buyer its own, an admin any.',
    })
    async checkout(
      @Arg('id', () => ID) id: string,
      @Ctx() ctx: RequestContext,
    ): Promise<CheckoutNode | null> {
      return visible(await loadCheckout(ctx, id), ctx);
    }

    @Query(() => CheckoutNode, { nullable: true, description: 'The checkout that placed an order.' })
    async checkoutByOrder(
      @Arg('orderId', () => ID) orderId: string,
      @Ctx() ctx: RequestContext,
    ): Promise<CheckoutNode | null> {
      if (!isUuid(orderId)) return null;
      const [saga] = await checkoutsByOrderIds(ctx.em, [orderId.toLowerCase()]);
      return visible(saga ?? null, ctx);
    }

    @Mutation(() => PlaceOrderResult, {
      description:
        'Buyer: check out a cart. Returns at once with the RUNNING checkout; poll `checkout(id)` for the outcome.',
    })
    async placeOrder(
      @Arg('input', () => PlaceOrderInput) input: PlaceOrderInput,
      @Ctx() ctx: RequestContext,
    ): Promise<typeof PlaceOrderResult> {
      const placed = await placeOrder(
        {
          cartId: input.cartId,
          shippingAddress: {
            ...input.shippingAddress,
            line2: input.shippingAddress.line2 ?? null,
            region: input.shippingAddress.region ?? null,
            phone: input.shippingAddress.phone ?? null,
          },
          paymentMethod: input.paymentMethod,
          idempotencyKey: input.idempotencyKey,
        },
        uc.forRequest(ctx),
      );
      if (!placed.ok) return ErrorResult.of(placed.error);
      return Object.assign(new CheckoutPayload(), { checkout: CheckoutNode.of(placed.value) });
    }
  }
  return CheckoutResolver;
}
