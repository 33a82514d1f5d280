import { StateMachine } from '@marketplace/shared-kernel';

export type OrderStatus =
  'PENDING' | 'CONFIRMED' | 'PAID' | 'SHIPPED' | 'COMPLETED' | 'CANCELLED' | 'REFUNDED' | 'FAILED';

/**
 * The order's life, as data. CANCELLED stays CANCELLED even once a paid-then-cancelled order is
 * refunded (the refund shows on its refund requests); FAILED is kept for orders the saga gives up
 * on without a buyer-visible cancellation.
 */
export const orderMachine = new StateMachine<OrderStatus>('ORDER', {
  PENDING: ['CONFIRMED', 'CANCELLED', 'FAILED'],
  CONFIRMED: ['PAID', 'CANCELLED', 'FAILED'],
  PAID: ['SHIPPED', 'CANCELLED', 'REFUNDED'],
  SHIPPED: ['COMPLETED', 'REFUNDED'],
  COMPLETED: ['REFUNDED'],
  CANCELLED: [],
  REFUNDED: [],
  FAILED: [],
});

export type SubOrderStatus =
  'PENDING' | 'CONFIRMED' | 'PAID' | 'SHIPPED' | 'DELIVERED' | 'CANCELLED' | 'REFUNDED';

/** A partial refund does not change a sub-order's status; its lines carry the refunded units. */
export const subOrderMachine = new StateMachine<SubOrderStatus>('SUB_ORDER', {
  PENDING: ['CONFIRMED', 'CANCELLED'],
  CONFIRMED: ['PAID', 'CANCELLED'],
  PAID: ['SHIPPED', 'CANCELLED', 'REFUNDED'],
  SHIPPED: ['DELIVERED', 'REFUNDED'],
  DELIVERED: ['REFUNDED'],
  // A paid order cancelled by the buyer is refunded afterwards.
  CANCELLED: ['REFUNDED'],
  REFUNDED: [],
});

export type RefundStatus = 'REQUESTED' | 'APPROVED' | 'REJECTED' | 'COMPLETED' | 'FAILED';

export const refundMachine = new StateMachine<RefundStatus>('REFUND', {
  REQUESTED: ['APPROVED', 'REJECTED'],
  APPROVED: ['COMPLETED', 'FAILED'],
  REJECTED: [],
  COMPLETED: [],
  FAILED: [],
});
