/* Generated from schemas/ by scripts/generate-types.mjs. Do not edit: run `pnpm --filter @marketplace/event-contracts generate`. */

/**
 * The payload type of every event contract, keyed by `<type>@<version>`.
 */
export interface EventPayloads {
  'accounts.store-registered@1': StoreRegisteredV1;
  'accounts.store-status-changed@1': StoreStatusChangedV1;
  'accounts.user-registered@1': UserRegisteredV1;
  'cart.cart-expired@1': CartExpiredV1;
  'cart.carts-merged@1': CartsMergedV1;
  'cart.line-added@1': LineAddedV1;
  'cart.line-quantity-changed@1': LineQuantityChangedV1;
  'cart.line-removed@1': LineRemovedV1;
  'coupons.coupon-created@1': CouponCreatedV1;
  'coupons.coupon-redeemed@1': CouponRedeemedV1;
  'coupons.redemption-released@1': RedemptionReleasedV1;
  'inventory.reservation-committed@1': ReservationCommittedV1;
  'inventory.reservation-released@1': ReservationReleasedV1;
  'inventory.stock-adjusted@1': StockAdjustedV1;
  'inventory.stock-level-changed@1': StockLevelChangedV1;
  'inventory.stock-reserved@1': StockReservedV1;
  'products.price-changed@1': PriceChangedV1;
  'products.price-changed@2': PriceChangedV2;
  'products.product-created@1': ProductCreatedV1;
  'products.product-created@2': ProductCreatedV2;
  'products.product-deleted@1': ProductDeletedV1;
  'products.product-deleted@2': ProductDeletedV2;
  'products.product-published@1': ProductPublishedV1;
  'products.product-published@2': ProductPublishedV2;
  'products.product-unpublished@1': ProductUnpublishedV1;
  'products.product-unpublished@2': ProductUnpublishedV2;
  'products.product-updated@1': ProductUpdatedV1;
  'products.product-updated@2': ProductUpdatedV2;
}
/**
 * A seller signed up and opened a store. It starts PENDING: buyers must not see the seller's catalog until a store-status-changed event says ACTIVE.
 */
export interface StoreRegisteredV1 {
  /**
   * The store's id: the seller id products, orders and payouts use. Also the Kafka key.
   */
  sellerId: string;
  /**
   * The seller's user account.
   */
  ownerUserId: string;
  name: string;
  /**
   * Unique, URL-safe: lowercase words joined by single hyphens.
   */
  slug: string;
  /**
   * Always PENDING for a new store.
   */
  status: 'PENDING';
  /**
   * Store version after the change (1 here); consumers drop anything older than what they hold.
   */
  version: number;
}
/**
 * An admin approved (PENDING -> ACTIVE), suspended (ACTIVE -> SUSPENDED) or reinstated (SUSPENDED -> ACTIVE) a store. Only an ACTIVE seller's catalog is for sale.
 */
export interface StoreStatusChangedV1 {
  /**
   * The store's id: the seller id products, orders and payouts use. Also the Kafka key.
   */
  sellerId: string;
  /**
   * The seller's user account.
   */
  ownerUserId: string;
  name: string;
  /**
   * Unique, URL-safe: lowercase words joined by single hyphens.
   */
  slug: string;
  /**
   * The status after the change.
   */
  status: 'PENDING' | 'ACTIVE' | 'SUSPENDED';
  /**
   * The status before the change.
   */
  previousStatus: 'PENDING' | 'ACTIVE' | 'SUSPENDED';
  /**
   * Store version after the change; consumers drop anything older than what they hold.
   */
  version: number;
  /**
   * Why the store was suspended; present when status is SUSPENDED, absent otherwise.
   */
  reason?: string;
}
/**
 * An account was created: a buyer or seller signed up, or the operator's admin was bootstrapped. Carries no email and no password data.
 */
export interface UserRegisteredV1 {
  /**
   * Also the Kafka key.
   */
  userId: string;
  role: 'buyer' | 'seller' | 'admin';
  /**
   * Display name.
   */
  name: string;
}
/**
 * A cart was closed after being idle past its expiry. Carries the lines it held so stock held for them can be released.
 */
export interface CartExpiredV1 {
  /**
   * The cart (also the Kafka key).
   */
  cartId: string;
  /**
   * The signed-in buyer owning the cart; null for a guest cart.
   */
  buyerId: string | null;
  /**
   * Items: One line of a cart: a variant and how many units of it the cart holds.
   */
  lines: {
    lineId: string;
    sku: string;
    variantId: string;
    productId: string;
    /**
     * The seller (store) selling the variant.
     */
    sellerId: string;
    /**
     * Units of the variant in the cart after the change.
     */
    quantity: number;
  }[];
  expiredAt: string;
  /**
   * Cart version after the change; consumers drop anything older than what they hold.
   */
  version: number;
}
/**
 * A guest cart was merged into a signed-in buyer's cart when the guest signed in; the guest cart is closed. `lines` is the buyer's cart after the merge.
 */
export interface CartsMergedV1 {
  /**
   * The cart (also the Kafka key).
   */
  cartId: string;
  /**
   * The buyer whose cart took over the guest cart.
   */
  buyerId: string;
  /**
   * The guest cart, now closed (MERGED).
   */
  sourceCartId: string;
  /**
   * The guest cart's version after it was closed.
   */
  sourceVersion: number;
  /**
   * Every line of the buyer's cart after the merge, with its new quantity.
   *
   * Items: One line of a cart: a variant and how many units of it the cart holds.
   */
  lines: {
    lineId: string;
    sku: string;
    variantId: string;
    productId: string;
    /**
     * The seller (store) selling the variant.
     */
    sellerId: string;
    /**
     * Units of the variant in the cart after the change.
     */
    quantity: number;
  }[];
  /**
   * Guest lines that did not fit (line limit or another currency).
   */
  skipped: {
    sku: string;
    variantId: string;
    reason: 'MAX_ITEMS_EXCEEDED' | 'CURRENCY_MISMATCH';
  }[];
  /**
   * Cart version after the change; consumers drop anything older than what they hold.
   */
  version: number;
}
/**
 * A new line was added to a cart. Carries the line's quantity so consumers (e.g. stock holds) need not sum.
 */
export interface LineAddedV1 {
  /**
   * The cart (also the Kafka key).
   */
  cartId: string;
  /**
   * The signed-in buyer owning the cart; null for a guest cart.
   */
  buyerId: string | null;
  lineId: string;
  sku: string;
  variantId: string;
  productId: string;
  /**
   * The seller (store) selling the variant.
   */
  sellerId: string;
  /**
   * Units of the variant in the cart after the change.
   */
  quantity: number;
  /**
   * The unit price the buyer saw when adding.
   */
  unitPrice: {
    /**
     * Integer minor units (cents); never a float.
     */
    amount: number;
    /**
     * ISO-4217 code.
     */
    currency: string;
  };
  /**
   * Cart version after the change; consumers drop anything older than what they hold.
   */
  version: number;
}
/**
 * The quantity of a cart line changed (set by the buyer, or more units added). Carries the new and the previous quantity.
 */
export interface LineQuantityChangedV1 {
  /**
   * The cart (also the Kafka key).
   */
  cartId: string;
  /**
   * The signed-in buyer owning the cart; null for a guest cart.
   */
  buyerId: string | null;
  lineId: string;
  sku: string;
  variantId: string;
  productId: string;
  /**
   * The seller (store) selling the variant.
   */
  sellerId: string;
  /**
   * Units of the variant in the cart after the change.
   */
  quantity: number;
  previousQuantity: number;
  /**
   * The unit price the buyer last saw for the line.
   */
  unitPrice: {
    /**
     * Integer minor units (cents); never a float.
     */
    amount: number;
    /**
     * ISO-4217 code.
     */
    currency: string;
  };
  /**
   * Cart version after the change; consumers drop anything older than what they hold.
   */
  version: number;
}
/**
 * A line was removed from a cart; quantity is 0.
 */
export interface LineRemovedV1 {
  /**
   * The cart (also the Kafka key).
   */
  cartId: string;
  /**
   * The signed-in buyer owning the cart; null for a guest cart.
   */
  buyerId: string | null;
  lineId: string;
  sku: string;
  variantId: string;
  productId: string;
  /**
   * The seller (store) selling the variant.
   */
  sellerId: string;
  /**
   * Units of the variant in the cart after the change (0: the line is gone).
   */
  quantity: number;
  previousQuantity: number;
  /**
   * Cart version after the change; consumers drop anything older than what they hold.
   */
  version: number;
}
/**
 * A seller (SELLER scope) or an admin (PLATFORM scope) created a coupon; it starts ACTIVE.
 */
export interface CouponCreatedV1 {
  couponId: string;
  /**
   * The coupon code, normalised to upper case.
   */
  code: string;
  /**
   * PLATFORM (created by an admin, covers every line) or SELLER (covers only its seller's lines).
   */
  scope: 'PLATFORM' | 'SELLER';
  /**
   * The owning seller (store) of a SELLER coupon; null for PLATFORM coupons.
   */
  sellerId: string | null;
  /**
   * PERCENTAGE (percentOff), FIXED_AMOUNT (amountOff) or FREE_SHIPPING.
   */
  kind: 'PERCENTAGE' | 'FIXED_AMOUNT' | 'FREE_SHIPPING';
  /**
   * Whole percent 1..100 for PERCENTAGE coupons, else null.
   */
  percentOff: number | null;
  /**
   * The amount taken off for FIXED_AMOUNT coupons, else null.
   */
  amountOff: {
    /**
     * Integer minor units (cents); never a float.
     */
    amount: number;
    /**
     * ISO-4217 code.
     */
    currency: string;
  } | null;
  /**
   * Subtotal the covered lines must reach before discounts; null for none.
   */
  minimumSpend: {
    /**
     * Integer minor units (cents); never a float.
     */
    amount: number;
    /**
     * ISO-4217 code.
     */
    currency: string;
  } | null;
  /**
   * Start of validity (inclusive), ISO-8601.
   */
  validFrom: string;
  /**
   * End of validity (exclusive), ISO-8601; null for no end.
   */
  validUntil: string | null;
  /**
   * Redemptions allowed in total; null for unlimited.
   */
  totalLimit: number | null;
  /**
   * Redemptions allowed per buyer; null for unlimited.
   */
  perBuyerLimit: number | null;
  /**
   * Coupon aggregate version after the change; consumers drop anything older than what they hold.
   */
  version: number;
}
/**
 * A checkout redeemed the coupon for an order; the coupon's total and per-buyer limits held. Redeeming again for the same order publishes nothing.
 */
export interface CouponRedeemedV1 {
  couponId: string;
  /**
   * Unique per (coupon, order).
   */
  redemptionId: string;
  /**
   * The coupon code, normalised to upper case.
   */
  code: string;
  /**
   * PLATFORM (created by an admin, covers every line) or SELLER (covers only its seller's lines).
   */
  scope: 'PLATFORM' | 'SELLER';
  /**
   * The owning seller of a SELLER coupon; null for PLATFORM coupons.
   */
  sellerId: string | null;
  /**
   * The buyer (user id) the order belongs to.
   */
  buyerId: string;
  /**
   * The order the coupon was redeemed for.
   */
  orderId: string;
  /**
   * The discount the order received from this coupon, in integer minor units plus its currency.
   */
  discount: {
    /**
     * Integer minor units (cents); never a float.
     */
    amount: number;
    /**
     * ISO-4217 code.
     */
    currency: string;
  };
  /**
   * Active (not released) redemptions of the coupon after this change.
   */
  redeemedCount: number;
  /**
   * Coupon aggregate version after the change; consumers drop anything older than what they hold.
   */
  version: number;
}
/**
 * A redemption was given back (checkout compensation, e.g. the order failed); the coupon's count went down by one. Releasing again publishes nothing.
 */
export interface RedemptionReleasedV1 {
  couponId: string;
  /**
   * Unique per (coupon, order).
   */
  redemptionId: string;
  /**
   * The coupon code, normalised to upper case.
   */
  code: string;
  /**
   * PLATFORM (created by an admin, covers every line) or SELLER (covers only its seller's lines).
   */
  scope: 'PLATFORM' | 'SELLER';
  /**
   * The owning seller of a SELLER coupon; null for PLATFORM coupons.
   */
  sellerId: string | null;
  /**
   * The buyer (user id) the order belongs to.
   */
  buyerId: string;
  /**
   * The order the coupon was redeemed for.
   */
  orderId: string;
  /**
   * The discount the order received from this coupon, in integer minor units plus its currency.
   */
  discount: {
    /**
     * Integer minor units (cents); never a float.
     */
    amount: number;
    /**
     * ISO-4217 code.
     */
    currency: string;
  };
  /**
   * Active (not released) redemptions of the coupon after this change.
   */
  redeemedCount: number;
  /**
   * Coupon aggregate version after the change; consumers drop anything older than what they hold.
   */
  version: number;
}
/**
 * A reservation's units moved from reserved to committed for a placed order; they no longer expire. Key = reservationId.
 */
export interface ReservationCommittedV1 {
  reservationId: string;
  /**
   * The caller's idempotency key, e.g. cart:<cartId> or checkout:<checkoutId>.
   */
  reference: string;
  /**
   * Items: Units of one SKU held by the reservation.
   */
  lines: {
    sku: string;
    variantId: string;
    productId: string;
    sellerId: string;
    /**
     * Units held.
     */
    quantity: number;
  }[];
  /**
   * Version of the reservation after the change.
   */
  version: number;
}
/**
 * A reservation gave its units back: released by its owner (RELEASED) or because it ran out of time (EXPIRED). Lines are the units returned to stock. Key = reservationId.
 */
export interface ReservationReleasedV1 {
  reservationId: string;
  /**
   * The caller's idempotency key, e.g. cart:<cartId> or checkout:<checkoutId>.
   */
  reference: string;
  reason: 'EXPIRED' | 'RELEASED';
  /**
   * Items: Units of one SKU held by the reservation.
   */
  lines: {
    sku: string;
    variantId: string;
    productId: string;
    sellerId: string;
    /**
     * Units held.
     */
    quantity: number;
  }[];
  /**
   * Version of the reservation after the change.
   */
  version: number;
}
/**
 * The stock of a product changed (restock, correction, reservation or release). Carries the resulting levels so consumers need not sum deltas.
 */
export interface StockAdjustedV1 {
  stockItemId: string;
  productId: string;
  sellerId: string;
  /**
   * Signed change that caused this event.
   */
  delta: number;
  /**
   * Units physically in stock after the change.
   */
  onHand: number;
  /**
   * Units held for unfinished orders after the change.
   */
  reserved: number;
  /**
   * Units that can still be reserved (onHand - reserved).
   */
  available: number;
  reason: string;
  /**
   * Aggregate version after the change; consumers drop anything older than what they hold.
   */
  version: number;
}
/**
 * The stock of one SKU changed (opened, seller adjustment, reservation, release, commit). Carries the resulting levels, so consumers keep the latest by version instead of summing deltas. Key = variantId. Invariant: onHand = available + reserved + committed.
 */
export interface StockLevelChangedV1 {
  /**
   * Marketplace-unique stock keeping unit.
   */
  sku: string;
  variantId: string;
  productId: string;
  sellerId: string;
  /**
   * Units physically in stock.
   */
  onHand: number;
  /**
   * Units a buyer can still reserve: onHand - reserved - committed.
   */
  available: number;
  /**
   * Units held by carts and checkouts that have not completed.
   */
  reserved: number;
  /**
   * Units promised to placed orders and not yet shipped.
   */
  committed: number;
  /**
   * Version of this SKU's stock after the change; consumers drop anything older than what they hold.
   */
  version: number;
}
/**
 * A reservation now holds stock: emitted when it is placed (all or nothing) and, for a cart hold, whenever its held lines or expiry change. Lines are the complete current state. Key = reservationId.
 */
export interface StockReservedV1 {
  reservationId: string;
  /**
   * The caller's idempotency key, e.g. cart:<cartId> or checkout:<checkoutId>.
   */
  reference: string;
  /**
   * FIRM: all-or-nothing reservation (checkout); SOFT: a cart hold that keeps what is available.
   */
  kind: 'FIRM' | 'SOFT';
  /**
   * Items: Units of one SKU held by the reservation.
   */
  lines: {
    sku: string;
    variantId: string;
    productId: string;
    sellerId: string;
    /**
     * Units held.
     */
    quantity: number;
    /**
     * Units asked for; a cart hold may hold fewer when stock is short.
     */
    requested: number;
  }[];
  /**
   * When the hold is released unless committed or renewed (ISO-8601).
   */
  expiresAt: string;
  /**
   * Version of the reservation after the change.
   */
  version: number;
}
/**
 * A product's price changed; previousPrice is the price it replaced.
 */
export interface PriceChangedV1 {
  productId: string;
  /**
   * The seller who owns the product.
   */
  sellerId: string;
  /**
   * Aggregate version after the change; consumers drop anything older than what they hold.
   */
  version: number;
  /**
   * The product as it is after the change, so consumers never need to call back.
   */
  snapshot: {
    name: string;
    description: string;
    /**
     * An amount of money in integer minor units plus its currency.
     */
    price: {
      /**
       * Integer minor units (cents); never a float.
       */
      amount: number;
      /**
       * ISO-4217 code.
       */
      currency: string;
    };
    status: 'DRAFT' | 'PUBLISHED' | 'UNPUBLISHED' | 'DELETED';
  };
  /**
   * An amount of money in integer minor units plus its currency.
   */
  previousPrice: {
    /**
     * Integer minor units (cents); never a float.
     */
    amount: number;
    /**
     * ISO-4217 code.
     */
    currency: string;
  };
}
/**
 * A variant's price was set or changed.
 */
export interface PriceChangedV2 {
  productId: string;
  /**
   * The seller (store) that owns the product.
   */
  sellerId: string;
  /**
   * Aggregate version after the change; consumers drop anything older than what they hold.
   */
  version: number;
  /**
   * The product as it is after the change, so consumers never need to call back.
   */
  snapshot: {
    name: string;
    slug: string;
    description: string;
    status: 'DRAFT' | 'PUBLISHED' | 'UNPUBLISHED' | 'DELETED';
    categoryId: string | null;
    /**
     * Root first; empty when uncategorised.
     *
     * Items: One category on the path from the root to the product's category.
     */
    categoryPath: {
      id: string;
      name: string;
      slug: string;
    }[];
    /**
     * Items: A named attribute value, e.g. colour = red.
     */
    attributes: {
      name: string;
      value: string;
    }[];
    images: {
      url: string;
      alt: string;
      width?: number | null;
      height?: number | null;
      position: number;
    }[];
    /**
     * Items: A purchasable variant; the SKU is unique across the marketplace.
     */
    variants: {
      variantId: string;
      sku: string;
      name: string;
      /**
       * Items: A named attribute value, e.g. colour = red.
       */
      attributes: {
        name: string;
        value: string;
      }[];
      /**
       * Null until the seller prices the variant.
       */
      price: {
        /**
         * Integer minor units (cents); never a float.
         */
        amount: number;
        /**
         * ISO-4217 code.
         */
        currency: string;
      } | null;
    }[];
  };
  variantId: string;
  sku: string;
  /**
   * Null when the variant had no price before.
   */
  previousPrice: {
    /**
     * Integer minor units (cents); never a float.
     */
    amount: number;
    /**
     * ISO-4217 code.
     */
    currency: string;
  } | null;
  /**
   * An amount of money in integer minor units plus its currency.
   */
  price: {
    /**
     * Integer minor units (cents); never a float.
     */
    amount: number;
    /**
     * ISO-4217 code.
     */
    currency: string;
  };
}
/**
 * A seller created a product (status DRAFT).
 */
export interface ProductCreatedV1 {
  productId: string;
  /**
   * The seller who owns the product.
   */
  sellerId: string;
  /**
   * Aggregate version after the change; consumers drop anything older than what they hold.
   */
  version: number;
  /**
   * The product as it is after the change, so consumers never need to call back.
   */
  snapshot: {
    name: string;
    description: string;
    /**
     * An amount of money in integer minor units plus its currency.
     */
    price: {
      /**
       * Integer minor units (cents); never a float.
       */
      amount: number;
      /**
       * ISO-4217 code.
       */
      currency: string;
    };
    status: 'DRAFT' | 'PUBLISHED' | 'UNPUBLISHED' | 'DELETED';
  };
}
/**
 * A seller created a product (a draft).
 */
export interface ProductCreatedV2 {
  productId: string;
  /**
   * The seller (store) that owns the product.
   */
  sellerId: string;
  /**
   * Aggregate version after the change; consumers drop anything older than what they hold.
   */
  version: number;
  /**
   * The product as it is after the change, so consumers never need to call back.
   */
  snapshot: {
    name: string;
    slug: string;
    description: string;
    status: 'DRAFT' | 'PUBLISHED' | 'UNPUBLISHED' | 'DELETED';
    categoryId: string | null;
    /**
     * Root first; empty when uncategorised.
     *
     * Items: One category on the path from the root to the product's category.
     */
    categoryPath: {
      id: string;
      name: string;
      slug: string;
    }[];
    /**
     * Items: A named attribute value, e.g. colour = red.
     */
    attributes: {
      name: string;
      value: string;
    }[];
    images: {
      url: string;
      alt: string;
      width?: number | null;
      height?: number | null;
      position: number;
    }[];
    /**
     * Items: A purchasable variant; the SKU is unique across the marketplace.
     */
    variants: {
      variantId: string;
      sku: string;
      name: string;
      /**
       * Items: A named attribute value, e.g. colour = red.
       */
      attributes: {
        name: string;
        value: string;
      }[];
      /**
       * Null until the seller prices the variant.
       */
      price: {
        /**
         * Integer minor units (cents); never a float.
         */
        amount: number;
        /**
         * ISO-4217 code.
         */
        currency: string;
      } | null;
    }[];
  };
}
/**
 * A product was deleted; the snapshot is its last state.
 */
export interface ProductDeletedV1 {
  productId: string;
  /**
   * The seller who owns the product.
   */
  sellerId: string;
  /**
   * Aggregate version after the change; consumers drop anything older than what they hold.
   */
  version: number;
  /**
   * The product as it is after the change, so consumers never need to call back.
   */
  snapshot: {
    name: string;
    description: string;
    /**
     * An amount of money in integer minor units plus its currency.
     */
    price: {
      /**
       * Integer minor units (cents); never a float.
       */
      amount: number;
      /**
       * ISO-4217 code.
       */
      currency: string;
    };
    status: 'DRAFT' | 'PUBLISHED' | 'UNPUBLISHED' | 'DELETED';
  };
}
/**
 * A product was deleted; the snapshot is its last state.
 */
export interface ProductDeletedV2 {
  productId: string;
  /**
   * The seller (store) that owns the product.
   */
  sellerId: string;
  /**
   * Aggregate version after the change; consumers drop anything older than what they hold.
   */
  version: number;
  /**
   * The product as it is after the change, so consumers never need to call back.
   */
  snapshot: {
    name: string;
    slug: string;
    description: string;
    status: 'DRAFT' | 'PUBLISHED' | 'UNPUBLISHED' | 'DELETED';
    categoryId: string | null;
    /**
     * Root first; empty when uncategorised.
     *
     * Items: One category on the path from the root to the product's category.
     */
    categoryPath: {
      id: string;
      name: string;
      slug: string;
    }[];
    /**
     * Items: A named attribute value, e.g. colour = red.
     */
    attributes: {
      name: string;
      value: string;
    }[];
    images: {
      url: string;
      alt: string;
      width?: number | null;
      height?: number | null;
      position: number;
    }[];
    /**
     * Items: A purchasable variant; the SKU is unique across the marketplace.
     */
    variants: {
      variantId: string;
      sku: string;
      name: string;
      /**
       * Items: A named attribute value, e.g. colour = red.
       */
      attributes: {
        name: string;
        value: string;
      }[];
      /**
       * Null until the seller prices the variant.
       */
      price: {
        /**
         * Integer minor units (cents); never a float.
         */
        amount: number;
        /**
         * ISO-4217 code.
         */
        currency: string;
      } | null;
    }[];
  };
}
/**
 * A product became visible to buyers.
 */
export interface ProductPublishedV1 {
  productId: string;
  /**
   * The seller who owns the product.
   */
  sellerId: string;
  /**
   * Aggregate version after the change; consumers drop anything older than what they hold.
   */
  version: number;
  /**
   * The product as it is after the change, so consumers never need to call back.
   */
  snapshot: {
    name: string;
    description: string;
    /**
     * An amount of money in integer minor units plus its currency.
     */
    price: {
      /**
       * Integer minor units (cents); never a float.
       */
      amount: number;
      /**
       * ISO-4217 code.
       */
      currency: string;
    };
    status: 'DRAFT' | 'PUBLISHED' | 'UNPUBLISHED' | 'DELETED';
  };
}
/**
 * A product was published to the storefront.
 */
export interface ProductPublishedV2 {
  productId: string;
  /**
   * The seller (store) that owns the product.
   */
  sellerId: string;
  /**
   * Aggregate version after the change; consumers drop anything older than what they hold.
   */
  version: number;
  /**
   * The product as it is after the change, so consumers never need to call back.
   */
  snapshot: {
    name: string;
    slug: string;
    description: string;
    status: 'DRAFT' | 'PUBLISHED' | 'UNPUBLISHED' | 'DELETED';
    categoryId: string | null;
    /**
     * Root first; empty when uncategorised.
     *
     * Items: One category on the path from the root to the product's category.
     */
    categoryPath: {
      id: string;
      name: string;
      slug: string;
    }[];
    /**
     * Items: A named attribute value, e.g. colour = red.
     */
    attributes: {
      name: string;
      value: string;
    }[];
    images: {
      url: string;
      alt: string;
      width?: number | null;
      height?: number | null;
      position: number;
    }[];
    /**
     * Items: A purchasable variant; the SKU is unique across the marketplace.
     */
    variants: {
      variantId: string;
      sku: string;
      name: string;
      /**
       * Items: A named attribute value, e.g. colour = red.
       */
      attributes: {
        name: string;
        value: string;
      }[];
      /**
       * Null until the seller prices the variant.
       */
      price: {
        /**
         * Integer minor units (cents); never a float.
         */
        amount: number;
        /**
         * ISO-4217 code.
         */
        currency: string;
      } | null;
    }[];
  };
}
/**
 * A product was hidden from buyers; it can be published again.
 */
export interface ProductUnpublishedV1 {
  productId: string;
  /**
   * The seller who owns the product.
   */
  sellerId: string;
  /**
   * Aggregate version after the change; consumers drop anything older than what they hold.
   */
  version: number;
  /**
   * The product as it is after the change, so consumers never need to call back.
   */
  snapshot: {
    name: string;
    description: string;
    /**
     * An amount of money in integer minor units plus its currency.
     */
    price: {
      /**
       * Integer minor units (cents); never a float.
       */
      amount: number;
      /**
       * ISO-4217 code.
       */
      currency: string;
    };
    status: 'DRAFT' | 'PUBLISHED' | 'UNPUBLISHED' | 'DELETED';
  };
}
/**
 * A product was taken off the storefront.
 */
export interface ProductUnpublishedV2 {
  productId: string;
  /**
   * The seller (store) that owns the product.
   */
  sellerId: string;
  /**
   * Aggregate version after the change; consumers drop anything older than what they hold.
   */
  version: number;
  /**
   * The product as it is after the change, so consumers never need to call back.
   */
  snapshot: {
    name: string;
    slug: string;
    description: string;
    status: 'DRAFT' | 'PUBLISHED' | 'UNPUBLISHED' | 'DELETED';
    categoryId: string | null;
    /**
     * Root first; empty when uncategorised.
     *
     * Items: One category on the path from the root to the product's category.
     */
    categoryPath: {
      id: string;
      name: string;
      slug: string;
    }[];
    /**
     * Items: A named attribute value, e.g. colour = red.
     */
    attributes: {
      name: string;
      value: string;
    }[];
    images: {
      url: string;
      alt: string;
      width?: number | null;
      height?: number | null;
      position: number;
    }[];
    /**
     * Items: A purchasable variant; the SKU is unique across the marketplace.
     */
    variants: {
      variantId: string;
      sku: string;
      name: string;
      /**
       * Items: A named attribute value, e.g. colour = red.
       */
      attributes: {
        name: string;
        value: string;
      }[];
      /**
       * Null until the seller prices the variant.
       */
      price: {
        /**
         * Integer minor units (cents); never a float.
         */
        amount: number;
        /**
         * ISO-4217 code.
         */
        currency: string;
      } | null;
    }[];
  };
}
/**
 * A product's details (name, description) changed. Price changes are price-changed.
 */
export interface ProductUpdatedV1 {
  productId: string;
  /**
   * The seller who owns the product.
   */
  sellerId: string;
  /**
   * Aggregate version after the change; consumers drop anything older than what they hold.
   */
  version: number;
  /**
   * The product as it is after the change, so consumers never need to call back.
   */
  snapshot: {
    name: string;
    description: string;
    /**
     * An amount of money in integer minor units plus its currency.
     */
    price: {
      /**
       * Integer minor units (cents); never a float.
       */
      amount: number;
      /**
       * ISO-4217 code.
       */
      currency: string;
    };
    status: 'DRAFT' | 'PUBLISHED' | 'UNPUBLISHED' | 'DELETED';
  };
}
/**
 * A product's content changed: name, description, category, attributes, images or variants (added or edited).
 */
export interface ProductUpdatedV2 {
  productId: string;
  /**
   * The seller (store) that owns the product.
   */
  sellerId: string;
  /**
   * Aggregate version after the change; consumers drop anything older than what they hold.
   */
  version: number;
  /**
   * The product as it is after the change, so consumers never need to call back.
   */
  snapshot: {
    name: string;
    slug: string;
    description: string;
    status: 'DRAFT' | 'PUBLISHED' | 'UNPUBLISHED' | 'DELETED';
    categoryId: string | null;
    /**
     * Root first; empty when uncategorised.
     *
     * Items: One category on the path from the root to the product's category.
     */
    categoryPath: {
      id: string;
      name: string;
      slug: string;
    }[];
    /**
     * Items: A named attribute value, e.g. colour = red.
     */
    attributes: {
      name: string;
      value: string;
    }[];
    images: {
      url: string;
      alt: string;
      width?: number | null;
      height?: number | null;
      position: number;
    }[];
    /**
     * Items: A purchasable variant; the SKU is unique across the marketplace.
     */
    variants: {
      variantId: string;
      sku: string;
      name: string;
      /**
       * Items: A named attribute value, e.g. colour = red.
       */
      attributes: {
        name: string;
        value: string;
      }[];
      /**
       * Null until the seller prices the variant.
       */
      price: {
        /**
         * Integer minor units (cents); never a float.
         */
        amount: number;
        /**
         * ISO-4217 code.
         */
        currency: string;
      } | null;
    }[];
  };
}
/**
 * What travels on every topic: routing and tracing metadata around one versioned event payload.
 *
 * This interface was referenced by `EventPayloads`'s JSON-Schema
 * via the `definition` "EventEnvelopeV1".
 */
export interface EventEnvelopeV1 {
  /**
   * Message id; consumers dedupe on it (inbox).
   */
  id: string;
  /**
   * `<context>.<event-name>`, e.g. `products.product-created`.
   */
  type: string;
  /**
   * Version of the payload schema.
   */
  version: number;
  aggregateType: string;
  /**
   * Also the Kafka key, which keeps order per aggregate.
   */
  aggregateId: string;
  /**
   * ISO-8601 instant with offset.
   */
  occurredAt: string;
  /**
   * Shared by everything one request caused.
   */
  correlationId: string;
  /**
   * Id of the message that caused this one; null when a request did.
   */
  causationId: string | null;
  /**
   * W3C trace context: version-traceid-parentid-flags.
   */
  traceparent?: string;
  /**
   * The emitting service, e.g. `products`.
   */
  producer: string;
  /**
   * Validated separately against the schema for (type, version).
   */
  payload: {
    [k: string]: unknown;
  };
}
