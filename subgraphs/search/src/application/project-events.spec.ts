import { describe, expect, it } from '@jest/globals';
import { emptyState, type ProductSnapshot, type ProductState } from '../domain/product-document.js';
import { projectSnapshots, recordStockLevel } from './project-events.js';
import type {
  ProductIndexWriter,
  SearchStateTransaction,
  StockLevelChange,
  StoreStatusChange,
  VersionedDocument,
} from './ports.js';

/** In-memory search state: the same contract as the SQL adapter, minus the locking. */
class MemoryState implements SearchStateTransaction {
  products = new Map<string, ProductState>();
  stock = new Map<string, StockLevelChange>();
  building: string[] = [];
  private sequence = 0;

  async lockProduct(productId: string, sellerId: string) {
    if (!this.products.has(productId)) this.products.set(productId, emptyState(productId, sellerId));
    return this.products.get(productId)!;
  }
  async saveProduct(state: ProductState) {
    this.products.set(state.productId, state);
    return ++this.sequence;
  }
  async stockOfSkus(skus: readonly string[]) {
    return skus.flatMap((sku) => {
      const level = this.stock.get(sku);
      return level ? [{ sku, available: level.available }] : [];
    });
  }
  async recordStock(change: StockLevelChange) {
    if ((this.stock.get(change.sku)?.version ?? 0) >= change.version) return false;
    this.stock.set(change.sku, change);
    return true;
  }
  async recordStoreStatus(_change: StoreStatusChange) {
    return true;
  }
  async indicesUnderConstruction() {
    return this.building;
  }
}

class MemoryIndex implements ProductIndexWriter {
  readonly alias = 'products';
  writes: { targets: readonly string[]; documents: readonly VersionedDocument[] }[] = [];
  async write(targets: readonly string[], documents: readonly VersionedDocument[]) {
    this.writes.push({ targets, documents });
  }
}

const productId = '0190a000-0000-7000-8000-0000000000aa';
const sellerId = '0190a000-0000-7000-8000-0000000000bb';
const snapshot: ProductSnapshot = {
  name: 'Lamp',
  slug: 'lamp',
  description: '',
  status: 'PUBLISHED',
  categoryId: null,
  categoryPath: [],
  attributes: [],
  images: [],
  variants: [
    {
      variantId: '0190a000-0000-7000-8000-0000000000c1',
      sku: 'LAMP-1',
      name: 'Lamp',
      attributes: [],
      price: { amount: 100, currency: 'EUR' },
    },
  ],
};
const change = (version: number) => ({
  productId,
  sellerId,
  version,
  snapshot,
  occurredAt: '2026-11-21T10:00:00.000Z',
});
const stock = (version: number, available: number): StockLevelChange => ({
  sku: 'LAMP-1',
  variantId: null,
  productId,
  sellerId,
  available,
  version,
});

describe('projecting events', () => {
  it('re-indexes a product on every newer snapshot, under a rising version, and ignores replays', async () => {
    const tx = new MemoryState();
    const index = new MemoryIndex();
    expect(await projectSnapshots([change(1)], { tx, index })).toBe(1);
    expect(await projectSnapshots([change(1)], { tx, index })).toBe(0);
    expect(await projectSnapshots([change(2)], { tx, index })).toBe(1);
    expect(index.writes.map((w) => w.documents[0]!.version)).toEqual([1, 2]);
    expect(index.writes[1]!.documents[0]!.document).toMatchObject({
      productId,
      productVersion: 2,
      inStock: false,
    });
  });

  it('writes to the alias and to every index under construction', async () => {
    const tx = new MemoryState();
    tx.building = ['products-next'];
    const index = new MemoryIndex();
    await projectSnapshots([change(1)], { tx, index });
    expect(index.writes[0]!.targets).toEqual(['products', 'products-next']);
  });

  it('keeps stock that arrives before the product and uses it once the product arrives', async () => {
    const tx = new MemoryState();
    const index = new MemoryIndex();
    expect(await recordStockLevel(stock(1, 5), { tx, index })).toBe(true);
    expect(index.writes).toEqual([]);
    await projectSnapshots([change(1)], { tx, index });
    expect(index.writes[0]!.documents[0]!.document.inStock).toBe(true);
  });

  it('flips in stock on newer stock levels only', async () => {
    const tx = new MemoryState();
    const index = new MemoryIndex();
    await projectSnapshots([change(1)], { tx, index });
    await recordStockLevel(stock(2, 3), { tx, index });
    expect(await recordStockLevel(stock(1, 0), { tx, index })).toBe(false);
    await recordStockLevel(stock(3, 0), { tx, index });
    expect(index.writes.map((w) => w.documents[0]!.document.inStock)).toEqual([false, true, false]);
  });
});
