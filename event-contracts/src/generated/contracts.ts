/* Generated from schemas/ by scripts/generate-types.mjs. Do not edit: run `pnpm --filter @marketplace/event-contracts generate`. */

/**
 * The payload type of every event contract, keyed by `<type>@<version>`.
 */
export interface EventPayloads {
  'accounts.store-registered@1': StoreRegisteredV1;
  'accounts.store-status-changed@1': StoreStatusChangedV1;
  'accounts.user-contact-changed@1': UserContactChangedV1;
  'accounts.user-registered@1': UserRegisteredV1;
  'cart.cart-checked-out@1': CartCheckedOutV1;
  'cart.cart-expired@1': CartExpiredV1;
  'cart.cart-snapshot-rejected@1': CartSnapshotRejectedV1;
  'cart.cart-snapshotted@1': CartSnapshottedV1;
  'cart.carts-merged@1': CartsMergedV1;
  'cart.clear-cart@1': ClearCartV1;
  'cart.line-added@1': LineAddedV1;
  'cart.line-quantity-changed@1': LineQuantityChangedV1;
  'cart.line-removed@1': LineRemovedV1;
  'cart.snapshot-cart@1': SnapshotCartV1;
  'checkout.checkout-completed@1': CheckoutCompletedV1;
  'checkout.checkout-failed@1': CheckoutFailedV1;
  'checkout.checkout-started@1': CheckoutStartedV1;
  'coupons.coupon-created@1': CouponCreatedV1;
  'coupons.coupon-redeemed@1': CouponRedeemedV1;
  'coupons.coupons-redeemed@1': CouponsRedeemedV1;
  'coupons.coupons-redemption-rejected@1': CouponsRedemptionRejectedV1;
  'coupons.redeem-coupons@1': RedeemCouponsV1;
  'coupons.redemption-released@1': RedemptionReleasedV1;
  'coupons.release-redemptions@1': ReleaseRedemptionsV1;
  'inventory.commit-reservation@1': CommitReservationV1;
  'inventory.release-reservation@1': ReleaseReservationV1;
  'inventory.reservation-committed@1': ReservationCommittedV1;
  'inventory.reservation-failed@1': ReservationFailedV1;
  'inventory.reservation-released@1': ReservationReleasedV1;
  'inventory.reserve-stock@1': ReserveStockV1;
  'inventory.stock-adjusted@1': StockAdjustedV1;
  'inventory.stock-level-changed@1': StockLevelChangedV1;
  'inventory.stock-reserved@1': StockReservedV1;
  'notifications.notification-sent@1': NotificationSentV1;
  'operations.rebuild-completed@1': RebuildCompletedV1;
  'operations.rebuild-failed@1': RebuildFailedV1;
  'operations.rebuild-read-model@1': RebuildReadModelV1;
  'operations.rebuild-started@1': RebuildStartedV1;
  'orders.cancel-order@1': CancelOrderV1;
  'orders.confirm-order@1': ConfirmOrderV1;
  'orders.create-order@1': CreateOrderV1;
  'orders.order-cancelled@1': OrderCancelledV1;
  'orders.order-cancelled@2': OrderCancelledV2;
  'orders.order-completed@1': OrderCompletedV1;
  'orders.order-completed@2': OrderCompletedV2;
  'orders.order-confirmed@1': OrderConfirmedV1;
  'orders.order-confirmed@2': OrderConfirmedV2;
  'orders.order-created@1': OrderCreatedV1;
  'orders.order-created@2': OrderCreatedV2;
  'orders.order-paid@1': OrderPaidV1;
  'orders.order-paid@2': OrderPaidV2;
  'orders.order-refunded@1': OrderRefundedV1;
  'orders.order-refunded@2': OrderRefundedV2;
  'orders.order-shipped@1': OrderShippedV1;
  'orders.order-shipped@2': OrderShippedV2;
  'orders.refund-approved@1': RefundApprovedV1;
  'orders.refund-rejected@1': RefundRejectedV1;
  'orders.refund-requested@1': RefundRequestedV1;
  'payments.authorize-payment@1': AuthorizePaymentV1;
  'payments.payment-authorized@1': PaymentAuthorizedV1;
  'payments.payment-captured@1': PaymentCapturedV1;
  'payments.payment-failed@1': PaymentFailedV1;
  'payments.payment-refunded@1': PaymentRefundedV1;
  'payments.payment-voided@1': PaymentVoidedV1;
  'payments.refund-failed@1': RefundFailedV1;
  'payments.void-payment@1': VoidPaymentV1;
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
  'reviews.product-rating-changed@1': ProductRatingChangedV1;
  'shipping.quote-shipping@1': QuoteShippingV1;
  'shipping.shipment-created@1': ShipmentCreatedV1;
  'shipping.shipment-delivered@1': ShipmentDeliveredV1;
  'shipping.shipment-dispatched@1': ShipmentDispatchedV1;
  'shipping.shipping-quote-rejected@1': ShippingQuoteRejectedV1;
  'shipping.shipping-quoted@1': ShippingQuotedV1;
  'webhooks.provider-event-received@1': ProviderEventReceivedV1;
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
 * The contact address of a user: emitted on registration (and on any later email change). Notifications keeps it to reach the user. Key = userId.
 */
export interface UserContactChangedV1 {
  /**
   * Also the Kafka key.
   */
  userId: string;
  email: string;
  /**
   * Version of the user after the change.
   */
  version: number;
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
 * Reply (cart → checkout, inventory) to cart.clear-cart: the checked-out lines left the cart; lines added after the snapshot stay. Re-published unchanged for a repeated clear of the same checkout. Key = cartId.
 */
export interface CartCheckedOutV1 {
  cartId: string;
  buyerId: string;
  checkoutId: string;
  orderId: string;
  removedLineIds: string[];
  /**
   * The cart's status after the clear: CHECKED_OUT when no lines remain (optional).
   */
  status?: 'ACTIVE' | 'CHECKED_OUT';
  /**
   * SKUs of the removed lines (optional; lets cart holds drop them).
   */
  removedSkus?: string[];
  /**
   * Version of the cart after the change.
   */
  version: number;
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
 * Reply (cart → checkout) to cart.snapshot-cart: the cart cannot be checked out as it is. Key = checkoutId.
 */
export interface CartSnapshotRejectedV1 {
  checkoutId: string;
  cartId: string;
  /**
   * CART.NOT_FOUND (also for another buyer's cart), CART.EMPTY, CART.HAS_UNAVAILABLE_LINES, CART.PRICES_CHANGED, ...
   */
  code: string;
  message: string;
}
/**
 * Reply (cart → checkout) to cart.snapshot-cart: the cart's available lines at current prices and its coupon codes. The cart is unchanged. Key = checkoutId.
 */
export interface CartSnapshottedV1 {
  checkoutId: string;
  cartId: string;
  buyerId: string;
  currency: string;
  couponCodes: string[];
  /**
   * @minItems 1
   *
   * Items: An available cart line at its current price; lineId is the cart line id.
   */
  lines: [
    {
      lineId: string;
      sku: string;
      variantId: string;
      productId: string;
      sellerId: string;
      productName: string;
      variantName: string | null;
      quantity: number;
      /**
       * Integer minor units plus currency.
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
    },
    ...{
      lineId: string;
      sku: string;
      variantId: string;
      productId: string;
      sellerId: string;
      productName: string;
      variantName: string | null;
      quantity: number;
      /**
       * Integer minor units plus currency.
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
    }[],
  ];
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
 * Command (checkout → cart): remove the checked-out lines from the cart. Replies cart.cart-checked-out. Key = cartId; idempotent per checkoutId.
 */
export interface ClearCartV1 {
  checkoutId: string;
  cartId: string;
  orderId: string;
  /**
   * Only the snapshotted lines leave the cart.
   */
  lineIds: string[];
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
 * Command (checkout → cart): snapshot the available lines and coupon codes of the buyer's cart for a checkout. Replies cart.cart-snapshotted or cart.cart-snapshot-rejected. Key = cartId; idempotent per checkoutId.
 */
export interface SnapshotCartV1 {
  checkoutId: string;
  cartId: string;
  buyerId: string;
}
/**
 * The checkout saga completed: order confirmed, payment authorized, cart cleared. Key = checkoutId.
 */
export interface CheckoutCompletedV1 {
  checkoutId: string;
  buyerId: string;
  orderId: string;
  paymentId: string;
  /**
   * Integer minor units plus currency.
   */
  total: {
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
 * The checkout saga failed and compensated the steps it had completed. Key = checkoutId.
 */
export interface CheckoutFailedV1 {
  checkoutId: string;
  buyerId: string;
  orderId: string;
  /**
   * The saga step that failed or timed out.
   */
  failedStep:
    | 'SNAPSHOT_CART'
    | 'QUOTE_SHIPPING'
    | 'CREATE_ORDER'
    | 'RESERVE_STOCK'
    | 'REDEEM_COUPONS'
    | 'AUTHORIZE_PAYMENT'
    | 'CONFIRM_ORDER'
    | 'CLEAR_CART';
  /**
   * Stable error code the buyer sees, e.g. PAYMENT.DECLINED or CHECKOUT.STEP_TIMED_OUT.
   */
  code: string;
  /**
   * Human-readable reason.
   */
  message: string;
}
/**
 * A buyer placed an order: the checkout saga started. Key = checkoutId.
 */
export interface CheckoutStartedV1 {
  checkoutId: string;
  buyerId: string;
  cartId: string;
  /**
   * The order id the saga will create (generated up front).
   */
  orderId: string;
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
 * Reply (coupons → checkout) to coupons.redeem-coupons: every applied coupon is redeemed for the order; the discounts per line and per seller's shipping. Re-published unchanged for a repeated command. Key = orderId.
 */
export interface CouponsRedeemedV1 {
  orderId: string;
  checkoutId: string;
  /**
   * Integer minor units plus currency.
   */
  discountTotal: {
    /**
     * Integer minor units (cents); never a float.
     */
    amount: number;
    /**
     * ISO-4217 code.
     */
    currency: string;
  };
  lineDiscounts: {
    lineId: string;
    /**
     * Integer minor units plus currency.
     */
    amount: {
      /**
       * Integer minor units (cents); never a float.
       */
      amount: number;
      /**
       * ISO-4217 code.
       */
      currency: string;
    };
  }[];
  shippingDiscounts: {
    sellerId: string;
    /**
     * Integer minor units plus currency.
     */
    amount: {
      /**
       * Integer minor units (cents); never a float.
       */
      amount: number;
      /**
       * ISO-4217 code.
       */
      currency: string;
    };
  }[];
  coupons: {
    couponId: string;
    code: string;
    /**
     * Integer minor units plus currency.
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
  }[];
}
/**
 * Reply (coupons → checkout) to coupons.redeem-coupons: a coupon cannot be applied or redeemed; nothing was redeemed. Key = orderId.
 */
export interface CouponsRedemptionRejectedV1 {
  orderId: string;
  checkoutId: string;
  couponCode: string;
  code: string;
  message: string;
}
/**
 * Command (checkout → coupons): redeem the codes for the order (all or nothing) and compute line and shipping discounts. Replies coupons.coupons-redeemed or coupons.coupons-redemption-rejected. Key = orderId; idempotent per orderId.
 */
export interface RedeemCouponsV1 {
  orderId: string;
  checkoutId: string;
  buyerId: string;
  currency: string;
  /**
   * @minItems 1
   */
  codes: [string, ...string[]];
  lines: {
    lineId: string;
    sellerId: string;
    quantity: number;
    /**
     * Integer minor units plus currency.
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
  }[];
  shipping: {
    sellerId: string;
    /**
     * Integer minor units plus currency.
     */
    amount: {
      /**
       * Integer minor units (cents); never a float.
       */
      amount: number;
      /**
       * ISO-4217 code.
       */
      currency: string;
    };
  }[];
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
 * Command (checkout → coupons): release the order's redemptions (compensation). Idempotent; no reply awaited. Key = orderId.
 */
export interface ReleaseRedemptionsV1 {
  orderId: string;
  checkoutId: string;
  reason: string;
}
/**
 * Command (checkout → inventory): commit the reservation (the order was confirmed). Idempotent; fire-and-forget. Key = reference.
 */
export interface CommitReservationV1 {
  /**
   * order:<orderId>
   */
  reference: string;
  reason: string;
}
/**
 * Command (checkout → inventory): release the reservation (compensation). Idempotent; no reply awaited. Key = reference.
 */
export interface ReleaseReservationV1 {
  /**
   * order:<orderId>
   */
  reference: string;
  reason: string;
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
 * Reply (inventory → checkout) to inventory.reserve-stock: nothing was reserved (and the cart hold is unchanged). Key = reference.
 */
export interface ReservationFailedV1 {
  reference: string;
  /**
   * RESERVATION.INSUFFICIENT_STOCK, RESERVATION.REFERENCE_REUSED, RESERVATION.RELEASED, RESERVATION.EXPIRED, VALIDATION.*
   */
  code: string;
  message: string;
  shortages: {
    sku: string;
    requested: number;
    available: number;
  }[];
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
 * Command (checkout → inventory): reserve all lines FIRM (all or nothing) under the reference, releasing the cart hold in the same transaction. Replies inventory.stock-reserved (kind FIRM) or inventory.reservation-failed. Key = reference; idempotent per reference.
 */
export interface ReserveStockV1 {
  /**
   * order:<orderId>
   */
  reference: string;
  /**
   * @minItems 1
   */
  lines: [
    {
      sku: string;
      quantity: number;
    },
    ...{
      sku: string;
      quantity: number;
    }[],
  ];
  /**
   * How long the reservation holds unless committed.
   */
  ttlSeconds: number;
  /**
   * cart:<cartId> of the hold to release, or null.
   */
  releaseCartHold: string | null;
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
 * A notification was delivered to a user on one channel. Carries no message body. Key = notificationId.
 */
export interface NotificationSentV1 {
  notificationId: string;
  userId: string;
  channel: 'EMAIL' | 'SMS' | 'PUSH';
  category: 'ORDER_UPDATES' | 'PAYMENTS' | 'SHIPPING' | 'MARKETING';
  /**
   * The template, e.g. orders.order-confirmed.
   */
  kind: string;
  /**
   * Envelope id of the event that caused the notification.
   */
  sourceEventId: string;
  sentAt: string;
}
/**
 * Reply (owner → operations): the rebuild job finished; `detail` says what it did (e.g. documents indexed, ratings corrected). Key = jobId.
 */
export interface RebuildCompletedV1 {
  jobId: string;
  readModel: 'SEARCH_INDEX' | 'REVIEW_RATINGS';
  finishedAt: string;
  detail: string;
}
/**
 * Reply (owner → operations): the rebuild job failed or was refused (e.g. SEARCH.REBUILD_RUNNING); the read model is as it was. Key = jobId.
 */
export interface RebuildFailedV1 {
  jobId: string;
  readModel: 'SEARCH_INDEX' | 'REVIEW_RATINGS';
  finishedAt: string;
  code: string;
  message: string;
}
/**
 * Command (operations → the read model's owner: search for SEARCH_INDEX, reviews for REVIEW_RATINGS): rebuild the read model from the owner's own data. Replies on operations.rebuilds. Key = jobId; idempotent per jobId.
 */
export interface RebuildReadModelV1 {
  jobId: string;
  readModel: 'SEARCH_INDEX' | 'REVIEW_RATINGS';
  /**
   * The admin's user id.
   */
  requestedBy: string;
}
/**
 * Reply (owner → operations): the owner took the rebuild job and started it. Key = jobId.
 */
export interface RebuildStartedV1 {
  jobId: string;
  readModel: 'SEARCH_INDEX' | 'REVIEW_RATINGS';
  startedAt: string;
}
/**
 * Command (checkout → orders): compensation, cancel the order with the reason the buyer sees. Replies orders.order-cancelled (once). Key = orderId; idempotent per orderId.
 */
export interface CancelOrderV1 {
  orderId: string;
  checkoutId: string;
  code: string;
  message: string;
}
/**
 * Command (checkout → orders): apply the discounts and confirm (PENDING → CONFIRMED) once the payment is authorized. Replies orders.order-confirmed. Key = orderId; idempotent per orderId.
 */
export interface ConfirmOrderV1 {
  orderId: string;
  checkoutId: string;
  paymentId: string;
  lineDiscounts: {
    lineId: string;
    /**
     * Integer minor units plus currency.
     */
    amount: {
      /**
       * Integer minor units (cents); never a float.
       */
      amount: number;
      /**
       * ISO-4217 code.
       */
      currency: string;
    };
  }[];
  shippingDiscounts: {
    sellerId: string;
    /**
     * Integer minor units plus currency.
     */
    amount: {
      /**
       * Integer minor units (cents); never a float.
       */
      amount: number;
      /**
       * ISO-4217 code.
       */
      currency: string;
    };
  }[];
}
/**
 * Command (checkout → orders): create the PENDING order from the price snapshot. Replies orders.order-created. Key = orderId; idempotent per orderId (a re-sent command gets the reply again).
 */
export interface CreateOrderV1 {
  orderId: string;
  checkoutId: string;
  buyerId: string;
  currency: string;
  shippingAddress: {
    fullName: string;
    line1: string;
    line2: string | null;
    city: string;
    region: string | null;
    postalCode: string;
    country: string;
    phone: string | null;
  };
  /**
   * @minItems 1
   */
  lines: [
    {
      lineId: string;
      sku: string;
      variantId: string;
      productId: string;
      sellerId: string;
      productName: string;
      variantName: string | null;
      quantity: number;
      /**
       * Integer minor units plus currency.
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
    },
    ...{
      lineId: string;
      sku: string;
      variantId: string;
      productId: string;
      sellerId: string;
      productName: string;
      variantName: string | null;
      quantity: number;
      /**
       * Integer minor units plus currency.
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
    }[],
  ];
  shipping: {
    sellerId: string;
    /**
     * Integer minor units plus currency.
     */
    amount: {
      /**
       * Integer minor units (cents); never a float.
       */
      amount: number;
      /**
       * ISO-4217 code.
       */
      currency: string;
    };
  }[];
}
/**
 * The order was cancelled (saga compensation, buyer or admin). Payments voids an authorized payment on it; inventory puts restock units back. Key = orderId.
 */
export interface OrderCancelledV1 {
  orderId: string;
  checkoutId: string | null;
  buyerId: string;
  previousStatus:
    'PENDING' | 'CONFIRMED' | 'PAID' | 'SHIPPED' | 'COMPLETED' | 'CANCELLED' | 'REFUNDED' | 'FAILED';
  code: string;
  message: string;
  paymentId: string | null;
  /**
   * Units that go back to stock: every line of an order cancelled while CONFIRMED (its stock was committed); empty otherwise (a PENDING order's reservation is released by the saga, a PAID order restocks through its refund).
   */
  restock: {
    sku: string;
    quantity: number;
  }[];
  version: number;
}
/**
 * The order was cancelled (saga compensation, buyer or admin). Payments voids an authorized payment on it; inventory puts restock units back. Key = orderId. v2: v1 with the order number (`orderNumber`); published beside v1 until every consumer reads v2.
 */
export interface OrderCancelledV2 {
  orderId: string;
  /**
   * What buyers, sellers and support call the order, e.g. MP-7KQ2M4XD: unique, assigned once when the order is created.
   */
  orderNumber: string;
  checkoutId: string | null;
  buyerId: string;
  previousStatus:
    'PENDING' | 'CONFIRMED' | 'PAID' | 'SHIPPED' | 'COMPLETED' | 'CANCELLED' | 'REFUNDED' | 'FAILED';
  code: string;
  message: string;
  paymentId: string | null;
  /**
   * Units that go back to stock: every line of an order cancelled while CONFIRMED (its stock was committed); empty otherwise (a PENDING order's reservation is released by the saga, a PAID order restocks through its refund).
   */
  restock: {
    sku: string;
    quantity: number;
  }[];
  version: number;
}
/**
 * Every sub-order of the order has been delivered. Key = orderId.
 */
export interface OrderCompletedV1 {
  orderId: string;
  buyerId: string;
  version: number;
}
/**
 * Every sub-order of the order has been delivered. Key = orderId. v2: v1 with the order number (`orderNumber`); published beside v1 until every consumer reads v2.
 */
export interface OrderCompletedV2 {
  orderId: string;
  /**
   * What buyers, sellers and support call the order, e.g. MP-7KQ2M4XD: unique, assigned once when the order is created.
   */
  orderNumber: string;
  buyerId: string;
  version: number;
}
/**
 * Discounts applied and payment authorized: the order is CONFIRMED. Reply to orders.confirm-order; payments captures on it. Key = orderId.
 */
export interface OrderConfirmedV1 {
  orderId: string;
  checkoutId: string;
  buyerId: string;
  paymentId: string;
  currency: string;
  /**
   * Integer minor units plus currency.
   */
  total: {
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
   * Integer minor units plus currency.
   */
  discountTotal: {
    /**
     * Integer minor units (cents); never a float.
     */
    amount: number;
    /**
     * ISO-4217 code.
     */
    currency: string;
  };
  subOrders: {
    subOrderId: string;
    sellerId: string;
    /**
     * Integer minor units plus currency.
     */
    total: {
      /**
       * Integer minor units (cents); never a float.
       */
      amount: number;
      /**
       * ISO-4217 code.
       */
      currency: string;
    };
  }[];
  version: number;
}
/**
 * Discounts applied and payment authorized: the order is CONFIRMED. Reply to orders.confirm-order; payments captures on it. Key = orderId. v2: v1 with the order number (`orderNumber`, and `subOrderNumber` per sub-order); published beside v1 until every consumer reads v2.
 */
export interface OrderConfirmedV2 {
  orderId: string;
  /**
   * What buyers, sellers and support call the order, e.g. MP-7KQ2M4XD: unique, assigned once when the order is created.
   */
  orderNumber: string;
  checkoutId: string;
  buyerId: string;
  paymentId: string;
  currency: string;
  /**
   * Integer minor units plus currency.
   */
  total: {
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
   * Integer minor units plus currency.
   */
  discountTotal: {
    /**
     * Integer minor units (cents); never a float.
     */
    amount: number;
    /**
     * ISO-4217 code.
     */
    currency: string;
  };
  subOrders: {
    subOrderId: string;
    /**
     * The order number and the sub-order's place, e.g. MP-7KQ2M4XD-2.
     */
    subOrderNumber: string;
    sellerId: string;
    /**
     * Integer minor units plus currency.
     */
    total: {
      /**
       * Integer minor units (cents); never a float.
       */
      amount: number;
      /**
       * ISO-4217 code.
       */
      currency: string;
    };
  }[];
  version: number;
}
/**
 * The order exists (PENDING), split into one sub-order per seller. Reply to orders.create-order. Key = orderId.
 */
export interface OrderCreatedV1 {
  orderId: string;
  checkoutId: string;
  buyerId: string;
  status: 'PENDING' | 'CONFIRMED' | 'PAID' | 'SHIPPED' | 'COMPLETED' | 'CANCELLED' | 'REFUNDED' | 'FAILED';
  currency: string;
  /**
   * Integer minor units plus currency.
   */
  subtotal: {
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
   * Integer minor units plus currency.
   */
  shippingTotal: {
    /**
     * Integer minor units (cents); never a float.
     */
    amount: number;
    /**
     * ISO-4217 code.
     */
    currency: string;
  };
  subOrders: {
    subOrderId: string;
    sellerId: string;
    lineIds: string[];
    /**
     * Integer minor units plus currency.
     */
    subtotal: {
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
     * Integer minor units plus currency.
     */
    shipping: {
      /**
       * Integer minor units (cents); never a float.
       */
      amount: number;
      /**
       * ISO-4217 code.
       */
      currency: string;
    };
  }[];
  version: number;
}
/**
 * The order exists (PENDING), split into one sub-order per seller. Reply to orders.create-order. Key = orderId. v2: v1 with the order number (`orderNumber`, and `subOrderNumber` per sub-order); published beside v1 until every consumer reads v2.
 */
export interface OrderCreatedV2 {
  orderId: string;
  /**
   * What buyers, sellers and support call the order, e.g. MP-7KQ2M4XD: unique, assigned once when the order is created.
   */
  orderNumber: string;
  checkoutId: string;
  buyerId: string;
  status: 'PENDING' | 'CONFIRMED' | 'PAID' | 'SHIPPED' | 'COMPLETED' | 'CANCELLED' | 'REFUNDED' | 'FAILED';
  currency: string;
  /**
   * Integer minor units plus currency.
   */
  subtotal: {
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
   * Integer minor units plus currency.
   */
  shippingTotal: {
    /**
     * Integer minor units (cents); never a float.
     */
    amount: number;
    /**
     * ISO-4217 code.
     */
    currency: string;
  };
  subOrders: {
    subOrderId: string;
    /**
     * The order number and the sub-order's place, e.g. MP-7KQ2M4XD-2.
     */
    subOrderNumber: string;
    sellerId: string;
    lineIds: string[];
    /**
     * Integer minor units plus currency.
     */
    subtotal: {
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
     * Integer minor units plus currency.
     */
    shipping: {
      /**
       * Integer minor units (cents); never a float.
       */
      amount: number;
      /**
       * ISO-4217 code.
       */
      currency: string;
    };
  }[];
  version: number;
}
/**
 * The payment was captured: the order is PAID. Shipping creates one shipment per sub-order. Key = orderId.
 */
export interface OrderPaidV1 {
  orderId: string;
  buyerId: string;
  paymentId: string;
  currency: string;
  shippingAddress: {
    fullName: string;
    line1: string;
    line2: string | null;
    city: string;
    region: string | null;
    postalCode: string;
    country: string;
    phone: string | null;
  };
  subOrders: {
    subOrderId: string;
    sellerId: string;
    /**
     * Integer minor units plus currency.
     */
    shipping: {
      /**
       * Integer minor units (cents); never a float.
       */
      amount: number;
      /**
       * ISO-4217 code.
       */
      currency: string;
    };
    items: {
      lineId: string;
      sku: string;
      quantity: number;
    }[];
  }[];
  version: number;
}
/**
 * The payment was captured: the order is PAID. Shipping creates one shipment per sub-order. Key = orderId. v2: v1 with the order number (`orderNumber`, and `subOrderNumber` per sub-order); published beside v1 until every consumer reads v2.
 */
export interface OrderPaidV2 {
  orderId: string;
  /**
   * What buyers, sellers and support call the order, e.g. MP-7KQ2M4XD: unique, assigned once when the order is created.
   */
  orderNumber: string;
  buyerId: string;
  paymentId: string;
  currency: string;
  shippingAddress: {
    fullName: string;
    line1: string;
    line2: string | null;
    city: string;
    region: string | null;
    postalCode: string;
    country: string;
    phone: string | null;
  };
  subOrders: {
    subOrderId: string;
    /**
     * The order number and the sub-order's place, e.g. MP-7KQ2M4XD-2.
     */
    subOrderNumber: string;
    sellerId: string;
    /**
     * Integer minor units plus currency.
     */
    shipping: {
      /**
       * Integer minor units (cents); never a float.
       */
      amount: number;
      /**
       * ISO-4217 code.
       */
      currency: string;
    };
    items: {
      lineId: string;
      sku: string;
      quantity: number;
    }[];
  }[];
  version: number;
}
/**
 * Payments refunded a request: restock lists the units of not-yet-shipped sub-orders that go back to stock. Key = orderId.
 */
export interface OrderRefundedV1 {
  orderId: string;
  buyerId: string;
  refundRequestId: string;
  subOrderId: string;
  /**
   * Integer minor units plus currency.
   */
  amount: {
    /**
     * Integer minor units (cents); never a float.
     */
    amount: number;
    /**
     * ISO-4217 code.
     */
    currency: string;
  };
  orderFullyRefunded: boolean;
  /**
   * True when this refund made the sub-order REFUNDED (every unit refunded): its parcel, if not dispatched, will not be sent.
   */
  subOrderRefunded: boolean;
  restock: {
    sku: string;
    quantity: number;
  }[];
  version: number;
}
/**
 * Payments refunded a request: restock lists the units of not-yet-shipped sub-orders that go back to stock. Key = orderId. v2: v1 with the order number (`orderNumber`); published beside v1 until every consumer reads v2.
 */
export interface OrderRefundedV2 {
  orderId: string;
  /**
   * What buyers, sellers and support call the order, e.g. MP-7KQ2M4XD: unique, assigned once when the order is created.
   */
  orderNumber: string;
  buyerId: string;
  refundRequestId: string;
  subOrderId: string;
  /**
   * Integer minor units plus currency.
   */
  amount: {
    /**
     * Integer minor units (cents); never a float.
     */
    amount: number;
    /**
     * ISO-4217 code.
     */
    currency: string;
  };
  orderFullyRefunded: boolean;
  /**
   * True when this refund made the sub-order REFUNDED (every unit refunded): its parcel, if not dispatched, will not be sent.
   */
  subOrderRefunded: boolean;
  restock: {
    sku: string;
    quantity: number;
  }[];
  version: number;
}
/**
 * Every sub-order of the order has been dispatched. Key = orderId.
 */
export interface OrderShippedV1 {
  orderId: string;
  buyerId: string;
  version: number;
}
/**
 * Every sub-order of the order has been dispatched. Key = orderId. v2: v1 with the order number (`orderNumber`); published beside v1 until every consumer reads v2.
 */
export interface OrderShippedV2 {
  orderId: string;
  /**
   * What buyers, sellers and support call the order, e.g. MP-7KQ2M4XD: unique, assigned once when the order is created.
   */
  orderNumber: string;
  buyerId: string;
  version: number;
}
/**
 * A refund request was approved (by the seller, an admin, or automatically on cancellation of a paid order): payments refunds the amount. Key = orderId.
 */
export interface RefundApprovedV1 {
  refundRequestId: string;
  orderId: string;
  subOrderId: string;
  sellerId: string;
  buyerId: string;
  paymentId: string;
  /**
   * Integer minor units plus currency.
   */
  amount: {
    /**
     * Integer minor units (cents); never a float.
     */
    amount: number;
    /**
     * ISO-4217 code.
     */
    currency: string;
  };
  lines: {
    lineId: string;
    sku: string;
    quantity: number;
    /**
     * Integer minor units plus currency.
     */
    amount: {
      /**
       * Integer minor units (cents); never a float.
       */
      amount: number;
      /**
       * ISO-4217 code.
       */
      currency: string;
    };
  }[];
  approvedBy: string;
}
/**
 * The seller (or an admin) rejected a refund request, or payments failed to refund it (code ORDER.REFUND_FAILED). Key = orderId.
 */
export interface RefundRejectedV1 {
  refundRequestId: string;
  orderId: string;
  subOrderId: string;
  sellerId: string;
  buyerId: string;
  reason: string;
}
/**
 * The buyer asked for a refund of lines of one sub-order; its seller (or an admin) decides. Key = orderId.
 */
export interface RefundRequestedV1 {
  refundRequestId: string;
  orderId: string;
  subOrderId: string;
  sellerId: string;
  buyerId: string;
  /**
   * Integer minor units plus currency.
   */
  amount: {
    /**
     * Integer minor units (cents); never a float.
     */
    amount: number;
    /**
     * ISO-4217 code.
     */
    currency: string;
  };
  reason: string;
}
/**
 * Command (checkout → payments): authorize the amount with the provider. Replies payments.payment-authorized or payments.payment-failed. Key = paymentId; idempotent per paymentId.
 */
export interface AuthorizePaymentV1 {
  paymentId: string;
  orderId: string;
  checkoutId: string;
  buyerId: string;
  /**
   * Integer minor units plus currency.
   */
  amount: {
    /**
     * Integer minor units (cents); never a float.
     */
    amount: number;
    /**
     * ISO-4217 code.
     */
    currency: string;
  };
  method: {
    provider: 'SANDBOX' | 'STRIPE' | 'RAZORPAY';
    /**
     * Provider payment token.
     */
    token: string;
  };
  /**
   * Provider idempotency key, stable across re-sends.
   */
  idempotencyKey: string;
  /**
   * Per seller (sub-order) amounts; sums exactly to amount.
   *
   * @minItems 1
   */
  splits: [
    {
      sellerId: string;
      subOrderId: string;
      /**
       * Integer minor units plus currency.
       */
      amount: {
        /**
         * Integer minor units (cents); never a float.
         */
        amount: number;
        /**
         * ISO-4217 code.
         */
        currency: string;
      };
    },
    ...{
      sellerId: string;
      subOrderId: string;
      /**
       * Integer minor units plus currency.
       */
      amount: {
        /**
         * Integer minor units (cents); never a float.
         */
        amount: number;
        /**
         * ISO-4217 code.
         */
        currency: string;
      };
    }[],
  ];
}
/**
 * Reply to payments.authorize-payment: the provider authorized (held) the amount. Re-sent unchanged when the command is re-sent.
 */
export interface PaymentAuthorizedV1 {
  paymentId: string;
  orderId: string;
  checkoutId: string;
  buyerId: string;
  amount: {
    amount: number;
    currency: string;
  };
  provider: 'SANDBOX' | 'STRIPE' | 'RAZORPAY';
  /**
   * The provider's payment object id (PaymentIntent, Razorpay payment, sandbox reference).
   */
  providerReference: string;
  /**
   * The payment's version after this change.
   */
  version: number;
}
/**
 * The authorized amount was captured (once per payment, whichever of the provider's answer or webhook came first).
 */
export interface PaymentCapturedV1 {
  paymentId: string;
  orderId: string;
  buyerId: string;
  amount: {
    amount: number;
    currency: string;
  };
  capturedAt: string;
  /**
   * The payment's version after this change.
   */
  version: number;
}
/**
 * Reply to payments.authorize-payment: the payment was not authorized (declined, provider unavailable, voided before authorization).
 */
export interface PaymentFailedV1 {
  paymentId: string;
  orderId: string;
  checkoutId: string;
  buyerId: string;
  /**
   * Stable code: PAYMENT.DECLINED, PAYMENT.PROVIDER_UNAVAILABLE, PAYMENT.VOIDED, PAYMENT.INVALID.
   */
  code: string;
  message: string;
  declineCode: string | null;
  /**
   * The payment's version after this change.
   */
  version: number;
}
/**
 * A refund (for one approved refund request) succeeded at the provider; ledger entries were posted.
 */
export interface PaymentRefundedV1 {
  paymentId: string;
  orderId: string;
  buyerId: string;
  refundId: string;
  refundRequestId: string;
  amount: {
    amount: number;
    currency: string;
  };
  /**
   * Everything refunded on the payment so far, this refund included.
   */
  refundedTotal: {
    amount: number;
    currency: string;
  };
  /**
   * The payment's version after this change.
   */
  version: number;
}
/**
 * The authorization was released (checkout compensation or order cancelled before capture).
 */
export interface PaymentVoidedV1 {
  paymentId: string;
  orderId: string;
  /**
   * CAPTURE_FAILED when the provider refused the capture for good (orders then cancels the order); otherwise the reason the void was asked for.
   */
  reason: string;
  /**
   * The payment's version after this change.
   */
  version: number;
}
/**
 * A refund request could not be refunded (policy refused it or the provider failed it).
 */
export interface RefundFailedV1 {
  paymentId: string;
  orderId: string;
  refundRequestId: string;
  /**
   * Stable code: REFUND.EXCEEDS_CAPTURED, REFUND.NOT_REFUNDABLE, REFUND.PROVIDER_FAILED, REFUND.UNKNOWN_PAYMENT, ...
   */
  code: string;
  message: string;
  /**
   * The payment's version (0 when the payment is unknown).
   */
  version: number;
}
/**
 * Command (checkout → payments): void the authorization (compensation). Idempotent; no reply awaited. Key = paymentId.
 */
export interface VoidPaymentV1 {
  paymentId: string;
  orderId: string;
  reason: string;
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
 * A product's rating summary after a review was submitted, edited, hidden or restored: average and count of its PUBLISHED reviews. Key = productId.
 */
export interface ProductRatingChangedV1 {
  productId: string;
  sellerId: string;
  /**
   * Mean stars of the published reviews rounded half up to one decimal (1.0 to 5.0); null when count is 0.
   */
  average: number | null;
  /**
   * Number of PUBLISHED reviews.
   */
  count: number;
  /**
   * Version of the product's rating summary after the change; consumers ignore older ones.
   */
  version: number;
}
/**
 * Command (checkout → shipping): quote shipping per seller parcel to the destination. Replies shipping.shipping-quoted or shipping.shipping-quote-rejected. Key = checkoutId.
 */
export interface QuoteShippingV1 {
  checkoutId: string;
  currency: string;
  /**
   * A postal address.
   */
  destination: {
    fullName: string;
    line1: string;
    /**
     * Second address line or null.
     */
    line2: string | null;
    city: string;
    /**
     * State/region or null.
     */
    region: string | null;
    postalCode: string;
    /**
     * ISO-3166 alpha-2.
     */
    country: string;
    /**
     * Phone or null.
     */
    phone: string | null;
  };
  /**
   * @minItems 1
   *
   * Items: The items one seller ships.
   */
  parcels: [
    {
      sellerId: string;
      /**
       * @minItems 1
       */
      items: [
        {
          sku: string;
          quantity: number;
        },
        ...{
          sku: string;
          quantity: number;
        }[],
      ];
    },
    ...{
      sellerId: string;
      /**
       * @minItems 1
       */
      items: [
        {
          sku: string;
          quantity: number;
        },
        ...{
          sku: string;
          quantity: number;
        }[],
      ];
    }[],
  ];
}
/**
 * A paid sub-order got its shipment (PENDING), waiting for the seller to dispatch it. Key = shipmentId.
 */
export interface ShipmentCreatedV1 {
  shipmentId: string;
  orderId: string;
  subOrderId: string;
  sellerId: string;
  buyerId: string;
  status: 'PENDING' | 'DISPATCHED' | 'DELIVERED' | 'CANCELLED';
  /**
   * Carrier name once dispatched, else null.
   */
  carrier: string | null;
  /**
   * Carrier tracking number once dispatched, else null.
   */
  trackingNumber: string | null;
  occurredAt: string;
  /**
   * Version of the shipment after the change.
   */
  version: number;
}
/**
 * The parcel reached the buyer (DELIVERED). Key = shipmentId.
 */
export interface ShipmentDeliveredV1 {
  shipmentId: string;
  orderId: string;
  subOrderId: string;
  sellerId: string;
  buyerId: string;
  status: 'PENDING' | 'DISPATCHED' | 'DELIVERED' | 'CANCELLED';
  /**
   * Carrier name once dispatched, else null.
   */
  carrier: string | null;
  /**
   * Carrier tracking number once dispatched, else null.
   */
  trackingNumber: string | null;
  occurredAt: string;
  /**
   * Version of the shipment after the change.
   */
  version: number;
}
/**
 * The seller handed the parcel to a carrier (DISPATCHED), with carrier and tracking number. Key = shipmentId.
 */
export interface ShipmentDispatchedV1 {
  shipmentId: string;
  orderId: string;
  subOrderId: string;
  sellerId: string;
  buyerId: string;
  status: 'PENDING' | 'DISPATCHED' | 'DELIVERED' | 'CANCELLED';
  /**
   * Carrier name once dispatched, else null.
   */
  carrier: string | null;
  /**
   * Carrier tracking number once dispatched, else null.
   */
  trackingNumber: string | null;
  occurredAt: string;
  /**
   * Version of the shipment after the change.
   */
  version: number;
}
/**
 * Reply (shipping → checkout): the checkout cannot be shipped as asked. Key = checkoutId.
 */
export interface ShippingQuoteRejectedV1 {
  checkoutId: string;
  /**
   * SHIPPING.DESTINATION_NOT_SERVED, SHIPPING.TOO_HEAVY or SHIPPING.CURRENCY_NOT_SUPPORTED.
   */
  code: string;
  message: string;
}
/**
 * Reply (shipping → checkout): the shipping price of every seller parcel of the checkout, cheapest STANDARD rate of the destination. Key = checkoutId.
 */
export interface ShippingQuotedV1 {
  checkoutId: string;
  /**
   * @minItems 1
   */
  quotes: [
    {
      sellerId: string;
      /**
       * Service level, e.g. STANDARD.
       */
      service: string;
      /**
       * Integer minor units plus currency.
       */
      amount: {
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
       * Total parcel weight the quote is based on.
       */
      weightGrams: number;
    },
    ...{
      sellerId: string;
      /**
       * Service level, e.g. STANDARD.
       */
      service: string;
      /**
       * Integer minor units plus currency.
       */
      amount: {
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
       * Total parcel weight the quote is based on.
       */
      weightGrams: number;
    }[],
  ];
}
/**
 * The webhook sidecar verified a payment provider's webhook signature and stored the event once (deduplicated by provider and provider event id). No business meaning is added: payments interprets it. Key = `<provider>:<objectId>` so one payment's events stay in order.
 */
export interface ProviderEventReceivedV1 {
  /**
   * Which provider sent the webhook.
   */
  provider: 'stripe' | 'razorpay' | 'sandbox';
  /**
   * The provider's own event id (Stripe `evt_...`, Razorpay `X-Razorpay-Event-Id`, sandbox `evt_sbx_...`).
   */
  providerEventId: string;
  /**
   * The provider's event type, e.g. `payment_intent.succeeded`, `payment.captured`.
   */
  eventType: string;
  /**
   * The provider object the event is about (PaymentIntent id, Razorpay payment id, sandbox reference); null when the event names none.
   */
  objectId: string | null;
  /**
   * When the sidecar accepted the webhook.
   */
  receivedAt: string;
  /**
   * The provider's event JSON exactly as received (after signature verification).
   */
  payload: {
    [k: string]: unknown;
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
