import type { Actor } from '@marketplace/platform';
import type { Order, SubOrder } from '../domain/order.js';

/** Buyer: own orders. Admin: all. Seller: orders with one of its sub-orders. */
export function canSeeOrder(actor: Actor | null, order: Order): boolean {
  if (!actor) return false;
  if (actor.role === 'admin') return true;
  if (actor.role === 'seller') return order.subOrders.some((s) => s.sellerId === actor.sellerId);
  return order.buyerId === actor.userId;
}

/** What of an order's sub-orders the caller sees: a seller only its own. */
export function visibleSubOrders(actor: Actor | null, order: Order): SubOrder[] {
  if (!actor || !canSeeOrder(actor, order)) return [];
  return actor.role === 'seller'
    ? order.subOrders.filter((s) => s.sellerId === actor.sellerId)
    : order.subOrders;
}

export function canSeeSubOrder(actor: Actor | null, order: Order, sub: SubOrder): boolean {
  if (!actor) return false;
  if (actor.role === 'seller') return sub.sellerId === actor.sellerId;
  return canSeeOrder(actor, order);
}

/** The seller of the sub-order, or an admin, decides on its refund requests. */
export const canDecideRefund = (actor: Actor | null, sellerId: string) =>
  !!actor && (actor.role === 'admin' || (actor.role === 'seller' && actor.sellerId === sellerId));
