// type-graphql reads decorator metadata through this polyfill.
import 'reflect-metadata';
import { Directive, Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { MoneyType as Money, graphqlEnum, resultUnion } from '@marketplace/platform';
import {
  subOrderDiscount,
  subOrderSubtotal,
  subOrderTotal,
  type Order,
  type OrderLine,
  type RefundRequest,
  type SubOrder,
} from '../../domain/order.js';
import {
  ORDER_STATUS,
  REFUND_STATUS,
  SUB_ORDER_STATUS,
  type OrderStatus,
  type RefundStatus,
  type SubOrderStatus,
} from '../../domain/order-status.js';

export const OrderStatusEnum = graphqlEnum(ORDER_STATUS, {
  description: 'PENDING -> CONFIRMED -> PAID -> SHIPPED -> COMPLETED; CANCELLED, REFUNDED, FAILED.',
});
export const SubOrderStatusEnum = graphqlEnum(SUB_ORDER_STATUS, {
  description: "One seller's part of an order.",
});
export const RefundStatusEnum = graphqlEnum(REFUND_STATUS);

@Directive('@key(fields: "id", resolvable: false)')
@ObjectType('Seller', { description: 'The store selling a sub-order (owned by the accounts subgraph).' })
export class SellerRef {
  @Field(() => ID)
  id!: string;
}

@ObjectType('OrderAddress', { description: 'Where the order ships.' })
export class AddressNode {
  @Field(() => String) fullName!: string;
  @Field(() => String) line1!: string;
  @Field(() => String, { nullable: true }) line2!: string | null;
  @Field(() => String) city!: string;
  @Field(() => String, { nullable: true }) region!: string | null;
  @Field(() => String) postalCode!: string;
  @Field(() => String) country!: string;
  @Field(() => String, { nullable: true }) phone!: string | null;
}

@ObjectType('OrderLine', { description: 'A line as priced at checkout.' })
export class OrderLineNode {
  @Field(() => ID) id!: string;
  @Field(() => String) sku!: string;
  @Field(() => ID) variantId!: string;
  @Field(() => ID) productId!: string;
  @Field(() => ID) sellerId!: string;
  @Field(() => String) productName!: string;
  @Field(() => String, { nullable: true }) variantName!: string | null;
  @Field(() => Int) quantity!: number;
  @Field(() => Money) unitPrice!: Money;
  @Field(() => Money, { description: 'Coupon discount on this line.' }) discount!: Money;
  @Field(() => Money, { description: 'unitPrice x quantity - discount.' }) total!: Money;

  static of(line: OrderLine, currency: string): OrderLineNode {
    const money = (amount: number) => Money.of({ amount, currency });
    return Object.assign(new OrderLineNode(), {
      ...line,
      id: line.lineId,
      unitPrice: money(line.unitPrice),
      discount: money(line.discount),
      total: money(line.unitPrice * line.quantity - line.discount),
    });
  }
}

@ObjectType('OrderTimelineEntry')
export class TimelineEntryNode {
  @Field(() => String) at!: string;
  @Field(() => String) status!: string;
  @Field(() => String, { nullable: true }) note!: string | null;
}

@ObjectType('OrderCancellation')
export class CancellationNode {
  @Field(() => String) code!: string;
  @Field(() => String) message!: string;
}

@ObjectType('RefundLine')
export class RefundLineNode {
  @Field(() => ID) lineId!: string;
  @Field(() => String) sku!: string;
  @Field(() => Int) quantity!: number;
  @Field(() => Money) amount!: Money;
}

@ObjectType('RefundRequest', { description: 'A refund of lines of one sub-order.' })
export class RefundRequestNode {
  @Field(() => ID) id!: string;
  @Field(() => ID) orderId!: string;
  @Field(() => ID) subOrderId!: string;
  @Field(() => ID) sellerId!: string;
  @Field(() => RefundStatusEnum) status!: RefundStatus;
  @Field(() => [RefundLineNode]) lines!: RefundLineNode[];
  @Field(() => Money, { description: "Included only when the request refunds the sub-order's last units." })
  shipping!: Money;
  @Field(() => Money) amount!: Money;
  @Field(() => String) reason!: string;
  @Field(() => String) requestedAt!: string;
  @Field(() => String, { nullable: true }) decidedAt!: string | null;
  @Field(() => String, { nullable: true }) rejectionReason!: string | null;

  static of(order: Order, r: RefundRequest): RefundRequestNode {
    const money = (amount: number) => Money.of({ amount, currency: order.currency });
    return Object.assign(new RefundRequestNode(), {
      ...r,
      orderId: order.id,
      lines: r.lines.map((l) => Object.assign(new RefundLineNode(), { ...l, amount: money(l.amount) })),
      shipping: money(r.shippingAmount),
      amount: money(r.amount),
    });
  }
}

@Directive('@key(fields: "id")')
@ObjectType('SubOrder', { description: "One seller's part of an order." })
export class SubOrderNode {
  @Field(() => ID) id!: string;
  @Field(() => String, { description: "The order's number and the sub-order's place, e.g. MP-7KQ2M4XD-2." })
  number!: string;
  @Field(() => ID) orderId!: string;
  @Field(() => String, { description: "The order's number, e.g. MP-7KQ2M4XD." })
  orderNumber!: string;
  @Field(() => ID) sellerId!: string;
  @Field(() => SellerRef) seller!: SellerRef;
  @Field(() => SubOrderStatusEnum) status!: SubOrderStatus;
  @Field(() => [OrderLineNode]) lines!: OrderLineNode[];
  @Field(() => Money) subtotal!: Money;
  @Field(() => Money) shipping!: Money;
  @Field(() => Money, { description: 'Line discounts plus shipping discount.' }) discount!: Money;
  @Field(() => Money) total!: Money;
  @Field(() => String) createdAt!: string;

  static of(order: Order, s: SubOrder): SubOrderNode {
    const money = (amount: number) => Money.of({ amount, currency: order.currency });
    return Object.assign(new SubOrderNode(), {
      id: s.id,
      number: s.number,
      orderId: order.id,
      orderNumber: order.number,
      sellerId: s.sellerId,
      seller: Object.assign(new SellerRef(), { id: s.sellerId }),
      status: s.status,
      lines: s.lines.map((l) => OrderLineNode.of(l, order.currency)),
      subtotal: money(subOrderSubtotal(s)),
      shipping: money(s.shipping),
      discount: money(subOrderDiscount(s)),
      total: money(subOrderTotal(s)),
      createdAt: order.createdAt.toISOString(),
    });
  }
}

@Directive('@key(fields: "id")')
@ObjectType('Order', {
  description: 'An order. A seller reading it sees only its own sub-orders, and totals over those.',
})
export class OrderNode {
  @Field(() => ID) id!: string;
  @Field(() => String, {
    description:
      'What buyers, sellers and support call the order, e.g. MP-7KQ2M4XD: unique, assigned once when the order is created. Find it with `orderByNumber`.',
  })
  number!: string;
  @Field(() => ID) buyerId!: string;
  @Field(() => OrderStatusEnum) status!: OrderStatus;
  @Field(() => String) currency!: string;
  @Field(() => Money) subtotal!: Money;
  @Field(() => Money) shippingTotal!: Money;
  @Field(() => Money) discountTotal!: Money;
  @Field(() => Money) total!: Money;
  @Field(() => [SubOrderNode]) subOrders!: SubOrderNode[];
  @Field(() => [OrderLineNode]) lines!: OrderLineNode[];
  @Field(() => AddressNode) shippingAddress!: AddressNode;
  @Field(() => CancellationNode, { nullable: true }) cancellation!: CancellationNode | null;
  @Field(() => [TimelineEntryNode]) timeline!: TimelineEntryNode[];
  @Field(() => [RefundRequestNode]) refundRequests!: RefundRequestNode[];
  @Field(() => String, { nullable: true }) paidAt!: string | null;
  @Field(() => String) createdAt!: string;
  @Field(() => Int) version!: number;

  /** `subs`: the sub-orders the caller may see; totals are summed over them. */
  static of(order: Order, subs: SubOrder[]): OrderNode {
    const money = (amount: number) => Money.of({ amount, currency: order.currency });
    const total = (f: (s: SubOrder) => number) => money(subs.reduce((a, s) => a + f(s), 0));
    const ids = new Set(subs.map((s) => s.id));
    return Object.assign(new OrderNode(), {
      id: order.id,
      number: order.number,
      buyerId: order.buyerId,
      status: order.status,
      currency: order.currency,
      subtotal: total(subOrderSubtotal),
      shippingTotal: total((s) => s.shipping),
      discountTotal: total(subOrderDiscount),
      total: total(subOrderTotal),
      subOrders: subs.map((s) => SubOrderNode.of(order, s)),
      lines: subs.flatMap((s) => s.lines.map((l) => OrderLineNode.of(l, order.currency))),
      shippingAddress: Object.assign(new AddressNode(), order.shippingAddress),
      cancellation: order.cancellation ? Object.assign(new CancellationNode(), order.cancellation) : null,
      // A seller does not see entries about other sellers' sub-orders.
      timeline: order.timeline
        .filter((t) => !t.subOrderId || ids.has(t.subOrderId))
        .map((t) => Object.assign(new TimelineEntryNode(), { at: t.at, status: t.status, note: t.note })),
      refundRequests: order.refundRequests
        .filter((r) => ids.has(r.subOrderId))
        .map((r) => RefundRequestNode.of(order, r)),
      paidAt: order.paidAt ? order.paidAt.toISOString() : null,
      createdAt: order.createdAt.toISOString(),
      version: order.version,
    });
  }
}

@ObjectType('OrderConnection', { description: 'A page of orders, newest first.' })
export class OrderConnection {
  @Field(() => [OrderNode]) nodes!: OrderNode[];
  @Field(() => String, { nullable: true, description: 'Pass as `after` for the next page.' })
  endCursor!: string | null;
  @Field(() => Boolean) hasNextPage!: boolean;
}

@ObjectType('SubOrderConnection', { description: 'A page of sub-orders, newest first.' })
export class SubOrderConnection {
  @Field(() => [SubOrderNode]) nodes!: SubOrderNode[];
  @Field(() => String, { nullable: true }) endCursor!: string | null;
  @Field(() => Boolean) hasNextPage!: boolean;
}

@InputType('RefundLineInput')
export class RefundLineInput {
  @Field(() => ID) lineId!: string;
  @Field(() => Int) quantity!: number;
}

@InputType('RequestRefundInput')
export class RequestRefundInput {
  @Field(() => ID) orderId!: string;
  @Field(() => ID) subOrderId!: string;
  @Field(() => [RefundLineInput]) lines!: RefundLineInput[];
  @Field(() => String) reason!: string;
}

@ObjectType('OrderPayload')
export class OrderPayload {
  @Field(() => OrderNode) order!: OrderNode;
}

@ObjectType('RefundRequestPayload')
export class RefundRequestPayload {
  @Field(() => RefundRequestNode) refundRequest!: RefundRequestNode;
}

export const OrderResult = resultUnion(OrderPayload, { name: 'OrderResult' });
export const RefundRequestResult = resultUnion(RefundRequestPayload, { name: 'RefundRequestResult' });
