// type-graphql reads decorator metadata through this polyfill.
import 'reflect-metadata';
import { GraphQLError } from 'graphql';
import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { domainError, err, isUuid, type Result } from '@marketplace/shared-kernel';
import {
  ErrorResult,
  MoneyType,
  type ReferenceResolver,
  type RequestContext,
  type UseCases,
} from '@marketplace/platform';
import type { Product } from '../../domain/product.js';
import { Category } from '../../domain/category.js';
import { createProduct } from '../../application/create-product.js';
import {
  addVariant,
  deleteProduct,
  publishProduct,
  setVariantPrice,
  unpublishProduct,
  updateProduct,
  updateVariant,
} from '../../application/manage-product.js';
import { createCategory } from '../../application/manage-category.js';
import type { ProductsContext } from '../../application/ports.js';
import { isVisibleTo, toView, type ProductView } from '../../application/product-view.js';
import { CategoryReader, type ProductReader, type StorefrontCursor } from '../persistence/product-store.js';
import {
  AddVariantInput,
  CategoryNode,
  CategoryPayload,
  CategoryResult,
  CreateCategoryInput,
  CreateProductInput,
  PriceRange,
  ProductConnection,
  ProductNode,
  ProductPayload,
  ProductResult,
  ProductSnapshotPage,
  SellerRef,
  SetVariantPriceInput,
  UpdateProductInput,
  UpdateVariantInput,
  VariantNode,
} from './product.types.js';

/** A variant as the API returns it, carrying its product so `Variant.product` needs no lookup. */
export interface VariantView {
  id: string;
  sku: string;
  name: string;
  attributes: { name: string; value: string }[];
  price: { amount: number; currency: string } | null;
  product: ProductView;
}

const variantsOf = (view: ProductView): VariantView[] =>
  view.variants.map((v) => ({
    id: v.variantId,
    sku: v.sku,
    name: v.name,
    attributes: v.attributes,
    price: v.price,
    product: view,
  }));

const categories = new CategoryReader();

/** Batches every product lookup of a request into one cache round trip and at most one query. */
export function loadProduct(
  ctx: RequestContext,
  reader: ProductReader,
  id: string,
): Promise<ProductView | null> {
  if (!isUuid(id)) return Promise.resolve(null);
  return ctx.loaders
    .get<string, ProductView>('product', (ids) => reader.byIds(ctx.em, ids))
    .load(id.toLowerCase());
}

/** Whether the product's store is suspended; one query per request whatever the number of sellers. */
function sellerSuspended(ctx: RequestContext, reader: ProductReader, sellerId: string): Promise<boolean> {
  return ctx.loaders
    .get<string, boolean>('seller-suspended', async (ids) => {
      const suspended = await reader.suspended(ctx.em, ids);
      return ids.map((id) => suspended.has(id));
    })
    .load(sellerId)
    .then(Boolean);
}

async function visible(
  ctx: RequestContext,
  reader: ProductReader,
  view: ProductView | null,
): Promise<ProductView | null> {
  if (!view) return null;
  // Store standing only matters to a buyer looking at a published product: skip the lookup otherwise.
  const mayBypass = ctx.actor?.role === 'admin' || ctx.actor?.sellerId === view.sellerId;
  const suspended =
    mayBypass || view.status !== 'PUBLISHED' ? false : await sellerSuspended(ctx, reader, view.sellerId);
  return isVisibleTo(view, ctx.actor, suspended) ? view : null;
}

export function productReferenceResolver(reader: ProductReader): ReferenceResolver<ProductView> {
  return async (reference, ctx) => visible(ctx, reader, await loadProduct(ctx, reader, String(reference.id)));
}

export function variantReferenceResolver(reader: ProductReader): ReferenceResolver<VariantView> {
  return async (reference, ctx) => {
    const id = String(reference.id).toLowerCase();
    if (!isUuid(id)) return null;
    const owner = await ctx.loaders
      .get<string, ProductView>('product-by-variant', async (ids) => {
        const views = await reader.byVariantIds(ctx.em, ids);
        return ids.map((vid) => views.find((v) => v.variants.some((x) => x.variantId === vid)) ?? null);
      })
      .load(id);
    const shown = await visible(ctx, reader, owner);
    return shown ? (variantsOf(shown).find((v) => v.id === id) ?? null) : null;
  };
}

function loadCategory(ctx: RequestContext, id: string): Promise<Category | null> {
  return ctx.loaders
    .get<string, Category>('category', async (ids) => {
      const rows = await categories.byIds(ctx.em, ids);
      return ids.map((cid) => rows.find((c) => c.id === cid) ?? null);
    })
    .load(id);
}

export const categoryReferenceResolver: ReferenceResolver<Category> = (reference, ctx) =>
  isUuid(String(reference.id)) ? loadCategory(ctx, String(reference.id).toLowerCase()) : null;

const encodeCursor = (c: StorefrontCursor) => Buffer.from(`${c.publishedAt}|${c.id}`).toString('base64url');
function decodeCursor(raw: string | null | undefined): StorefrontCursor | null | 'invalid' {
  if (!raw) return null;
  const [publishedAt, id] = Buffer.from(raw, 'base64url').toString().split('|');
  return publishedAt && id && isUuid(id) && !Number.isNaN(Date.parse(publishedAt))
    ? { publishedAt, id }
    : 'invalid';
}

const clampPage = (first: number) => Math.min(Math.max(first, 1), 100);

/** The resolvers: queries read through `reader`, mutations run the use cases with `uc`'s contexts. */
export function createProductResolver(uc: UseCases<ProductsContext>, reader: ProductReader) {
  const present = async (result: Promise<Result<Product>>): Promise<typeof ProductResult> => {
    const r = await result;
    if (!r.ok) return ErrorResult.of(r.error);
    return Object.assign(new ProductPayload(), { product: toView(r.value) });
  };

  @Resolver(() => ProductNode)
  class ProductResolver {
    @Query(() => ProductNode, {
      nullable: true,
      description: 'A product by id; drafts only for their seller.',
    })
    async product(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<ProductView | null> {
      return visible(ctx, reader, await loadProduct(ctx, reader, id));
    }

    @Query(() => ProductNode, { nullable: true, description: 'A product by its URL slug.' })
    async productBySlug(
      @Arg('slug', () => String) slug: string,
      @Ctx() ctx: RequestContext,
    ): Promise<ProductView | null> {
      if (slug.length > 220) return null;
      return visible(ctx, reader, await reader.bySlug(ctx.em, slug));
    }

    @Query(() => ProductConnection, {
      description:
        'The storefront: published products, newest first, optionally in a category and its descendants.',
    })
    async products(
      @Arg('categoryId', () => ID, { nullable: true }) categoryId: string | null,
      @Arg('first', () => Int, { defaultValue: 20 }) first: number,
      @Arg('after', () => String, { nullable: true }) after: string | null,
      @Ctx() ctx: RequestContext,
    ): Promise<ProductConnection> {
      const cursor = decodeCursor(after);
      if (cursor === 'invalid' || (categoryId != null && !isUuid(categoryId)))
        return { items: [], nextCursor: null };
      const limit = clampPage(first);
      const rows = await reader.storefront(ctx.em, {
        categoryId: categoryId?.toLowerCase() ?? null,
        after: cursor,
        limit: limit + 1,
      });
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        items: page,
        nextCursor:
          rows.length > limit && last?.publishedAt
            ? encodeCursor({ publishedAt: last.publishedAt, id: last.id })
            : null,
      };
    }

    @Query(() => [ProductNode], { description: "Seller: the store's own products, newest first." })
    async myProducts(
      @Arg('limit', () => Int, { defaultValue: 20 }) limit: number,
      @Ctx() ctx: RequestContext,
    ): Promise<ProductView[]> {
      if (ctx.actor?.role !== 'seller' || !ctx.actor.sellerId) return [];
      return reader.bySeller(ctx.em, ctx.actor.sellerId, clampPage(limit));
    }

    @Query(() => ProductSnapshotPage, {
      description: 'Admin: every product as stored, in id order, for rebuilding read models.',
    })
    async adminProductSnapshots(
      @Arg('first', () => Int) first: number,
      @Arg('after', () => String, { nullable: true }) after: string | null,
      @Ctx() ctx: RequestContext,
    ): Promise<ProductSnapshotPage> {
      if (ctx.actor?.role !== 'admin')
        throw new GraphQLError('Only admins export product snapshots', {
          extensions: { code: 'AUTH.FORBIDDEN' },
        });
      if (after != null && !isUuid(after)) return { items: [], nextCursor: null };
      const limit = Math.min(Math.max(first, 1), 1000);
      const items = await reader.snapshots(ctx.em, after, limit);
      return {
        items,
        nextCursor: items.length === limit ? (items.at(-1)?.productId ?? null) : null,
      };
    }

    @FieldResolver(() => SellerRef)
    seller(@Root() view: ProductView): SellerRef {
      return { id: view.sellerId };
    }

    @FieldResolver(() => [VariantNode])
    variants(@Root() view: ProductView): VariantView[] {
      return variantsOf(view);
    }

    @FieldResolver(() => CategoryNode, { nullable: true })
    category(@Root() view: ProductView, @Ctx() ctx: RequestContext): Promise<Category | null> | null {
      return view.categoryId ? loadCategory(ctx, view.categoryId) : null;
    }

    @FieldResolver(() => PriceRange, { nullable: true, description: 'Null while no variant is priced.' })
    priceRange(@Root() view: ProductView): PriceRange | null {
      const prices = view.variants.flatMap((v) => (v.price ? [v.price] : []));
      if (prices.length === 0) return null;
      const sorted = [...prices].sort((a, b) => a.amount - b.amount);
      return { min: MoneyType.of(sorted[0]!), max: MoneyType.of(sorted.at(-1)!) };
    }

    @Mutation(() => ProductResult, {
      description: 'Seller: list a new product as a draft, optionally with variants.',
    })
    createProduct(
      @Arg('input', () => CreateProductInput) input: CreateProductInput,
      @Ctx() ctx: RequestContext,
    ) {
      return present(createProduct(input, uc.forRequest(ctx)));
    }

    @Mutation(() => ProductResult, {
      description: 'Seller: change name, description, category, attributes or images of an own product.',
    })
    updateProduct(
      @Arg('input', () => UpdateProductInput) input: UpdateProductInput,
      @Ctx() ctx: RequestContext,
    ) {
      return present(updateProduct(input, uc.forRequest(ctx)));
    }

    @Mutation(() => ProductResult, { description: 'Seller: add a variant with a marketplace-unique SKU.' })
    addVariant(@Arg('input', () => AddVariantInput) input: AddVariantInput, @Ctx() ctx: RequestContext) {
      return present(addVariant(input, uc.forRequest(ctx)));
    }

    @Mutation(() => ProductResult, { description: 'Seller: rename a variant or change its attributes.' })
    updateVariant(
      @Arg('input', () => UpdateVariantInput) input: UpdateVariantInput,
      @Ctx() ctx: RequestContext,
    ) {
      return present(updateVariant(input, uc.forRequest(ctx)));
    }

    @Mutation(() => ProductResult, { description: "Seller: set or change a variant's price." })
    setVariantPrice(
      @Arg('input', () => SetVariantPriceInput) input: SetVariantPriceInput,
      @Ctx() ctx: RequestContext,
    ) {
      return present(setVariantPrice(input, uc.forRequest(ctx)));
    }

    @Mutation(() => ProductResult, {
      description: 'Seller: put an own product on the storefront (active store, a priced variant, an image).',
    })
    publishProduct(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext) {
      return present(publishProduct(id, uc.forRequest(ctx)));
    }

    @Mutation(() => ProductResult, { description: 'Seller or admin: take a product off the storefront.' })
    unpublishProduct(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext) {
      return present(unpublishProduct(id, uc.forRequest(ctx)));
    }

    @Mutation(() => ProductResult, { description: 'Seller or admin: delete a product for good.' })
    deleteProduct(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext) {
      return present(deleteProduct(id, uc.forRequest(ctx)));
    }
  }

  @Resolver(() => VariantNode)
  class VariantResolver {
    @FieldResolver(() => ProductNode)
    product(@Root() variant: VariantView): ProductView {
      return variant.product;
    }

    @FieldResolver(() => ID)
    productId(@Root() variant: VariantView): string {
      return variant.product.id;
    }

    @FieldResolver(() => ID)
    sellerId(@Root() variant: VariantView): string {
      return variant.product.sellerId;
    }
  }

  @Resolver(() => CategoryNode)
  class CategoryResolver {
    @Query(() => [CategoryNode], { description: 'Children of a category, or the roots without parentId.' })
    categories(
      @Arg('parentId', () => ID, { nullable: true }) parentId: string | null,
      @Ctx() ctx: RequestContext,
    ): Promise<Category[]> | Category[] {
      if (parentId != null && !isUuid(parentId)) return [];
      return categories.children(ctx.em, parentId?.toLowerCase() ?? null);
    }

    @Query(() => CategoryNode, { nullable: true })
    category(@Arg('slug', () => String) slug: string, @Ctx() ctx: RequestContext): Promise<Category | null> {
      return categories.bySlug(ctx.em, slug);
    }

    @FieldResolver(() => [CategoryNode])
    children(@Root() category: Category, @Ctx() ctx: RequestContext): Promise<Category[]> {
      return ctx.loaders
        .get<string, Category[]>('category-children', async (ids) => {
          const rows = await ctx.em.find(
            Category,
            { parentId: { $in: [...ids] } },
            { orderBy: { name: 'asc' } },
          );
          return ids.map((id) => rows.filter((c) => c.parentId === id));
        })
        .load(category.id)
        .then((rows) => rows ?? []);
    }

    @Mutation(() => CategoryResult, { description: 'Admin: add a category under a parent (or as a root).' })
    async createCategory(
      @Arg('input', () => CreateCategoryInput) input: CreateCategoryInput,
      @Ctx() ctx: RequestContext,
    ): Promise<typeof CategoryResult> {
      const r = await createCategory(input, uc.forRequest(ctx)).catch((error: unknown) => {
        // Two admins creating the same slug at once: the unique index decides, the loser is told.
        if (error instanceof UniqueConstraintViolationException)
          return err(domainError('CATEGORY.SLUG_TAKEN', 'That slug was just taken', 'slug'));
        throw error;
      });
      return r.ok ? Object.assign(new CategoryPayload(), { category: r.value }) : ErrorResult.of(r.error);
    }
  }

  return [ProductResolver, VariantResolver, CategoryResolver] as const;
}
