// type-graphql reads decorator metadata through this polyfill.
import 'reflect-metadata';
import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { isUuid, systemClock, type Clock, type Result } from '@marketplace/shared-kernel';
import {
  ErrorResult,
  inTransaction,
  type ReferenceResolver,
  type RequestContext,
} from '@marketplace/platform';
import type { Product } from '../../domain/product.js';
import { createProduct } from '../../application/create-product.js';
import {
  deleteProduct,
  publishProduct,
  unpublishProduct,
  updateProduct,
} from '../../application/manage-product.js';
import type { ProductsContext } from '../../application/ports.js';
import { isVisibleTo, toView, type ProductView } from '../../application/product-view.js';
import { MikroProductRepository, type ProductReader } from '../persistence/product-store.js';
import {
  CreateProductInput,
  ProductNode,
  ProductPayload,
  ProductResult,
  UpdateProductInput,
} from './product.types.js';

export interface ProductResolverDeps {
  reader: ProductReader;
  clock?: Clock;
  /** Wakes the outbox relay after a commit. */
  onCommit?: () => void;
}

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

export function productReferenceResolver(reader: ProductReader): ReferenceResolver<ProductView> {
  return async (reference, ctx) => {
    const view = await loadProduct(ctx, reader, String(reference.id));
    return view && isVisibleTo(view, ctx.actor) ? view : null;
  };
}

export function createProductResolver(deps: ProductResolverDeps) {
  const clock = deps.clock ?? systemClock;

  const useCaseContext = (ctx: RequestContext): ProductsContext => ({
    actor: ctx.actor,
    correlationId: ctx.correlationId,
    clock,
    transaction: (work) =>
      inTransaction(
        ctx.em,
        { producer: 'products', correlationId: ctx.correlationId, traceparent: ctx.traceparent },
        (scope) => work({ products: new MikroProductRepository(scope.em), track: (p) => scope.track(p) }),
      ),
    afterCommit: async (productId, version) => {
      deps.onCommit?.();
      await deps.reader.invalidate(productId, version);
    },
  });

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
      const view = await loadProduct(ctx, deps.reader, id);
      return view && isVisibleTo(view, ctx.actor) ? view : null;
    }

    @Query(() => [ProductNode], { description: "The calling seller's own products, newest first." })
    async myProducts(
      @Arg('limit', () => Int, { defaultValue: 20 }) limit: number,
      @Ctx() ctx: RequestContext,
    ): Promise<ProductView[]> {
      if (ctx.actor?.role !== 'seller' || !ctx.actor.sellerId) return [];
      return deps.reader.bySeller(ctx.em, ctx.actor.sellerId, Math.min(Math.max(limit, 1), 100));
    }

    @Mutation(() => ProductResult, { description: 'Seller: list a new product as a draft.' })
    createProduct(
      @Arg('input', () => CreateProductInput) input: CreateProductInput,
      @Ctx() ctx: RequestContext,
    ) {
      return present(createProduct(input, useCaseContext(ctx)));
    }

    @Mutation(() => ProductResult, {
      description: 'Seller: change name, description or price of an own product.',
    })
    updateProduct(
      @Arg('input', () => UpdateProductInput) input: UpdateProductInput,
      @Ctx() ctx: RequestContext,
    ) {
      return present(updateProduct(input, useCaseContext(ctx)));
    }

    @Mutation(() => ProductResult, { description: 'Seller: put an own product on the storefront.' })
    publishProduct(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext) {
      return present(publishProduct(id, useCaseContext(ctx)));
    }

    @Mutation(() => ProductResult, { description: 'Seller or admin: take a product off the storefront.' })
    unpublishProduct(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext) {
      return present(unpublishProduct(id, useCaseContext(ctx)));
    }

    @Mutation(() => ProductResult, { description: 'Seller or admin: delete a product for good.' })
    deleteProduct(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext) {
      return present(deleteProduct(id, useCaseContext(ctx)));
    }
  }
  return ProductResolver;
}
