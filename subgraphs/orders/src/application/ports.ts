import type { UseCaseContext } from '@marketplace/platform';
import type { Clock } from '@marketplace/shared-kernel';
import type { Cancellation, Order } from '../domain/order.js';

export interface OrderRepository {
  /** Loads and row-locks the order for the rest of the transaction. */
  byIdForUpdate(id: string): Promise<Order | null>;
  /** The order holding a refund request, row-locked. */
  byRefundRequestForUpdate(refundRequestId: string): Promise<Order | null>;
  /** Serialises create and cancel of one order id for the rest of the transaction. */
  lockId(id: string): Promise<void>;
  /** Records a cancellation that came before the order (once); the late create honours it. */
  recordEarlyCancellation(id: string, cancellation: Cancellation, at: Date): Promise<void>;
  earlyCancellation(id: string): Promise<Cancellation | null>;
  /** The next value of the order-number sequence (never handed out twice, gaps allowed). */
  nextNumberSequence(): Promise<number>;
  /** Persists the order (new or changed) and keeps the sub-order lookup in step. */
  save(order: Order): Promise<void>;
}

/** The repositories of one orders transaction (the kit adds `track` and `afterCommit`). */
export interface OrdersRepositories {
  orders: OrderRepository;
}

export interface OrderPolicy {
  refundWindowDays: number;
}

/** What every orders use case receives besides its input (declared once: ordersUseCases). */
export type OrdersContext = UseCaseContext<OrdersRepositories, { clock: Clock; policy: OrderPolicy }>;
