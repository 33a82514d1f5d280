import type { TransactionTools, UseCaseContext } from '@marketplace/platform';
import type { Clock } from '@marketplace/shared-kernel';
import type { Cart, CartCheckedOutPayload } from '../domain/cart.js';
import type { CartPolicy } from '../domain/cart-policy.js';
import type { CatalogItem, SellerStatus } from '../domain/catalog-item.js';

export interface CartRepository {
  /** The buyer's ACTIVE cart (expired or not), row-locked for the rest of the transaction. */
  activeForBuyerForUpdate(buyerId: string): Promise<Cart | null>;
  /** The cart a guest token addresses, in any state, row-locked. */
  byGuestTokenForUpdate(guestTokenHash: string): Promise<Cart | null>;
  byId(id: string): Promise<Cart | null>;
  /** Any cart by id, in any state, row-locked. */
  byIdForUpdate(id: string): Promise<Cart | null>;
  /** ACTIVE carts past their expiry, oldest first, locked; rows locked by others are skipped. */
  expiredForUpdate(now: Date, limit: number): Promise<Cart[]>;
  add(cart: Cart): void;
}

/** The cart's local copy of the catalog (the `sku_catalog` read model). */
export interface SkuCatalog {
  byVariantIds(variantIds: readonly string[]): Promise<Map<string, CatalogItem>>;
  /** The variant currently listed under this SKU. */
  bySku(sku: string): Promise<CatalogItem | null>;
}

/** Checkouts that cleared a cart, with their reply: clear-cart is idempotent per checkout. */
export interface CheckoutLog {
  find(checkoutId: string): Promise<CartCheckedOutPayload | null>;
  save(reply: CartCheckedOutPayload, at: Date): Promise<void>;
}

/** The repositories of one cart transaction. */
export interface CartRepositories {
  carts: CartRepository;
  catalog: SkuCatalog;
  checkouts: CheckoutLog;
  products: SkuCatalogProjection;
  standings: SellerStandingProjection;
}

export type CartTransaction = CartRepositories & TransactionTools;

/** The cached copies of carts' states (Redis), marked stale once a change has committed. */
export interface CartCache {
  invalidate(cart: { id: string; version: number }): Promise<void>;
}

/** What every cart use case receives besides its input (declared once: cartUseCases). */
export type CartContext = UseCaseContext<
  CartRepositories,
  {
    clock: Clock;
    policy: CartPolicy;
    cache: CartCache;
  }
>;

/** A product as the catalog events describe it, reduced to what carts need. */
export interface CatalogProduct {
  productId: string;
  sellerId: string;
  name: string;
  status: CatalogItem['productStatus'];
  version: number;
  variants: { variantId: string; sku: string; name: string; price: CatalogItem['price'] }[];
}

export interface SkuCatalogProjection {
  /**
   * Replaces what the read model holds for the product, unless it already holds this version
   * or a newer one (events can arrive late or twice). Returns whether it applied.
   */
  apply(product: CatalogProduct, now: Date): Promise<boolean>;
}

/** A seller's store status as the accounts events describe it. */
export interface SellerStanding {
  sellerId: string;
  status: SellerStatus;
  /** The store's version after the change. */
  version: number;
}

export interface SellerStandingProjection {
  /**
   * Records the seller's status, unless the read model already holds this version or a newer
   * one (events can arrive late or twice). Returns whether it applied.
   */
  apply(standing: SellerStanding, now: Date): Promise<boolean>;
}
