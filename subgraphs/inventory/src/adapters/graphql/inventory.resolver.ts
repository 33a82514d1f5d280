// type-graphql reads decorator metadata through this polyfill.
import 'reflect-metadata';
import {
  Arg,
  Ctx,
  FieldResolver,
  Int,
  Mutation,
  Query,
  Resolver,
  Root,
  type NonEmptyArray,
} from 'type-graphql';
import { GraphQLError } from 'graphql';
import { isUuid, type Result } from '@marketplace/shared-kernel';
import { ErrorResult, orderByKeys, type ReferenceResolver, type RequestContext } from '@marketplace/platform';
import { parseSku, type StockItem } from '../../domain/stock-item.js';
import type { Reservation } from '../../domain/reservation.js';
import { adjustStock, setStock } from '../../application/manage-stock.js';
import { commitReservation, releaseReservation, reserveStock } from '../../application/reservations.js';
import { requireAdmin } from '../../application/access.js';
import {
  availabilityByProductIds,
  stockByVariantIds,
  stockPageOfSeller,
  type InventoryUseCases,
} from '../persistence/inventory-store.js';
import {
  AdjustStockInput,
  ProductRef,
  ReserveStockInput,
  SetStockInput,
  StockItemNode,
  StockItemPage,
  StockItemPayload,
  StockItemResult,
  StockNode,
  StockReservationNode,
  StockReservationPayload,
  StockReservationResult,
  VariantRef,
} from './inventory.types.js';

/** Batches every variant lookup of a request into one SQL query. */
function loadStock(ctx: RequestContext, variantId: string): Promise<StockItem | null> {
  if (!isUuid(variantId)) return Promise.resolve(null);
  return ctx.loaders
    .get<string, StockItem>('stockByVariant', async (ids) =>
      orderByKeys(ids, await stockByVariantIds(ctx.em, ids), (s) => s.id),
    )
    .load(variantId.toLowerCase());
}

/** Batches every product lookup of a request into one SQL query; null when no SKU is known. */
function loadInStock(ctx: RequestContext, productId: string): Promise<boolean | null> {
  if (!isUuid(productId)) return Promise.resolve(null);
  return ctx.loaders
    .get<string, boolean>('inStockByProduct', async (ids) => {
      const found = await availabilityByProductIds(ctx.em, ids);
      return ids.map((id) => found.get(id) ?? null);
    })
    .load(productId.toLowerCase());
}

/** N variant representations: one DataLoader batch, one SQL query. */
export const variantStockReference: ReferenceResolver<VariantRef> = async (reference, ctx) => {
  const id = String(reference.id);
  return Object.assign(new VariantRef(), { id, item: await loadStock(ctx, id) });
};

/** N product representations: one DataLoader batch, one SQL query. */
export const productStockReference: ReferenceResolver<ProductRef> = async (reference, ctx) => {
  const id = String(reference.id);
  return Object.assign(new ProductRef(), { id, inStock: await loadInStock(ctx, id) });
};

function publicStock(item: StockItem, ctx: RequestContext): StockNode {
  const own = ctx.actor?.role === 'admin' || item.isOwnedBy(ctx.actor?.sellerId);
  return {
    available: item.available,
    inStock: item.available > 0,
    onHand: own ? item.onHand : null,
    reserved: own ? item.reserved : null,
    committed: own ? item.committed : null,
  };
}

function stockItemNode(item: StockItem): StockItemNode {
  return Object.assign(new StockItemNode(), {
    sku: item.sku,
    variant: Object.assign(new VariantRef(), { id: item.variantId, item }),
    product: Object.assign(new ProductRef(), { id: item.productId }),
    ...item.levels,
    version: item.version,
    updatedAt: item.updatedAt.toISOString(),
  });
}

function reservationNode(r: Reservation): StockReservationNode {
  return Object.assign(new StockReservationNode(), {
    id: r.id,
    reference: r.reference,
    kind: r.kind,
    status: r.status,
    expiresAt: r.expiresAt.toISOString(),
    lines: r.lines.map((l) => ({
      sku: l.sku,
      variant: Object.assign(new VariantRef(), { id: l.variantId }),
      requested: l.requested,
      quantity: l.quantity,
    })),
  });
}

const cursorOf = (sku: string) => Buffer.from(sku, 'utf8').toString('base64url');

function skuFromCursor(cursor: string): string {
  const sku = parseSku(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!sku.ok || cursorOf(sku.value) !== cursor)
    throw new GraphQLError('after is not a cursor from this list', {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  return sku.value;
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export function createInventoryResolvers(uc: InventoryUseCases): NonEmptyArray<Function> {
  const useCases = (ctx: RequestContext) => uc.forRequest(ctx);

  const stockResult = async (result: Promise<Result<StockItem>>): Promise<typeof StockItemResult> => {
    const r = await result;
    if (!r.ok) return ErrorResult.of(r.error);
    return Object.assign(new StockItemPayload(), { stockItem: stockItemNode(r.value) });
  };

  const reservationResult = async (
    ctx: RequestContext,
    run: () => Promise<Result<Reservation>>,
  ): Promise<typeof StockReservationResult> => {
    const allowed = requireAdmin(ctx.actor);
    if (!allowed.ok) return ErrorResult.of(allowed.error);
    const r = await run();
    if (!r.ok) return ErrorResult.of(r.error);
    return Object.assign(new StockReservationPayload(), { reservation: reservationNode(r.value) });
  };

  @Resolver(() => VariantRef)
  class VariantStockResolver {
    @FieldResolver(() => StockNode, {
      nullable: true,
      description: 'Null until inventory knows the variant.',
    })
    async stock(@Root() variant: VariantRef, @Ctx() ctx: RequestContext): Promise<StockNode | null> {
      const item = variant.item !== undefined ? variant.item : await loadStock(ctx, variant.id);
      return item ? publicStock(item, ctx) : null;
    }
  }

  @Resolver(() => ProductRef)
  class ProductStockResolver {
    @FieldResolver(() => Boolean, {
      nullable: true,
      description: 'Whether any variant can be ordered now; null until inventory knows its variants.',
    })
    async inStock(@Root() product: ProductRef, @Ctx() ctx: RequestContext): Promise<boolean | null> {
      return product.inStock !== undefined ? product.inStock : loadInStock(ctx, product.id);
    }
  }

  @Resolver(() => StockItemNode)
  class StockResolver {
    @Query(() => StockItemPage, { description: "Seller: the calling seller's SKUs, in SKU order." })
    async myStock(
      @Arg('first', () => Int, { defaultValue: 20 }) first: number,
      @Arg('after', () => String, { nullable: true }) after: string | null,
      @Ctx() ctx: RequestContext,
    ): Promise<StockItemPage> {
      const page = Object.assign(new StockItemPage(), { items: [], endCursor: null, hasNextPage: false });
      const sellerId = ctx.actor?.role === 'seller' ? ctx.actor.sellerId : null;
      if (!sellerId) return page;
      const size = Math.min(Math.max(first, 1), 100);
      const rows = await stockPageOfSeller(ctx.em, sellerId, after ? skuFromCursor(after) : null, size + 1);
      const items = rows.slice(0, size);
      return Object.assign(page, {
        items: items.map(stockItemNode),
        endCursor: items.length > 0 ? cursorOf(items[items.length - 1]!.sku) : null,
        hasNextPage: rows.length > size,
      });
    }

    @Mutation(() => StockItemResult, { description: 'Seller: add or remove units of an own SKU.' })
    adjustStock(@Arg('input', () => AdjustStockInput) input: AdjustStockInput, @Ctx() ctx: RequestContext) {
      return stockResult(adjustStock(input, useCases(ctx)));
    }

    @Mutation(() => StockItemResult, { description: 'Seller: set the counted units of an own SKU.' })
    setStock(@Arg('input', () => SetStockInput) input: SetStockInput, @Ctx() ctx: RequestContext) {
      return stockResult(setStock(input, useCases(ctx)));
    }
  }

  @Resolver(() => StockReservationNode)
  class ReservationResolver {
    @Mutation(() => StockReservationResult, {
      description:
        'Admin: hold stock for every line or none. Checkout and carts reserve through events; this is for operators.',
    })
    reserveStock(
      @Arg('input', () => ReserveStockInput) input: ReserveStockInput,
      @Ctx() ctx: RequestContext,
    ) {
      return reservationResult(ctx, () => reserveStock(input, useCases(ctx)));
    }

    @Mutation(() => StockReservationResult, { description: "Admin: give a reservation's units back." })
    releaseReservation(@Arg('reference', () => String) reference: string, @Ctx() ctx: RequestContext) {
      return reservationResult(ctx, () => releaseReservation(reference, useCases(ctx)));
    }

    @Mutation(() => StockReservationResult, {
      description: "Admin: turn a reservation's held units into committed ones.",
    })
    commitReservation(@Arg('reference', () => String) reference: string, @Ctx() ctx: RequestContext) {
      return reservationResult(ctx, () => commitReservation(reference, useCases(ctx)));
    }
  }

  return [VariantStockResolver, ProductStockResolver, StockResolver, ReservationResolver];
}
