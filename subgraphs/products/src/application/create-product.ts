import slugify from '@sindresorhus/slugify';
import { Guard, domainError, err, newId, ok, type Result } from '@marketplace/shared-kernel';
import {
  Product,
  type Attribute,
  type CategoryRef,
  type ImageInput,
  type VariantInput,
} from '../domain/product.js';
import { requireSeller } from './access.js';
import type { CategoryRepository, ProductRepository, ProductTransaction, ProductsContext } from './ports.js';

export interface CreateProductInput {
  name: string;
  description?: string | null;
  categoryId?: string | null;
  attributes?: Attribute[] | null;
  images?: ImageInput[] | null;
  variants?: VariantInput[] | null;
}

/**
 * A stable, readable URL key: the transliterated name plus the tail of the id, so two
 * products with the same name never collide and a rename never breaks a link.
 */
export function slugFor(name: string, id: string): string {
  const base = slugify(name).slice(0, 200).replace(/-+$/, '') || 'product';
  return `${base}-${id.replace(/-/g, '').slice(-8)}`;
}

export async function categoryPathOf(
  categoryId: string | null | undefined,
  categories: CategoryRepository,
): Promise<Result<CategoryRef[]>> {
  if (categoryId == null) return ok([]);
  const id = Guard.uuid('categoryId', categoryId);
  if (!id.ok) return id;
  const category = await categories.byId(id.value);
  return category
    ? ok(category.path)
    : err(domainError('CATEGORY.NOT_FOUND', 'No such category', 'categoryId'));
}

export async function claimSkus(products: ProductRepository, product: Product): Promise<Result<void>> {
  const taken = await products.claimSkus(
    product.id,
    product.variants.map((v) => ({ sku: v.sku, variantId: v.variantId })),
  );
  return taken
    ? err(domainError('PRODUCT.SKU_TAKEN', `SKU ${taken} is already in use`, 'sku'))
    : ok(undefined);
}

/**
 * Once the change is committed, cached views older than it are marked stale. Best effort: the
 * change stands if the cache fails (the platform logs it), the product's event invalidates
 * again and the TTL bounds the rest.
 */
export function refreshViewsAfterCommit(
  tx: ProductTransaction,
  ctx: ProductsContext,
  product: Product,
): void {
  const { id, version } = product;
  tx.afterCommit(() => ctx.views.invalidate(id, version));
}

/** A seller lists a new product in its own store, as a draft, optionally with variants. */
export async function createProduct(
  input: CreateProductInput,
  ctx: ProductsContext,
): Promise<Result<Product>> {
  const seller = requireSeller(ctx.actor);
  if (!seller.ok) return seller;
  const id = newId();
  return ctx.transaction(async (tx) => {
    const categoryPath = await categoryPathOf(input.categoryId, tx.categories);
    if (!categoryPath.ok) return categoryPath;
    const created = Product.create(
      {
        sellerId: seller.value,
        name: input.name,
        slug: slugFor(input.name, id),
        description: input.description ?? '',
        categoryPath: categoryPath.value,
        attributes: input.attributes ?? [],
        images: input.images ?? [],
        variants: input.variants ?? [],
      },
      ctx.clock.now(),
      id,
    );
    if (!created.ok) return created;
    const claimed = await claimSkus(tx.products, created.value);
    if (!claimed.ok) return claimed;
    tx.products.add(created.value);
    tx.track(created.value);
    refreshViewsAfterCommit(tx, ctx, created.value);
    return ok(created.value);
  });
}
