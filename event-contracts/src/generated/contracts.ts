/* Generated from schemas/ by scripts/generate-types.mjs. Do not edit: run `pnpm --filter @marketplace/event-contracts generate`. */

/**
 * The payload type of every event contract, keyed by `<type>@<version>`.
 */
export interface EventPayloads {
  'inventory.stock-adjusted@1': StockAdjustedV1;
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
