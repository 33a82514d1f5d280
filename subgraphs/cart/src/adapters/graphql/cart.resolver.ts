// type-graphql reads decorator metadata through this polyfill.
import 'reflect-metadata';
import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { isUuid, type Result } from '@marketplace/shared-kernel';
import { ErrorResult, type ReferenceResolver, type RequestContext } from '@marketplace/platform';
import type { Cart } from '../../domain/cart.js';
import { priceCart, type PricedCart } from '../../domain/cart-pricing.js';
import { guestTokenHash, isOpenSnapshot, isVisibleById } from '../../application/cart-caller.js';
import { addToCart } from '../../application/add-to-cart.js';
import {
  acknowledgePriceChanges,
  applyCouponCode,
  changeQuantity,
  removeCouponCode,
  removeLine,
} from '../../application/change-cart.js';
import { mergeGuestCart } from '../../application/merge-guest-cart.js';
import type { CartOwnerKey, CartReader, CartUseCases } from '../persistence/cart-store.js';
import { PgSkuCatalog } from '../persistence/sku-catalog.js';
import {
  CartNode,
  CartPayload,
  CartResult,
  MergeCartPayload,
  MergeCartResult,
  toCartNode,
} from './cart.types.js';

/**
 * Every cart a request touches, by id, priced in one batch: cart states from Redis (one SQL
 * query for those not cached), then the current prices of all their variants in one query.
 * Carts are returned whatever their owner; callers decide visibility.
 */
function loadPricedCart(ctx: RequestContext, reader: CartReader, id: string): Promise<PricedCart | null> {
  if (!isUuid(id)) return Promise.resolve(null);
  return ctx.loaders
    .get<string, PricedCart>('cart', async (ids) => {
      const states = await reader.byIds(ctx.em, ids);
      const catalog = await new PgSkuCatalog(ctx.em).byVariantIds(
        states.flatMap((s) => s?.lines.map((l) => l.variantId) ?? []),
      );
      return states.map((state) => (state ? priceCart(state, catalog) : null));
    })
    .load(id.toLowerCase());
}

export function cartReferenceResolver(uc: CartUseCases): ReferenceResolver<CartNode> {
  return async (reference, ctx) => {
    const { cache, clock } = uc.forRequest(ctx);
    const priced = await loadPricedCart(ctx, cache, String(reference.id));
    return priced && isVisibleById(priced, ctx.actor, clock.now()) ? toCartNode(priced) : null;
  };
}

export function createCartResolver(uc: CartUseCases) {
  /** An open cart of this owner, by the owner's pointer; null when there is none. */
  async function openCartOf(ctx: RequestContext, owner: CartOwnerKey): Promise<CartNode | null> {
    const { cache, clock } = uc.forRequest(ctx);
    const now = clock.now();
    const ownedAndOpen = (cart: PricedCart | null): cart is PricedCart =>
      !!cart &&
      isOpenSnapshot(cart, now) &&
      (owner.kind === 'buyer' ? cart.buyerId === owner.buyerId : cart.buyerId === null);
    const id = await cache.openCartId(ctx.em, owner, async (candidate) =>
      ownedAndOpen(await loadPricedCart(ctx, cache, candidate)),
    );
    if (!id) return null;
    const priced = await loadPricedCart(ctx, cache, id);
    return ownedAndOpen(priced) ? toCartNode(priced) : null;
  }

  /** A changed cart as the buyer now sees it: its fresh state priced at current prices. */
  async function present(ctx: RequestContext, cart: Cart): Promise<CartNode> {
    const state = cart.snapshot();
    const catalog = await new PgSkuCatalog(ctx.em).byVariantIds(state.lines.map((l) => l.variantId));
    return toCartNode(priceCart(state, catalog));
  }

  const respond = async (ctx: RequestContext, result: Result<Cart>): Promise<typeof CartResult> => {
    if (!result.ok) return ErrorResult.of(result.error);
    return Object.assign(new CartPayload(), { cart: await present(ctx, result.value), guestToken: null });
  };

  @Resolver(() => CartNode)
  class CartResolver {
    @Query(() => CartNode, { nullable: true, description: "The signed-in buyer's open cart, if any." })
    async myCart(@Ctx() ctx: RequestContext): Promise<CartNode | null> {
      if (ctx.actor?.role !== 'buyer') return null;
      return openCartOf(ctx, { kind: 'buyer', buyerId: ctx.actor.userId });
    }

    @Query(() => CartNode, {
      nullable: true,
      description: 'The open guest cart the token addresses; null when unknown, merged or expired.',
    })
    async cart(
      @Arg('guestToken', () => String) guestToken: string,
      @Ctx() ctx: RequestContext,
    ): Promise<CartNode | null> {
      const hash = guestTokenHash(guestToken);
      if (!hash.ok) return null;
      return openCartOf(ctx, { kind: 'guest', tokenHash: hash.value });
    }

    @Mutation(() => CartResult, {
      description:
        "Puts units of a variant (by sku or variantId) in the caller's cart at its current price. " +
        'Without a cart, opens one; for a guest the payload then carries the new guestToken.',
    })
    async addToCart(
      // type-graphql prints arguments in reverse order: the SDL reads sku, variantId, quantity, guestToken.
      @Arg('guestToken', () => String, { nullable: true }) guestToken: string | null,
      @Arg('quantity', () => Int, { defaultValue: 1 }) quantity: number,
      @Arg('variantId', () => ID, { nullable: true }) variantId: string | null,
      @Arg('sku', () => String, { nullable: true }) sku: string | null,
      @Ctx() ctx: RequestContext,
    ): Promise<typeof CartResult> {
      const result = await addToCart({ sku, variantId, quantity, guestToken }, uc.forRequest(ctx));
      if (!result.ok) return ErrorResult.of(result.error);
      return Object.assign(new CartPayload(), {
        cart: await present(ctx, result.value.cart),
        guestToken: result.value.guestToken,
      });
    }

    @Mutation(() => CartResult, { description: 'Sets the quantity of a line; 0 removes it.' })
    async changeQuantity(
      @Arg('guestToken', () => String, { nullable: true }) guestToken: string | null,
      @Arg('quantity', () => Int) quantity: number,
      @Arg('lineId', () => ID) lineId: string,
      @Ctx() ctx: RequestContext,
    ): Promise<typeof CartResult> {
      return respond(ctx, await changeQuantity({ lineId, quantity, guestToken }, uc.forRequest(ctx)));
    }

    @Mutation(() => CartResult)
    async removeLine(
      @Arg('guestToken', () => String, { nullable: true }) guestToken: string | null,
      @Arg('lineId', () => ID) lineId: string,
      @Ctx() ctx: RequestContext,
    ): Promise<typeof CartResult> {
      return respond(ctx, await removeLine({ lineId, guestToken }, uc.forRequest(ctx)));
    }

    @Mutation(() => CartResult, {
      description: 'Adds a coupon code for pricing; applying it twice changes nothing.',
    })
    async applyCouponCode(
      @Arg('guestToken', () => String, { nullable: true }) guestToken: string | null,
      @Arg('code', () => String) code: string,
      @Ctx() ctx: RequestContext,
    ): Promise<typeof CartResult> {
      return respond(ctx, await applyCouponCode({ code, guestToken }, uc.forRequest(ctx)));
    }

    @Mutation(() => CartResult)
    async removeCouponCode(
      @Arg('guestToken', () => String, { nullable: true }) guestToken: string | null,
      @Arg('code', () => String) code: string,
      @Ctx() ctx: RequestContext,
    ): Promise<typeof CartResult> {
      return respond(ctx, await removeCouponCode({ code, guestToken }, uc.forRequest(ctx)));
    }

    @Mutation(() => CartResult, {
      description: 'The buyer has seen the moved prices: each line takes its current price as the reference.',
    })
    async acknowledgePriceChanges(
      @Arg('guestToken', () => String, { nullable: true }) guestToken: string | null,
      @Ctx() ctx: RequestContext,
    ): Promise<typeof CartResult> {
      return respond(ctx, await acknowledgePriceChanges({ guestToken }, uc.forRequest(ctx)));
    }

    @Mutation(() => MergeCartResult, {
      description:
        'Buyer, right after sign-in: moves the guest cart of this token into the buyer’s cart and ' +
        'closes it. Repeating it is a no-op.',
    })
    async mergeGuestCart(
      @Arg('guestToken', () => String) guestToken: string,
      @Ctx() ctx: RequestContext,
    ): Promise<typeof MergeCartResult> {
      const result = await mergeGuestCart({ guestToken }, uc.forRequest(ctx));
      if (!result.ok) return ErrorResult.of(result.error);
      return Object.assign(new MergeCartPayload(), {
        cart: await present(ctx, result.value.cart),
        alreadyMerged: result.value.alreadyMerged,
        mergedLines: result.value.merged,
        skipped: result.value.skipped,
      });
    }
  }
  return CartResolver;
}
