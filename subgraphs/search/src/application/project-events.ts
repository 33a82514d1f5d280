import {
  applySnapshot,
  toDocument,
  type ProductState,
  type SnapshotChange,
} from '../domain/product-document.js';
import type {
  ProductIndexWriter,
  SearchStateTransaction,
  StockLevelChange,
  StoreStatusChange,
  VersionedDocument,
} from './ports.js';

export interface ProjectionDeps {
  tx: SearchStateTransaction;
  index: ProductIndexWriter;
}

/**
 * Applies product snapshots (from events or the source of truth) and re-indexes what changed.
 * Each product row stays locked until the caller's transaction commits, so writes of the same
 * product are serialised: the later one read the earlier one's state and carries a higher
 * version. The documents go to the alias and to every index under construction. Returns how
 * many products changed; stale and redelivered snapshots change nothing.
 */
export async function projectSnapshots(
  changes: readonly SnapshotChange[],
  deps: ProjectionDeps,
): Promise<number> {
  // A fixed lock order keeps two batches touching the same products from deadlocking.
  const ordered = [...changes].sort((a, b) =>
    a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0,
  );
  const changed: ProductState[] = [];
  for (const change of ordered) {
    const state = await deps.tx.lockProduct(change.productId, change.sellerId);
    const next = applySnapshot(state, change);
    if (next) changed.push(next);
  }
  await reindex(changed, deps);
  return changed.length;
}

/** Inventory reported a SKU's availability: store it and re-index the product if it is known. */
export async function recordStockLevel(change: StockLevelChange, deps: ProjectionDeps): Promise<boolean> {
  // Lock the product first: the same order as snapshot changes, which read the stock under it.
  const state = await deps.tx.lockProduct(change.productId, change.sellerId);
  if (!(await deps.tx.recordStock(change))) return false;
  // Without a snapshot there is no document yet; the first snapshot will read this level.
  if (state.snapshot) await reindex([state], deps);
  return true;
}

/**
 * A store's status changed. Searches exclude suspended sellers when they run, so no document
 * changes: a suspension hides the seller's products at once and a reinstatement shows them again.
 */
export async function recordStoreStatus(
  change: StoreStatusChange,
  deps: Pick<ProjectionDeps, 'tx'>,
): Promise<boolean> {
  return deps.tx.recordStoreStatus(change);
}

async function reindex(states: readonly ProductState[], deps: ProjectionDeps): Promise<void> {
  if (states.length === 0) return;
  const documents: VersionedDocument[] = [];
  const stock = await deps.tx.stockOfSkus(
    states.flatMap((s) => s.snapshot?.variants.map((v) => v.sku) ?? []),
  );
  for (const state of states) {
    const version = await deps.tx.saveProduct(state);
    const document = toDocument(state, stock);
    if (document) documents.push({ id: state.productId, version, document });
  }
  const targets = [deps.index.alias, ...(await deps.tx.indicesUnderConstruction(deps.index.alias))];
  await deps.index.write(targets, documents);
}
