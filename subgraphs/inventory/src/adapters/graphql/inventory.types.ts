// type-graphql reads decorator metadata through this polyfill.
import 'reflect-metadata';
import { Directive, Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { graphqlEnum, resultUnion } from '@marketplace/platform';
import type { StockItem } from '../../domain/stock-item.js';
import {
  RESERVATION_KIND,
  RESERVATION_STATUS,
  type ReservationKind,
  type ReservationStatus,
} from '../../domain/reservation.js';

// Stock moves with every order: anonymous answers are cached by the gateway for seconds only.
@Directive('@cacheControl(maxAge: 5)')
@ObjectType('Stock', {
  description: "Stock of one variant. Buyers see availability; the variant's seller also the counts.",
})
export class StockNode {
  @Field(() => Int, { description: 'Units a buyer can order now.' })
  available!: number;

  @Field(() => Boolean)
  inStock!: boolean;

  @Field(() => Int, { nullable: true, description: "Counted units; only for the variant's seller." })
  onHand!: number | null;

  @Field(() => Int, {
    nullable: true,
    description: "Units held by carts and checkouts; only for the variant's seller.",
  })
  reserved!: number | null;

  @Field(() => Int, {
    nullable: true,
    description: "Units promised to placed orders; only for the variant's seller.",
  })
  committed!: number | null;
}

/** Inventory's view of the catalog's variant: it contributes `stock`. */
@Directive('@key(fields: "id")')
@Directive('@cacheControl(maxAge: 5)')
@ObjectType('Variant')
export class VariantRef {
  @Field(() => ID)
  id!: string;

  /** Loaded with the reference, batched; not a GraphQL field. */
  item?: StockItem | null;
}

/** Inventory's view of the catalog's product: it contributes `inStock`. */
@Directive('@key(fields: "id")')
@Directive('@cacheControl(maxAge: 5)')
@ObjectType('Product')
export class ProductRef {
  @Field(() => ID)
  id!: string;

  /** Loaded with the reference, batched; not a GraphQL field. */
  inStock?: boolean | null;
}

@ObjectType('StockItem', { description: "A seller's view of the stock of one of its SKUs." })
export class StockItemNode {
  @Field(() => String)
  sku!: string;

  @Field(() => VariantRef)
  variant!: VariantRef;

  @Field(() => ProductRef)
  product!: ProductRef;

  @Field(() => Int, { description: 'Counted units: available + reserved + committed.' })
  onHand!: number;

  @Field(() => Int)
  available!: number;

  @Field(() => Int)
  reserved!: number;

  @Field(() => Int)
  committed!: number;

  @Field(() => Int, { description: 'Incremented by every change.' })
  version!: number;

  @Field(() => String, { description: 'ISO-8601 timestamp.' })
  updatedAt!: string;
}

@ObjectType('StockItemPage', { description: 'One page of SKUs, in SKU order.' })
export class StockItemPage {
  @Field(() => [StockItemNode])
  items!: StockItemNode[];

  @Field(() => String, { nullable: true, description: 'Pass as `after` for the next page.' })
  endCursor!: string | null;

  @Field(() => Boolean)
  hasNextPage!: boolean;
}

@ObjectType('StockItemPayload', { description: 'The SKU after a successful change.' })
export class StockItemPayload {
  @Field(() => StockItemNode)
  stockItem!: StockItemNode;
}

export const StockItemResult = resultUnion(StockItemPayload, {
  name: 'StockItemResult',
  description: 'The changed SKU, or why nothing was changed.',
});

@InputType()
export class AdjustStockInput {
  @Field(() => String)
  sku!: string;

  @Field(() => Int, { description: 'Units to add (positive) or remove (negative).' })
  delta!: number;

  @Field(() => String)
  reason!: string;
}

@InputType()
export class SetStockInput {
  @Field(() => String)
  sku!: string;

  @Field(() => Int, { description: 'The counted units; not below what is reserved or committed.' })
  onHand!: number;
}

export const StockReservationStatus = graphqlEnum(RESERVATION_STATUS, { name: 'StockReservationStatus' });

export const StockReservationKind = graphqlEnum(RESERVATION_KIND, {
  name: 'StockReservationKind',
  description: 'FIRM: all or nothing (checkout). SOFT: a cart hold that keeps what is available.',
});

@ObjectType('StockReservationLine')
export class StockReservationLineNode {
  @Field(() => String)
  sku!: string;

  @Field(() => VariantRef)
  variant!: VariantRef;

  @Field(() => Int, { description: 'Units asked for.' })
  requested!: number;

  @Field(() => Int, { description: 'Units held (or committed, or that were held before release).' })
  quantity!: number;
}

@ObjectType('StockReservation', { description: 'Units of stock held for a checkout or a cart.' })
export class StockReservationNode {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { description: "The caller's idempotency key, e.g. checkout:<id> or cart:<id>." })
  reference!: string;

  @Field(() => StockReservationKind)
  kind!: ReservationKind;

  @Field(() => StockReservationStatus)
  status!: ReservationStatus;

  @Field(() => String, { description: 'ISO-8601; a HELD reservation is released after this.' })
  expiresAt!: string;

  @Field(() => [StockReservationLineNode])
  lines!: StockReservationLineNode[];
}

@ObjectType('StockReservationPayload')
export class StockReservationPayload {
  @Field(() => StockReservationNode)
  reservation!: StockReservationNode;
}

export const StockReservationResult = resultUnion(StockReservationPayload, {
  name: 'StockReservationResult',
  description: 'The reservation, or why nothing was changed.',
});

@InputType()
export class StockReservationLineInput {
  @Field(() => String)
  sku!: string;

  @Field(() => Int)
  quantity!: number;
}

@InputType()
export class ReserveStockInput {
  @Field(() => String, { description: 'Idempotency key: repeating it answers with the same reservation.' })
  reference!: string;

  @Field(() => [StockReservationLineInput])
  lines!: StockReservationLineInput[];

  @Field(() => Int, { description: 'Seconds until the hold is released unless committed.' })
  ttlSeconds!: number;
}
