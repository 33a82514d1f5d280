import { Money } from '@marketplace/shared-kernel';
import type { CartLine, CartSnapshot } from './cart.js';
import {
  samePrice,
  unavailableReason,
  type CatalogItem,
  type MoneyJson,
  type UnavailableReason,
} from './catalog-item.js';

export interface PricedLine extends CartLine {
  productName: string | null;
  variantName: string | null;
  /** The current price from the catalog; the last known one when the variant is gone. */
  unitPrice: MoneyJson;
  /** The current price differs from the one the buyer saw (only for buyable lines). */
  priceChanged: boolean;
  available: boolean;
  unavailableReason: UnavailableReason | null;
  lineTotal: MoneyJson;
}

export interface PricedCart extends Omit<CartSnapshot, 'lines'> {
  lines: PricedLine[];
  /** Sum of the buyable lines, in the cart's currency; null while the cart is empty. */
  subtotal: MoneyJson | null;
  /** Units in the cart, buyable or not. */
  itemCount: number;
  hasPriceChanges: boolean;
}

/**
 * The cart as a buyer sees it now: each line priced at the catalog's current price and
 * compared with the price the buyer saw. Pure, so every view (cached cart state or fresh)
 * goes through the same rules.
 */
export function priceCart(cart: CartSnapshot, catalog: ReadonlyMap<string, CatalogItem>): PricedCart {
  const lines = cart.lines.map((line): PricedLine => {
    const item = catalog.get(line.variantId);
    const reason = unavailableReason(item, cart.currency);
    const unitPrice = item?.price ?? line.priceWhenAdded;
    const available = reason === null;
    return {
      ...line,
      productName: item?.productName ?? null,
      variantName: item?.variantName ?? null,
      unitPrice: { ...unitPrice },
      priceChanged: available && !samePrice(unitPrice, line.priceWhenAdded),
      available,
      unavailableReason: reason,
      lineTotal: Money.from(unitPrice.amount, unitPrice.currency).multiply(line.quantity).toJSON(),
    };
  });
  const subtotal =
    cart.currency === null
      ? null
      : lines
          .filter((l) => l.available)
          .reduce(
            (sum, l) => sum.add(Money.from(l.lineTotal.amount, l.lineTotal.currency)),
            Money.zero(cart.currency),
          )
          .toJSON();
  return {
    ...cart,
    lines,
    subtotal,
    itemCount: lines.reduce((n, l) => n + l.quantity, 0),
    hasPriceChanges: lines.some((l) => l.priceChanged),
  };
}
