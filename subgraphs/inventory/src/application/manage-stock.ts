import { Guard, combine, ok, type Result } from '@marketplace/shared-kernel';
import { StockItem, parseSku, stockNotFound } from '../domain/stock-item.js';
import { requireSeller } from './access.js';
import type { InventoryContext, InventoryTransaction } from './ports.js';

export interface AnnouncedVariants {
  productId: string;
  sellerId: string;
  variants: readonly { variantId: string; sku: string }[];
}

export interface OpenedStock {
  opened: StockItem[];
  /** SKUs the snapshot gives to a variant while another variant already has them. */
  conflicts: { sku: string; variantId: string; heldBy: string }[];
}

/**
 * Reacts to any catalog event: every variant the snapshot lists gets an (empty) stock record,
 * once. SKUs are unique across the marketplace (the catalog's contract); a variant whose SKU
 * another variant already has is left out and reported, so one bad message cannot stall the
 * partition behind it in retries.
 */
export async function openStock(
  input: AnnouncedVariants,
  ctx: InventoryContext,
): Promise<Result<OpenedStock>> {
  if (input.variants.length === 0) return ok({ opened: [], conflicts: [] });
  return ctx.transaction(async (tx) => {
    const known = await tx.stock.byVariantIdsOrSkus(
      input.variants.map((v) => v.variantId.toLowerCase()),
      input.variants.map((v) => v.sku.trim().toUpperCase()),
    );
    const byVariant = new Set(known.map((s) => s.id));
    const skuHolder = new Map(known.map((s) => [s.sku, s.id]));
    const result: OpenedStock = { opened: [], conflicts: [] };
    for (const variant of input.variants) {
      if (byVariant.has(variant.variantId.toLowerCase())) continue;
      const item = StockItem.open(
        { ...variant, productId: input.productId, sellerId: input.sellerId },
        ctx.clock.now(),
      );
      if (!item.ok) return item;
      const heldBy = skuHolder.get(item.value.sku);
      if (heldBy) {
        result.conflicts.push({ sku: item.value.sku, variantId: item.value.id, heldBy });
        continue;
      }
      skuHolder.set(item.value.sku, item.value.id);
      tx.stock.add(item.value);
      tx.track(item.value);
      result.opened.push(item.value);
    }
    return ok(result);
  });
}

export interface AdjustStockInput {
  sku: string;
  delta: number;
  reason: string;
}

/** A seller books a delivery (+) or shrinkage (-) on an own SKU. */
export async function adjustStock(
  input: AdjustStockInput,
  ctx: InventoryContext,
): Promise<Result<StockItem>> {
  return changeOwnStock(input.sku, ctx, (item) => {
    const adjusted = item.adjust(input.delta, input.reason, ctx.clock.now());
    return adjusted.ok ? ok(true) : adjusted;
  });
}

export interface SetStockInput {
  sku: string;
  onHand: number;
}

/** A seller sets the counted stock of an own SKU (e.g. after a stock take); idempotent. */
export async function setStock(input: SetStockInput, ctx: InventoryContext): Promise<Result<StockItem>> {
  const onHand = Guard.integer('onHand', input.onHand, { min: 0 });
  if (!onHand.ok) return onHand;
  return changeOwnStock(input.sku, ctx, (item) => item.setOnHand(onHand.value, ctx.clock.now()));
}

/** Another seller's SKU answers exactly like a missing one, so SKUs cannot be probed. */
async function changeOwnStock(
  rawSku: string,
  ctx: InventoryContext,
  change: (item: StockItem) => Result<boolean>,
): Promise<Result<StockItem>> {
  const checked = combine(requireSeller(ctx.actor), parseSku(rawSku));
  if (!checked.ok) return checked;
  const [sellerId, sku] = checked.value;
  return ctx.transaction(async (tx: InventoryTransaction) => {
    const item = (await tx.stock.bySkusForUpdate([sku])).get(sku);
    if (!item || !item.isOwnedBy(sellerId)) return { ok: false, error: stockNotFound() };
    const changed = change(item);
    if (!changed.ok) return changed;
    if (changed.value) tx.track(item);
    return ok(item);
  });
}
