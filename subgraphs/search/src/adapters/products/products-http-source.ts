import { newId } from '@marketplace/shared-kernel';
import { validateEnvelope } from '@marketplace/event-contracts';
import { CORRELATION_HEADER, GATEWAY_SECRET_HEADER, signAccessToken } from '@marketplace/platform';
import type { ProductSnapshot } from '../../domain/product-document.js';
import type { ProductSource, SourceProduct } from '../../application/ports.js';

const QUERY = `query SearchRebuildSnapshots($after: String, $first: Int!) {
  adminProductSnapshots(after: $after, first: $first) {
    items { productId sellerId version createdAt snapshot }
    nextCursor
  }
}`;

/** The identity the rebuild acts as towards products: an admin, never a real user. */
const REBUILD_ACTOR_ID = '00000000-0000-7000-8000-000000005ea1';

export interface ProductsHttpSourceOptions {
  /** The products subgraph's GraphQL endpoint (PRODUCTS_URL). */
  url: string;
  gatewaySecret: string;
  jwtSecret: string;
  correlationId?: string;
}

/**
 * Reads the catalog page by page from the products subgraph's admin query
 * `adminProductSnapshots(after, first)`, called directly (not through the gateway) with the
 * gateway's shared secret and a short-lived admin token signed for the purpose. Every snapshot
 * is checked against the product event contract's snapshot schema before it is used.
 */
export class ProductsHttpSource implements ProductSource {
  private readonly correlationId: string;

  constructor(private readonly options: ProductsHttpSourceOptions) {
    this.correlationId = options.correlationId ?? newId();
  }

  async page(
    after: string | null,
    first: number,
  ): Promise<{ items: SourceProduct[]; nextCursor: string | null }> {
    const token = await signAccessToken(
      { userId: REBUILD_ACTOR_ID, role: 'admin', sellerId: null },
      this.options.jwtSecret,
      300,
    );
    const response = await fetch(this.options.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${token}`,
        [GATEWAY_SECRET_HEADER]: this.options.gatewaySecret,
        [CORRELATION_HEADER]: this.correlationId,
      },
      body: JSON.stringify({ query: QUERY, variables: { after, first } }),
      signal: AbortSignal.timeout(60_000),
    });
    const body = (await response.json().catch(() => null)) as {
      data?: { adminProductSnapshots?: { items: SourceProduct[]; nextCursor: string | null } | null };
      errors?: { message: string; extensions?: { code?: string } }[];
    } | null;
    const page = body?.data?.adminProductSnapshots;
    if (!response.ok || !page) {
      const reason = body?.errors?.map((e) => `${e.extensions?.code ?? 'ERROR'}: ${e.message}`).join('; ');
      throw new Error(`products answered ${response.status}: ${reason ?? 'no snapshot page'}`);
    }
    return { items: page.items.map(checked), nextCursor: page.nextCursor };
  }
}

/** Validates one item against the v2 product snapshot schema (the events' own contract). */
function checked(item: SourceProduct): SourceProduct {
  const probe = validateEnvelope({
    id: newId(),
    type: 'products.product-updated',
    version: 2,
    aggregateType: 'Product',
    aggregateId: item.productId,
    occurredAt: item.createdAt,
    correlationId: 'search-rebuild',
    causationId: null,
    producer: 'products',
    payload: {
      productId: item.productId,
      sellerId: item.sellerId,
      version: item.version,
      snapshot: item.snapshot,
    },
  });
  if (!probe.ok)
    throw new Error(`products returned an invalid snapshot for ${item.productId}: ${probe.error.message}`);
  return {
    productId: item.productId,
    sellerId: item.sellerId,
    version: item.version,
    createdAt: new Date(item.createdAt).toISOString(),
    snapshot: item.snapshot as ProductSnapshot,
  };
}
