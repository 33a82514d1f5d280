import { StateMachine, closedSet, type MemberOf } from '@marketplace/shared-kernel';

/** Declared once: the GraphQL enum and the table's CHECK derive from it (in this order). */
export const ORDER_STATUS = closedSet('OrderStatus', [
  'PENDING',
  'CONFIRMED',
  'PAID',
  'SHIPPED',
  'COMPLETED',
  'CANCELLED',
  'REFUNDED',
  'FAILED',
]);
export type OrderStatus = MemberOf<typeof ORDER_STATUS>;

/**
 * The order's life, as data. CANCELLED stays CANCELLED even once a paid-then-cancelled order is
 * refunded (the refund shows on its refund requests); FAILED is kept for orders the saga gives up
 * on without a buyer-visible cancellation.
 */
export const orderMachine = new StateMachine<OrderStatus, void, 'ORDER', never>('ORDER', {
  PENDING: ['CONFIRMED', 'CANCELLED', 'FAILED'],
  CONFIRMED: ['PAID', 'CANCELLED', 'FAILED'],
  PAID: ['SHIPPED', 'CANCELLED', 'REFUNDED'],
  SHIPPED: ['COMPLETED', 'REFUNDED'],
  COMPLETED: ['REFUNDED'],
  CANCELLED: [],
  REFUNDED: [],
  FAILED: [],
});

/** A sub-order's own status (the `sub_order` lookup table's CHECK derives from it). */
export const SUB_ORDER_STATUS = closedSet('SubOrderStatus', [
  'PENDING',
  'CONFIRMED',
  'PAID',
  'SHIPPED',
  'DELIVERED',
  'CANCELLED',
  'REFUNDED',
]);
export type SubOrderStatus = MemberOf<typeof SUB_ORDER_STATUS>;

/** A partial refund does not change a sub-order's status; its lines carry the refunded units. */
export const subOrderMachine = new StateMachine<SubOrderStatus, void, 'SUB_ORDER', never>('SUB_ORDER', {
  PENDING: ['CONFIRMED', 'CANCELLED'],
  CONFIRMED: ['PAID', 'CANCELLED'],
  PAID: ['SHIPPED', 'CANCELLED', 'REFUNDED'],
  SHIPPED: ['DELIVERED', 'REFUNDED'],
  DELIVERED: ['REFUNDED'],
  // A paid order cancelled by the buyer is refunded afterwards.
  CANCELLED: ['REFUNDED'],
  REFUNDED: [],
});

/** A refund request's status (stored inside the order's `refund_requests` document, whose CHECK derives from it). */
export const REFUND_STATUS = closedSet('RefundStatus', [
  'REQUESTED',
  'APPROVED',
  'REJECTED',
  'COMPLETED',
  'FAILED',
]);
export type RefundStatus = MemberOf<typeof REFUND_STATUS>;

export const refundMachine = new StateMachine<RefundStatus, void, 'REFUND', never>('REFUND', {
  REQUESTED: ['APPROVED', 'REJECTED'],
  APPROVED: ['COMPLETED', 'FAILED'],
  REJECTED: [],
  COMPLETED: [],
  FAILED: [],
});
