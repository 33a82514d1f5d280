// type-graphql reads decorator metadata through this polyfill.
import 'reflect-metadata';
import { Directive, Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { MoneyInput, MoneyType, graphqlEnum, resultUnion } from '@marketplace/platform';
import { SHIPMENT_STATUS, type Shipment, type ShipmentStatus } from '../../domain/shipment.js';
import { SHIPPING_SERVICE, type ShippingService } from '../../domain/rates.js';

export const ShipmentStatusEnum = graphqlEnum(SHIPMENT_STATUS);
export const ShippingServiceEnum = graphqlEnum(SHIPPING_SERVICE);

@ObjectType('ShipmentTimelineEntry')
export class ShipmentTimelineEntryNode {
  @Field(() => String, { description: 'ISO-8601 instant.' })
  at!: string;

  @Field(() => ShipmentStatusEnum)
  status!: ShipmentStatus;

  @Field(() => String, { nullable: true })
  note!: string | null;
}

@Directive('@key(fields: "id")')
@ObjectType('Shipment', {
  description: "The parcel of one seller's sub-order. Visible to the order's buyer, its seller and admins.",
})
export class ShipmentNode {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  orderId!: string;

  @Field(() => ID)
  subOrderId!: string;

  @Field(() => ID)
  sellerId!: string;

  @Field(() => ShipmentStatusEnum)
  status!: ShipmentStatus;

  @Field(() => String, { nullable: true })
  carrier!: string | null;

  @Field(() => String, { nullable: true })
  trackingNumber!: string | null;

  @Field(() => [ShipmentTimelineEntryNode])
  timeline!: ShipmentTimelineEntryNode[];

  @Field(() => String, { description: 'ISO-8601 instant.' })
  createdAt!: string;

  static of(s: Shipment): ShipmentNode {
    return Object.assign(new ShipmentNode(), {
      id: s.id,
      orderId: s.orderId,
      subOrderId: s.subOrderId,
      sellerId: s.sellerId,
      status: s.status,
      carrier: s.carrier,
      trackingNumber: s.trackingNumber,
      timeline: s.timeline.map((t) => Object.assign(new ShipmentTimelineEntryNode(), t)),
      createdAt: s.createdAt.toISOString(),
    });
  }
}

/** Shipping's view of the orders subgraph's sub-order: it contributes `shipment`. */
@Directive('@key(fields: "id")')
@ObjectType('SubOrder')
export class SubOrderRef {
  @Field(() => ID)
  id!: string;
}

/** Shipping's view of the orders subgraph's order: it contributes `shipments`. */
@Directive('@key(fields: "id")')
@ObjectType('Order')
export class OrderRef {
  @Field(() => ID)
  id!: string;
}

@ObjectType('ShippingRate', {
  description: 'A parcel up to maxWeightGrams to country (or * for the rest of the world).',
})
export class ShippingRateNode {
  @Field(() => String, { description: 'ISO-3166 alpha-2, or * for every country without rows of its own.' })
  country!: string;

  @Field(() => ShippingServiceEnum)
  service!: ShippingService;

  @Field(() => Int)
  maxWeightGrams!: number;

  @Field(() => MoneyType)
  amount!: MoneyType;
}

@InputType('SetShippingRateInput')
export class SetShippingRateInput {
  @Field(() => String)
  country!: string;

  @Field(() => ShippingServiceEnum)
  service!: ShippingService;

  @Field(() => Int)
  maxWeightGrams!: number;

  @Field(() => MoneyInput)
  amount!: MoneyInput;
}

@ObjectType('ShipmentPayload')
export class ShipmentPayload {
  @Field(() => ShipmentNode)
  shipment!: ShipmentNode;
}
export const ShipmentResult = resultUnion(ShipmentPayload, { name: 'ShipmentResult' });

@ObjectType('ShippingRatePayload')
export class ShippingRatePayload {
  @Field(() => ShippingRateNode)
  rate!: ShippingRateNode;
}
export const ShippingRateResult = resultUnion(ShippingRatePayload, { name: 'ShippingRateResult' });
