// type-graphql reads decorator metadata through this polyfill.
import 'reflect-metadata';
import {
  Arg,
  Ctx,
  FieldResolver,
  ID,
  Int,
  Mutation,
  Query,
  Resolver,
  Root,
  type NonEmptyArray,
} from 'type-graphql';
import type { Result } from '@marketplace/shared-kernel';
import {
  ErrorResult,
  MoneyType,
  type ReferenceResolver,
  type RequestContext,
  type UseCases,
} from '@marketplace/platform';
import type { Shipment, ShipmentStatus } from '../../domain/shipment.js';
import type { ShippingContext } from '../../application/ports.js';
import type { ShippingRate } from '../../domain/rates.js';
import { canSee } from '../../application/access.js';
import { confirmDelivery, dispatchShipment } from '../../application/shipments.js';
import { setShippingRate } from '../../application/quotes.js';
import {
  listRates,
  shipmentsByIds,
  shipmentsByOrderIds,
  shipmentsBySubOrderIds,
  shipmentsOfSeller,
} from '../persistence/shipping-store.js';
import {
  OrderRef,
  SetShippingRateInput,
  ShipmentNode,
  ShipmentPayload,
  ShipmentResult,
  ShipmentStatusEnum,
  ShippingRateNode,
  ShippingRatePayload,
  ShippingRateResult,
  SubOrderRef,
} from './shipping.types.js';

/** Batched per request: every lookup of one kind in one SQL query. */
function loadBy(
  ctx: RequestContext,
  name: string,
  query: (em: RequestContext['em'], keys: readonly string[]) => Promise<Shipment[]>,
  keyOf: (s: Shipment) => string,
  key: string,
): Promise<Shipment[]> {
  return ctx.loaders
    .get<string, Shipment[]>(name, async (keys) => {
      const rows = await query(ctx.em, keys);
      return keys.map((k) => rows.filter((r) => keyOf(r) === k));
    })
    .load(key.toLowerCase())
    .then((rows) => (rows ?? []).filter((s) => canSee(ctx.actor, s)));
}

const byId = (ctx: RequestContext, id: string) =>
  loadBy(ctx, 'shipmentById', shipmentsByIds, (s) => s.id, id).then((r) => r[0] ?? null);

export const shipmentReference: ReferenceResolver<ShipmentNode> = async (reference, ctx) => {
  const found = await byId(ctx, String(reference.id));
  return found ? ShipmentNode.of(found) : null;
};

export const subOrderReference: ReferenceResolver<SubOrderRef> = (reference) =>
  Object.assign(new SubOrderRef(), { id: String(reference.id) });

export const orderReference: ReferenceResolver<OrderRef> = (reference) =>
  Object.assign(new OrderRef(), { id: String(reference.id) });

const rateNode = (r: ShippingRate) =>
  Object.assign(new ShippingRateNode(), {
    country: r.country,
    service: r.service,
    maxWeightGrams: r.maxWeightGrams,
    amount: MoneyType.of({ amount: r.amount, currency: r.currency }),
  });

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export function createShippingResolvers(uc: UseCases<ShippingContext>): NonEmptyArray<Function> {
  const shipmentResult = async (run: Promise<Result<Shipment>>): Promise<typeof ShipmentResult> => {
    const r = await run;
    if (!r.ok) return ErrorResult.of(r.error);
    return Object.assign(new ShipmentPayload(), { shipment: ShipmentNode.of(r.value) });
  };

  @Resolver(() => SubOrderRef)
  class SubOrderShipmentResolver {
    @FieldResolver(() => ShipmentNode, {
      nullable: true,
      description: 'Null until the order is paid, or when the caller may not see it.',
    })
    async shipment(@Root() subOrder: SubOrderRef, @Ctx() ctx: RequestContext): Promise<ShipmentNode | null> {
      const rows = await loadBy(
        ctx,
        'shipmentBySubOrder',
        shipmentsBySubOrderIds,
        (s) => s.subOrderId,
        subOrder.id,
      );
      return rows[0] ? ShipmentNode.of(rows[0]) : null;
    }
  }

  @Resolver(() => OrderRef)
  class OrderShipmentsResolver {
    @FieldResolver(() => [ShipmentNode], {
      description: "The order's parcels the caller may see (a seller only its own).",
    })
    async shipments(@Root() order: OrderRef, @Ctx() ctx: RequestContext): Promise<ShipmentNode[]> {
      const rows = await loadBy(ctx, 'shipmentsByOrder', shipmentsByOrderIds, (s) => s.orderId, order.id);
      return rows.map((s) => ShipmentNode.of(s));
    }
  }

  @Resolver(() => ShipmentNode)
  class ShipmentResolver {
    @Query(() => ShipmentNode, { nullable: true, description: 'A shipment the caller may see, else null.' })
    async shipment(
      @Arg('id', () => ID) id: string,
      @Ctx() ctx: RequestContext,
    ): Promise<ShipmentNode | null> {
      const found = await byId(ctx, id);
      return found ? ShipmentNode.of(found) : null;
    }

    @Query(() => [ShipmentNode], { description: "Seller: the calling seller's shipments, newest first." })
    async myShipments(
      @Arg('status', () => ShipmentStatusEnum, { nullable: true }) status: ShipmentStatus | null,
      @Arg('first', () => Int, { defaultValue: 50 }) first: number,
      @Ctx() ctx: RequestContext,
    ): Promise<ShipmentNode[]> {
      const sellerId = ctx.actor?.role === 'seller' ? ctx.actor.sellerId : null;
      if (!sellerId) return [];
      const rows = await shipmentsOfSeller(ctx.em, sellerId, status, Math.min(Math.max(first, 1), 200));
      return rows.map((s) => ShipmentNode.of(s));
    }

    @Mutation(() => ShipmentResult, { description: 'Seller: the parcel left with a carrier.' })
    dispatchShipment(
      @Arg('shipmentId', () => ID) shipmentId: string,
      @Arg('carrier', () => String) carrier: string,
      @Arg('trackingNumber', () => String) trackingNumber: string,
      @Ctx() ctx: RequestContext,
    ) {
      return shipmentResult(dispatchShipment({ shipmentId, carrier, trackingNumber }, uc.forRequest(ctx)));
    }

    @Mutation(() => ShipmentResult, { description: 'Seller of the shipment or admin: the parcel arrived.' })
    confirmDelivery(@Arg('shipmentId', () => ID) shipmentId: string, @Ctx() ctx: RequestContext) {
      return shipmentResult(confirmDelivery(shipmentId, uc.forRequest(ctx)));
    }
  }

  @Resolver(() => ShippingRateNode)
  class RateResolver {
    @Query(() => [ShippingRateNode], {
      description: 'Public rate table; with a country, its own rows and the rest-of-world (*) rows.',
    })
    async shippingRates(
      @Arg('country', () => String, { nullable: true }) country: string | null,
      @Arg('currency', () => String, { nullable: true }) currency: string | null,
      @Ctx() ctx: RequestContext,
    ): Promise<ShippingRateNode[]> {
      const rates = await listRates(ctx.em, {
        country: country?.trim().toUpperCase() || null,
        currency: currency?.trim().toUpperCase() || null,
      });
      return rates.map(rateNode);
    }

    @Mutation(() => ShippingRateResult, { description: 'Admin: set the price of one weight bracket.' })
    async setShippingRate(
      @Arg('input', () => SetShippingRateInput) input: SetShippingRateInput,
      @Ctx() ctx: RequestContext,
    ): Promise<typeof ShippingRateResult> {
      const r = await setShippingRate(
        {
          country: input.country,
          currency: input.amount.currency,
          service: input.service,
          maxWeightGrams: input.maxWeightGrams,
          amount: input.amount.amount,
        },
        uc.forRequest(ctx),
      );
      if (!r.ok) return ErrorResult.of(r.error);
      return Object.assign(new ShippingRatePayload(), { rate: rateNode(r.value) });
    }
  }

  return [SubOrderShipmentResolver, OrderShipmentsResolver, ShipmentResolver, RateResolver];
}
