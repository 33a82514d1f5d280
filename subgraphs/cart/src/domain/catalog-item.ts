import { closedSet, type MemberOf } from '@marketplace/shared-kernel';

/** Money as it travels in events and snapshots: integer minor units plus ISO-4217 currency. */
export interface MoneyJson {
  amount: number;
  currency: string;
}

export type ProductStatus = 'DRAFT' | 'PUBLISHED' | 'UNPUBLISHED' | 'DELETED';

/** A seller's store status as the accounts subgraph announces it. */
export type SellerStatus = 'PENDING' | 'ACTIVE' | 'SUSPENDED';

/**
 * What the cart knows of one variant, from its local copy of the catalog (the `sku_catalog`
 * read model fed by product events). The cart never asks the products subgraph.
 */
export interface CatalogItem {
  variantId: string;
  sku: string;
  productId: string;
  sellerId: string;
  productName: string;
  variantName: string;
  /** The current price; null while the seller has not priced the variant. */
  price: MoneyJson | null;
  productStatus: ProductStatus;
  /** False once the variant is no longer part of its product (removed by the seller). */
  listed: boolean;
  /**
   * The seller's store status from the cart's `seller_standing` read model (fed by accounts
   * events); null while the cart has heard nothing of the store, which is then in good standing.
   */
  sellerStatus: SellerStatus | null;
}

/** Why a line cannot be bought right now (a line that can has none); the GraphQL enum's source. */
export const UNAVAILABLE_REASON = closedSet('CartLineUnavailableReason', [
  'NOT_PUBLISHED',
  'VARIANT_REMOVED',
  'NOT_PRICED',
  'CURRENCY_CHANGED',
  'SELLER_SUSPENDED',
] as const);
export type UnavailableReason = MemberOf<typeof UNAVAILABLE_REASON>;

/**
 * Whether a buyer can buy the variant now. A suspended seller's products are off the
 * storefront until the store is reinstated. A cart holds one currency (see Cart), so a variant
 * whose price moved to another currency cannot stay in it as a buyable line. The first reason
 * that applies wins: a removed variant stays removed after a reinstatement, so it is named
 * before the suspension.
 */
export function unavailableReason(
  item: CatalogItem | undefined,
  cartCurrency: string | null,
): UnavailableReason | null {
  if (!item || !item.listed) return 'VARIANT_REMOVED';
  if (item.sellerStatus === 'SUSPENDED') return 'SELLER_SUSPENDED';
  if (item.productStatus !== 'PUBLISHED') return 'NOT_PUBLISHED';
  if (!item.price || item.price.amount <= 0) return 'NOT_PRICED';
  if (cartCurrency !== null && item.price.currency !== cartCurrency) return 'CURRENCY_CHANGED';
  return null;
}

export function samePrice(a: MoneyJson, b: MoneyJson): boolean {
  return a.amount === b.amount && a.currency === b.currency;
}
