// type-graphql reads decorator metadata through this polyfill.
import 'reflect-metadata';
import {
  Arg,
  Ctx,
  Directive,
  Field,
  FieldResolver,
  ID,
  InputType,
  Int,
  Mutation,
  ObjectType,
  Query,
  Resolver,
  Root,
  createUnionType,
} from 'type-graphql';
import { isUuid } from '@marketplace/shared-kernel';
import { ErrorResult, orderByKeys, type ReferenceResolver, type RequestContext } from '@marketplace/platform';
import type { StockItem } from '../../domain/stock-item.js';
import { adjustStock } from '../../application/adjust-stock.js';
import { inventoryContext, stockByProductIds, stockBySeller } from '../persistence/stock-store.js';

@ObjectType({ description: 'Stock of a product. Counts other than availability are for its seller only.' })
export class Stock {
  @Field(() => Int, { description: 'Units a buyer can order now.' })
  available!: number;

  @Field(() => Boolean)
  inStock!: boolean;

  @Field(() => Int, { nullable: true, description: "Counted units; only for the product's seller." })
  onHand!: number | null;

  @Field(() => Int, {
    nullable: true,
    description: "Units held by carts and checkouts; only for the product's seller.",
  })
  reserved!: number | null;
}

/** Inventory's view of the catalog entity: it contributes `stock`. */
@Directive('@key(fields: "id")')
@ObjectType('Product')
export class ProductStockRef {
  @Field(() => ID)
  id!: string;

  /** Loaded with the reference, batched; not a GraphQL field. */
  item?: StockItem | null;
}

@ObjectType()
export class StockPayload {
  @Field(() => ProductStockRef)
  product!: ProductStockRef;

  @Field(() => Stock)
  stock!: Stock;
}

export const StockResult = createUnionType({
  name: 'StockResult',
  types: () => [StockPayload, ErrorResult] as const,
  resolveType: (value) => ('code' in value ? ErrorResult : StockPayload),
});

@InputType()
export class AdjustStockInput {
  @Field(() => ID)
  productId!: string;

  @Field(() => Int, { description: 'Units to add (positive) or remove (negative).' })
  delta!: number;

  @Field(() => String)
  reason!: string;
}

function loadStock(ctx: RequestContext, productId: string): Promise<StockItem | null> {
  if (!isUuid(productId)) return Promise.resolve(null);
  return ctx.loaders
    .get<string, StockItem>('stock', async (ids) =>
      orderByKeys(ids, await stockByProductIds(ctx.em, ids), (s) => s.productId),
    )
    .load(productId.toLowerCase());
}

function present(item: StockItem, ctx: RequestContext): Stock {
  const own = ctx.actor?.role === 'admin' || item.isOwnedBy(ctx.actor?.sellerId);
  return {
    available: item.available,
    inStock: item.available > 0,
    onHand: own ? item.onHand : null,
    reserved: own ? item.reserved : null,
  };
}

/** N representations: one DataLoader batch, one SQL query. */
export const productStockReference: ReferenceResolver<ProductStockRef> = async (reference, ctx) => {
  const id = String(reference.id);
  return Object.assign(new ProductStockRef(), { id, item: await loadStock(ctx, id) });
};

@Resolver(() => ProductStockRef)
export class StockResolver {
  @FieldResolver(() => Stock, { nullable: true, description: 'Null until inventory knows the product.' })
  async stock(@Root() product: ProductStockRef, @Ctx() ctx: RequestContext): Promise<Stock | null> {
    const item = product.item !== undefined ? product.item : await loadStock(ctx, product.id);
    return item ? present(item, ctx) : null;
  }

  @Query(() => [StockPayload], { description: "The calling seller's stock records." })
  async myStock(
    @Arg('limit', () => Int, { defaultValue: 50 }) limit: number,
    @Ctx() ctx: RequestContext,
  ): Promise<StockPayload[]> {
    const sellerId = ctx.actor?.role === 'seller' ? ctx.actor.sellerId : null;
    if (!sellerId) return [];
    const items = await stockBySeller(ctx.em, sellerId, Math.min(Math.max(limit, 1), 200));
    return items.map((item) => ({
      product: Object.assign(new ProductStockRef(), { id: item.productId, item }),
      stock: present(item, ctx),
    }));
  }

  @Mutation(() => StockResult, { description: 'Seller: add or remove units of an own product.' })
  async adjustStock(
    @Arg('input', () => AdjustStockInput) input: AdjustStockInput,
    @Ctx() ctx: RequestContext,
  ): Promise<typeof StockResult> {
    const result = await adjustStock(input, inventoryContext(ctx));
    if (!result.ok) return ErrorResult.of(result.error);
    const item = result.value;
    return Object.assign(new StockPayload(), {
      product: Object.assign(new ProductStockRef(), { id: item.productId, item }),
      stock: present(item, ctx),
    });
  }
}
