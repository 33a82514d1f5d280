import type { EntityManager } from '@mikro-orm/postgresql';
import { InvariantViolation } from '@marketplace/shared-kernel';
import type { CatalogItem, ProductStatus, SellerStatus } from '../../domain/catalog-item.js';
import type { CatalogProduct, SkuCatalog, SkuCatalogProjection } from '../../application/ports.js';

interface ItemRow {
  variant_id: string;
  sku: string;
  variant_name: string;
  price_amount: string | number | null;
  price_currency: string | null;
  listed: boolean;
  product_id: string;
  seller_id: string;
  product_name: string;
  status: ProductStatus;
  seller_status: SellerStatus | null;
}

// The seller's standing rides along in the same query, so a view stays one statement
// whatever the number of lines and sellers.
const SELECT_ITEMS = `
  select s.variant_id, s.sku, s.name as variant_name, s.price_amount, s.price_currency, s.listed,
         p.product_id, p.seller_id, p.name as product_name, p.status, st.status as seller_status
    from sku_catalog s
    join catalog_product p on p.product_id = s.product_id
    left join seller_standing st on st.seller_id = p.seller_id`;

const placeholders = (n: number) => Array.from({ length: n }, () => '?').join(', ');

function toItem(row: ItemRow): CatalogItem {
  let price: CatalogItem['price'] = null;
  if (row.price_amount !== null && row.price_currency !== null) {
    // bigint arrives as text; minor units stay exact below 2^53.
    const amount = Number(row.price_amount);
    if (!Number.isSafeInteger(amount))
      throw new InvariantViolation('CART.BAD_PRICE', `price of ${row.variant_id} is not a safe integer`);
    price = { amount, currency: row.price_currency.trim() };
  }
  return {
    variantId: row.variant_id,
    sku: row.sku,
    productId: row.product_id,
    sellerId: row.seller_id,
    productName: row.product_name,
    variantName: row.variant_name,
    price,
    productStatus: row.status,
    listed: row.listed,
    sellerStatus: row.seller_status,
  };
}

/** Reads the read model (with the sellers' standing): one query for any number of variants. */
export class PgSkuCatalog implements SkuCatalog {
  constructor(private readonly em: EntityManager) {}

  async byVariantIds(variantIds: readonly string[]): Promise<Map<string, CatalogItem>> {
    const ids = [...new Set(variantIds)];
    if (ids.length === 0) return new Map();
    const rows = await this.em.execute<ItemRow[]>(
      `${SELECT_ITEMS} where s.variant_id in (${placeholders(ids.length)})`,
      ids,
    );
    return new Map(rows.map((row) => [row.variant_id, toItem(row)]));
  }

  async bySku(sku: string): Promise<CatalogItem | null> {
    // SKUs are unique among listed variants; a reused SKU resolves to its latest listing.
    const rows = await this.em.execute<ItemRow[]>(
      `${SELECT_ITEMS} where s.sku = ? and s.listed order by s.updated_at desc limit 1`,
      [sku],
    );
    return rows[0] ? toItem(rows[0]) : null;
  }
}

/**
 * Writes the read model inside the consumer's transaction (with its inbox record). The
 * version check and the write are one statement, so two deliveries racing cannot let the
 * older one win.
 */
export class PgSkuCatalogProjection implements SkuCatalogProjection {
  constructor(private readonly em: EntityManager) {}

  async apply(product: CatalogProduct, now: Date): Promise<boolean> {
    const at = now.toISOString();
    const applied = await this.em.execute<{ product_id: string }[]>(
      `insert into catalog_product (product_id, seller_id, name, status, version, updated_at)
       values (?, ?, ?, ?, ?, ?)
       on conflict (product_id) do update
         set seller_id = excluded.seller_id, name = excluded.name, status = excluded.status,
             version = excluded.version, updated_at = excluded.updated_at
         where catalog_product.version < excluded.version
       returning product_id`,
      [product.productId, product.sellerId, product.name, product.status, product.version, at],
    );
    if (applied.length === 0) return false;

    const variants = product.variants;
    if (variants.length > 0) {
      await this.em.execute(
        `insert into sku_catalog (variant_id, product_id, sku, name, price_amount, price_currency, listed, updated_at)
         values ${variants.map(() => '(?, ?, ?, ?, ?, ?, true, ?)').join(', ')}
         on conflict (variant_id) do update
           set product_id = excluded.product_id, sku = excluded.sku, name = excluded.name,
               price_amount = excluded.price_amount, price_currency = excluded.price_currency,
               listed = true, updated_at = excluded.updated_at`,
        variants.flatMap((v) => [
          v.variantId,
          product.productId,
          v.sku,
          v.name,
          v.price?.amount ?? null,
          v.price?.currency ?? null,
          at,
        ]),
      );
    }
    // Variants the seller removed stay known (carts still name them) but are no longer listed.
    const kept = variants.map((v) => v.variantId);
    await this.em.execute(
      `update sku_catalog set listed = false, updated_at = ?
        where product_id = ? and listed${kept.length > 0 ? ` and variant_id not in (${placeholders(kept.length)})` : ''}`,
      [at, product.productId, ...kept],
    );
    return true;
  }
}
