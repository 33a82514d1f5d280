import { Guard, combine, ok, type Result } from '@marketplace/shared-kernel';

/** The searchable projection of a product, rebuilt from every product event. */
export interface ProductDocument {
  productId: string;
  sellerId: string;
  name: string;
  description: string;
  priceAmount: number;
  currency: string;
  status: string;
  /** The product's version: older events never overwrite newer documents. */
  version: number;
  updatedAt: string;
}

export interface ProductEventPayload {
  productId: string;
  sellerId: string;
  version: number;
  snapshot: {
    name: string;
    description: string;
    price: { amount: number; currency: string };
    status: string;
  };
}

export function toDocument(payload: ProductEventPayload, occurredAt: string): ProductDocument {
  return {
    productId: payload.productId,
    sellerId: payload.sellerId,
    name: payload.snapshot.name,
    description: payload.snapshot.description,
    priceAmount: payload.snapshot.price.amount,
    currency: payload.snapshot.price.currency,
    status: payload.snapshot.status,
    version: payload.version,
    updatedAt: occurredAt,
  };
}

/** Only published products are found; drafts, unpublished and deleted ones stay hidden. */
export const SEARCHABLE_STATUS = 'PUBLISHED';

export interface SearchRequest {
  text: string;
  first: number;
}

export const SEARCH_LIMITS = { text: 200, first: 50 } as const;

export function searchRequest(text: string, first: number): Result<SearchRequest> {
  const checked = combine(
    Guard.text('query', text, { min: 0, max: SEARCH_LIMITS.text }),
    Guard.integer('first', first, { min: 1, max: SEARCH_LIMITS.first }),
  );
  if (!checked.ok) return checked;
  return ok({ text: checked.value[0], first: checked.value[1] });
}
