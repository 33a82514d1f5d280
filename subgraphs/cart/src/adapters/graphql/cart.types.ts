// type-graphql reads decorator metadata through this polyfill.
import 'reflect-metadata';
import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';
import { graphqlEnum, resultUnion, MoneyType as Money } from '@marketplace/platform';
import type { PricedCart } from '../../domain/cart-pricing.js';
import { UNAVAILABLE_REASON, type UnavailableReason } from '../../domain/catalog-item.js';

export const CartLineUnavailableReason = graphqlEnum(UNAVAILABLE_REASON, {
  description: 'Why a cart line cannot be bought right now.',
});

/** The products subgraph owns variants; the cart only points at them by id. */
@Directive('@key(fields: "id", resolvable: false)')
@ObjectType('Variant')
export class VariantRef {
  @Field(() => ID)
  id!: string;
}

// Shareable: the coupons subgraph reads lines (id, sellerId, quantity, unitPrice) to price
// the cart through @requires.
@Directive('@shareable')
@ObjectType('CartLine', { description: 'Units of one variant in a cart, priced at the current price.' })
export class CartLineNode {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  sku!: string;

  @Field(() => ID)
  variantId!: string;

  @Field(() => ID)
  productId!: string;

  @Field(() => ID)
  sellerId!: string;

  @Field(() => String, { nullable: true, description: 'Null once the catalog no longer knows the product.' })
  productName!: string | null;

  @Field(() => String, { nullable: true })
  variantName!: string | null;

  @Field(() => Int)
  quantity!: number;

  @Field(() => Money, { description: 'The current unit price, read from the catalog on every view.' })
  unitPrice!: Money;

  @Field(() => Money, { description: 'The unit price the buyer saw when adding (or last acknowledged).' })
  priceWhenAdded!: Money;

  @Field(() => Boolean, { description: 'The current price differs from priceWhenAdded.' })
  priceChanged!: boolean;

  @Field(() => Boolean, {
    description: 'False when the line cannot be bought now; it is left out of the subtotal.',
  })
  available!: boolean;

  @Field(() => CartLineUnavailableReason, { nullable: true })
  unavailableReason!: UnavailableReason | null;

  @Field(() => Money, { description: 'unitPrice × quantity.' })
  lineTotal!: Money;

  @Field(() => VariantRef, {
    nullable: true,
    description: 'The variant, completed by the products subgraph.',
  })
  variant!: VariantRef | null;

  @Field(() => String, { description: 'ISO-8601 timestamp.' })
  addedAt!: string;
}

@Directive('@key(fields: "id")')
@ObjectType('Cart', { description: "A buyer's or a guest's cart. One currency per cart." })
export class CartNode {
  @Field(() => ID)
  id!: string;

  @Field(() => [CartLineNode])
  lines!: CartLineNode[];

  @Field(() => [String], { description: 'Coupon codes to apply; the coupons subgraph prices them.' })
  couponCodes!: string[];

  @Field(() => String, {
    nullable: true,
    description: 'Set by the first line; null while the cart is empty.',
  })
  currency!: string | null;

  @Field(() => Money, {
    nullable: true,
    description: 'Sum of the available lines; null while the cart is empty.',
  })
  subtotal!: Money | null;

  @Field(() => Int, { description: 'Units in the cart.' })
  itemCount!: number;

  @Field(() => Boolean, { description: 'Some line changed price since the buyer saw it.' })
  hasPriceChanges!: boolean;

  @Field(() => Boolean)
  isGuest!: boolean;

  @Field(() => Int, { description: 'Incremented by every change.' })
  version!: number;

  @Field(() => String, { description: 'ISO-8601: when the cart expires unless it changes before.' })
  expiresAt!: string;

  @Field(() => String, { description: 'ISO-8601 timestamp.' })
  updatedAt!: string;
}

@ObjectType({ description: 'The cart after a successful change.' })
export class CartPayload {
  @Field(() => CartNode)
  cart!: CartNode;

  @Field(() => String, {
    nullable: true,
    description:
      'Set only when this call opened a guest cart: keep it and pass it as guestToken to address the cart.',
  })
  guestToken!: string | null;
}

export const CartResult = resultUnion(CartPayload, {
  name: 'CartResult',
  description: 'The changed cart, or why nothing was changed.',
});

@ObjectType({ description: 'A guest line that did not fit into the buyer’s cart.' })
export class SkippedCartLine {
  @Field(() => String)
  sku!: string;

  @Field(() => ID)
  variantId!: string;

  @Field(() => String, { description: 'MAX_ITEMS_EXCEEDED or CURRENCY_MISMATCH.' })
  reason!: string;
}

@ObjectType({ description: 'The buyer’s cart after taking over a guest cart.' })
export class MergeCartPayload {
  @Field(() => CartNode)
  cart!: CartNode;

  @Field(() => Boolean, { description: 'This guest cart had already been merged: nothing changed.' })
  alreadyMerged!: boolean;

  @Field(() => Int, { description: 'Guest lines added to or summed into the buyer’s cart.' })
  mergedLines!: number;

  @Field(() => [SkippedCartLine])
  skipped!: SkippedCartLine[];
}

export const MergeCartResult = resultUnion(MergeCartPayload, { name: 'MergeCartResult' });

/** The GraphQL shape of a priced cart. */
export function toCartNode(priced: PricedCart): CartNode {
  return Object.assign(new CartNode(), {
    id: priced.id,
    couponCodes: priced.couponCodes,
    currency: priced.currency,
    subtotal: priced.subtotal,
    itemCount: priced.itemCount,
    hasPriceChanges: priced.hasPriceChanges,
    isGuest: priced.buyerId === null,
    version: priced.version,
    expiresAt: priced.expiresAt,
    updatedAt: priced.updatedAt,
    lines: priced.lines.map((line) =>
      Object.assign(new CartLineNode(), {
        id: line.id,
        sku: line.sku,
        variantId: line.variantId,
        productId: line.productId,
        sellerId: line.sellerId,
        productName: line.productName,
        variantName: line.variantName,
        quantity: line.quantity,
        unitPrice: line.unitPrice,
        priceWhenAdded: line.priceWhenAdded,
        priceChanged: line.priceChanged,
        available: line.available,
        unavailableReason: line.unavailableReason,
        lineTotal: line.lineTotal,
        variant: Object.assign(new VariantRef(), { id: line.variantId }),
        addedAt: line.addedAt,
      }),
    ),
  });
}
