import { domainError, err, ok, type Result } from '@marketplace/shared-kernel';
import type { CartSnapshot } from './cart.js';
import { priceCart } from './cart-pricing.js';
import type { CatalogItem, MoneyJson } from './catalog-item.js';

/** One line as the checkout takes it: the cart line at the catalog's current price. */
export interface CheckoutLine {
  lineId: string;
  sku: string;
  variantId: string;
  productId: string;
  sellerId: string;
  productName: string;
  variantName: string | null;
  quantity: number;
  unitPrice: MoneyJson;
}

export interface CheckoutSnapshot {
  currency: string;
  couponCodes: string[];
  /** Never empty: an empty cart is refused (CART.EMPTY). */
  lines: [CheckoutLine, ...CheckoutLine[]];
}

export const CheckoutErrors = {
  notFound: () => domainError('CART.NOT_FOUND', 'No open cart with this id', 'cartId'),
  empty: () => domainError('CART.EMPTY', 'The cart is empty', 'cartId'),
  unavailable: (skus: string[]) =>
    domainError(
      'CART.HAS_UNAVAILABLE_LINES',
      `Remove what cannot be bought right now: ${skus.join(', ')}`,
      'cartId',
    ),
  pricesChanged: (skus: string[]) =>
    domainError(
      'CART.PRICES_CHANGED',
      `Prices changed since you added ${skus.join(', ')}: review the cart and acknowledge them`,
      'cartId',
    ),
} as const;

/**
 * What a checkout may take from the cart: an open cart of this buyer (another buyer's cart is
 * answered exactly like one that does not exist: its id tells nothing), not empty, every line
 * buyable, and no price the buyer has not seen (so the order never charges a price the buyer
 * was not shown; the buyer acknowledges and places the order again). Pure: reads nothing.
 */
export function checkoutSnapshot(
  cart: CartSnapshot | null,
  buyerId: string,
  catalog: ReadonlyMap<string, CatalogItem>,
  now: Date,
): Result<CheckoutSnapshot> {
  if (
    !cart ||
    cart.buyerId !== buyerId ||
    cart.status !== 'ACTIVE' ||
    new Date(cart.expiresAt).getTime() <= now.getTime()
  )
    return err(CheckoutErrors.notFound());
  if (cart.lines.length === 0 || cart.currency === null) return err(CheckoutErrors.empty());
  const priced = priceCart(cart, catalog);
  const unavailable = priced.lines.filter((l) => !l.available).map((l) => l.sku);
  if (unavailable.length > 0) return err(CheckoutErrors.unavailable(unavailable));
  const changed = priced.lines.filter((l) => l.priceChanged).map((l) => l.sku);
  if (changed.length > 0) return err(CheckoutErrors.pricesChanged(changed));
  const [first, ...rest] = priced.lines.map((l): CheckoutLine => ({
    lineId: l.id,
    sku: l.sku,
    variantId: l.variantId,
    productId: l.productId,
    sellerId: l.sellerId,
    productName: l.productName ?? l.sku,
    variantName: l.variantName,
    quantity: l.quantity,
    unitPrice: { ...l.unitPrice },
  }));
  if (!first) return err(CheckoutErrors.empty());
  return ok({ currency: cart.currency, couponCodes: [...cart.couponCodes], lines: [first, ...rest] });
}
