// type-graphql reads decorator metadata through this polyfill.
import 'reflect-metadata';
import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { isUuid } from '@marketplace/shared-kernel';
import {
  ErrorResult,
  orderByKeys,
  type ReferenceResolver,
  type RequestContext,
  type UseCases,
} from '@marketplace/platform';
import type { Order } from '../../domain/order.js';
import { normalizeOrderNumber } from '../../domain/order-number.js';
import type { SubOrderStatus } from '../../domain/order-status.js';
import { canSeeOrder, canSeeSubOrder, visibleSubOrders } from '../../application/access.js';
import { cancelOrder, decideRefund, requestRefund } from '../../application/buyer-actions.js';
import type { OrdersContext } from '../../application/ports.js';
import {
  decodeCursor,
  encodeCursor,
  idByNumber,
  ordersByIds,
  ordersOfBuyer,
  subOrderIndex,
  subOrdersOfSeller,
} from '../persistence/order-store.js';
import {
  OrderConnection,
  OrderNode,
  OrderPayload,
  OrderResult,
  RefundRequestNode,
  RefundRequestPayload,
  RefundRequestResult,
  RequestRefundInput,
  SubOrderConnection,
  SubOrderNode,
  SubOrderStatusEnum,
} from './order.types.js';

/** Every order lookup by id in a request: one SQL statement. */
function loadOrder(ctx: RequestContext, id: string): Promise<Order | null> {
  if (!isUuid(id)) return Promise.resolve(null);
  return ctx.loaders
    .get<string, Order>('orderById', async (ids) =>
      orderByKeys(ids, await ordersByIds(ctx.em, ids), (o) => o.id),
    )
    .load(id.toLowerCase());
}

/** Every sub-order lookup by id in a request: one statement on the lookup table, one for the orders. */
function loadSubOrderOwner(ctx: RequestContext, id: string): Promise<Order | null> {
  if (!isUuid(id)) return Promise.resolve(null);
  return ctx.loaders
    .get<string, Order>('orderBySubOrderId', async (ids) => {
      const index = await subOrderIndex(ctx.em, ids);
      const orders = index.length
        ? await ordersByIds(ctx.em, [...new Set(index.map((r) => r.order_id))])
        : [];
      const byId = new Map(orders.map((o) => [o.id, o]));
      const owner = new Map(index.map((r) => [r.id, byId.get(r.order_id) ?? null]));
      return ids.map((k) => owner.get(k) ?? null);
    })
    .load(id.toLowerCase());
}

const viewOrder = (ctx: RequestContext, order: Order | null) =>
  order && canSeeOrder(ctx.actor, order) ? OrderNode.of(order, visibleSubOrders(ctx.actor, order)) : null;

/** `Order` references: a seller gets only its own sub-orders; orders it has no part in are null. */
export const orderReference: ReferenceResolver<OrderNode> = async (reference, ctx) =>
  viewOrder(ctx, await loadOrder(ctx, String(reference.id)));

async function viewSubOrder(ctx: RequestContext, subOrderId: string): Promise<SubOrderNode | null> {
  const id = subOrderId.toLowerCase();
  const order = await loadSubOrderOwner(ctx, id);
  const sub = order?.subOrders.find((s) => s.id === id);
  return order && sub && canSeeSubOrder(ctx.actor, order, sub) ? SubOrderNode.of(order, sub) : null;
}

/** `SubOrder` references: another seller's sub-order resolves to null. */
export const subOrderReference: ReferenceResolver<SubOrderNode> = (reference, ctx) =>
  viewSubOrder(ctx, String(reference.id));

const clampFirst = (first: number) => Math.min(Math.max(first, 1), 100);

export function createOrderResolver(uc: UseCases<OrdersContext>) {
  @Resolver(() => OrderNode)
  class OrderResolver {
    @Query(() => OrderNode, {
      nullable: true,
      description:
        'Buyer: own order. Admin: any. Seller: an order with one of its sub-orders (only those shown).',
    })
    async order(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<OrderNode | null> {
      return viewOrder(ctx, await loadOrder(ctx, id));
    }

    @Query(() => OrderNode, {
      nullable: true,
      description:
        "The order with this number (e.g. MP-7KQ2M4XD; case, spaces and look-alike characters do not matter; a sub-order's number finds its order), seen as `order(id)` shows it: buyer own, admin any, seller one with its sub-order. Someone else's and none answer the same: null.",
    })
    async orderByNumber(
      @Arg('number', () => String) number: string,
      @Ctx() ctx: RequestContext,
    ): Promise<OrderNode | null> {
      const typed = ctx.actor ? normalizeOrderNumber(number) : null;
      if (!typed) return null;
      const orderNumber = typed.subOrder ? typed.number.replace(/-\d+$/, '') : typed.number;
      const id = await idByNumber(ctx.em, 'orders', orderNumber);
      return id ? viewOrder(ctx, await loadOrder(ctx, id)) : null;
    }

    @Query(() => SubOrderNode, {
      nullable: true,
      description:
        "The sub-order with this number (e.g. MP-7KQ2M4XD-2): seller its own, buyer of its order, admin any. Someone else's and none answer the same: null.",
    })
    async subOrderByNumber(
      @Arg('number', () => String) number: string,
      @Ctx() ctx: RequestContext,
    ): Promise<SubOrderNode | null> {
      const typed = ctx.actor ? normalizeOrderNumber(number) : null;
      if (!typed?.subOrder) return null;
      const id = await idByNumber(ctx.em, 'sub_order', typed.number);
      return id ? viewSubOrder(ctx, id) : null;
    }

    @Query(() => OrderConnection, { description: "The caller's orders, newest first." })
    async myOrders(
      @Arg('first', () => Int, { defaultValue: 20 }) first: number,
      @Arg('after', () => String, { nullable: true }) after: string | null,
      @Ctx() ctx: RequestContext,
    ): Promise<OrderConnection> {
      const empty = Object.assign(new OrderConnection(), { nodes: [], endCursor: null, hasNextPage: false });
      if (!ctx.actor) return empty;
      const n = clampFirst(first);
      const rows = await ordersOfBuyer(ctx.em, ctx.actor.userId, n, decodeCursor(after));
      const page = rows.slice(0, n);
      const last = page.at(-1);
      return Object.assign(new OrderConnection(), {
        nodes: page.map((o) => OrderNode.of(o, o.subOrders)),
        endCursor: last ? encodeCursor({ createdAt: last.createdAt.toISOString(), id: last.id }) : null,
        hasNextPage: rows.length > n,
      });
    }

    @Query(() => SubOrderConnection, { description: 'Seller: its sub-orders, newest first.' })
    async sellerSubOrders(
      @Arg('status', () => SubOrderStatusEnum, { nullable: true }) status: SubOrderStatus | null,
      @Arg('first', () => Int, { defaultValue: 20 }) first: number,
      @Arg('after', () => String, { nullable: true }) after: string | null,
      @Ctx() ctx: RequestContext,
    ): Promise<SubOrderConnection> {
      const sellerId = ctx.actor?.role === 'seller' ? ctx.actor.sellerId : null;
      if (!sellerId)
        return Object.assign(new SubOrderConnection(), { nodes: [], endCursor: null, hasNextPage: false });
      const n = clampFirst(first);
      const { rows, orders } = await subOrdersOfSeller(
        ctx.em,
        sellerId,
        status ?? null,
        n,
        decodeCursor(after),
      );
      const byId = new Map(orders.map((o) => [o.id, o]));
      const page = rows.slice(0, n);
      const nodes = page.flatMap((r) => {
        const order = byId.get(r.order_id);
        const sub = order?.subOrders.find((s) => s.id === r.id);
        return order && sub ? [SubOrderNode.of(order, sub)] : [];
      });
      const last = page.at(-1);
      return Object.assign(new SubOrderConnection(), {
        nodes,
        endCursor: last
          ? encodeCursor({ createdAt: new Date(last.created_at).toISOString(), id: last.id })
          : null,
        hasNextPage: rows.length > n,
      });
    }

    @Mutation(() => OrderResult, {
      description: 'Buyer (own) or admin: cancel before shipping. A paid order is refunded in full.',
    })
    async cancelOrder(
      @Arg('orderId', () => ID) orderId: string,
      @Arg('reason', () => String, { nullable: true }) reason: string | null,
      @Ctx() ctx: RequestContext,
    ): Promise<typeof OrderResult> {
      const r = await cancelOrder(
        { orderId, reason: reason?.trim() || 'Cancelled by the buyer' },
        uc.forRequest(ctx),
      );
      if (!r.ok) return ErrorResult.of(r.error);
      return Object.assign(new OrderPayload(), {
        order: OrderNode.of(r.value, visibleSubOrders(ctx.actor, r.value)),
      });
    }

    @Mutation(() => RefundRequestResult, {
      description: 'Buyer: ask for a refund of lines of one sub-order.',
    })
    async requestRefund(
      @Arg('input', () => RequestRefundInput) input: RequestRefundInput,
      @Ctx() ctx: RequestContext,
    ): Promise<typeof RefundRequestResult> {
      return presentRefund(await requestRefund(input, uc.forRequest(ctx)));
    }

    @Mutation(() => RefundRequestResult, {
      description: 'Seller of the sub-order or admin: approve; payments refunds.',
    })
    async approveRefund(
      @Arg('refundRequestId', () => ID) refundRequestId: string,
      @Ctx() ctx: RequestContext,
    ): Promise<typeof RefundRequestResult> {
      return presentRefund(await decideRefund({ refundRequestId, approve: true }, uc.forRequest(ctx)));
    }

    @Mutation(() => RefundRequestResult, {
      description: 'Seller of the sub-order or admin: reject with a reason.',
    })
    async rejectRefund(
      @Arg('refundRequestId', () => ID) refundRequestId: string,
      @Arg('reason', () => String) reason: string,
      @Ctx() ctx: RequestContext,
    ): Promise<typeof RefundRequestResult> {
      return presentRefund(
        await decideRefund({ refundRequestId, approve: false, reason }, uc.forRequest(ctx)),
      );
    }
  }

  function presentRefund(r: Awaited<ReturnType<typeof decideRefund>>): typeof RefundRequestResult {
    if (!r.ok) return ErrorResult.of(r.error);
    return Object.assign(new RefundRequestPayload(), {
      refundRequest: RefundRequestNode.of(r.value.order, r.value.request),
    });
  }

  return OrderResolver;
}
