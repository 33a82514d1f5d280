import { Guard, domainError, err, ok, type DomainError, type Result } from '@marketplace/shared-kernel';
import type { Store, StoreStatus } from '../domain/store.js';
import { requireAdmin, requireSeller } from './access.js';
import type { AccountsContext } from './ports.js';

export const storeNotFound = (): DomainError => domainError('STORE.NOT_FOUND', 'No such store', 'storeId');

/** Every admin decision about a store: check the caller, lock the store, ask the domain, commit its event. */
async function decide(
  storeId: string,
  ctx: AccountsContext,
  command: (store: Store, now: Date) => Result<void>,
): Promise<Result<Store>> {
  const admin = requireAdmin(ctx.actor);
  if (!admin.ok) return admin;
  const id = Guard.uuid('storeId', storeId);
  if (!id.ok) return id;
  return ctx.transaction(async (tx) => {
    const store = await tx.stores.byIdForUpdate(id.value);
    if (!store) return err(storeNotFound());
    const done = command(store, ctx.clock.now());
    if (!done.ok) return done;
    tx.track(store);
    return ok(store);
  });
}

export const approveStore = (storeId: string, ctx: AccountsContext) =>
  decide(storeId, ctx, (store, now) => store.approve(now));

export const suspendStore = (storeId: string, reason: string, ctx: AccountsContext) =>
  decide(storeId, ctx, (store, now) => store.suspend(reason, now));

export const reinstateStore = (storeId: string, ctx: AccountsContext) =>
  decide(storeId, ctx, (store, now) => store.reinstate(now));

/** The calling seller's own store; there is no way to name another one. */
export async function myStore(ctx: AccountsContext): Promise<Store | null> {
  const sellerId = requireSeller(ctx.actor);
  return sellerId.ok ? ctx.reads.storeById(sellerId.value) : null;
}

export const MAX_PAGE = 100;

/** Admin: stores in creation order (ids are UUIDv7), optionally of one status, after a cursor. */
export async function listStores(
  input: { status?: StoreStatus | null; first: number; afterId?: string | null },
  ctx: AccountsContext,
): Promise<Result<{ stores: Store[]; hasNextPage: boolean }>> {
  const admin = requireAdmin(ctx.actor);
  if (!admin.ok) return admin;
  const first = Guard.integer('first', input.first, { min: 1, max: MAX_PAGE });
  if (!first.ok) return first;
  // One extra row tells whether there is a next page.
  const rows = await ctx.reads.stores({
    status: input.status,
    afterId: input.afterId,
    limit: first.value + 1,
  });
  return ok({ stores: rows.slice(0, first.value), hasNextPage: rows.length > first.value });
}
