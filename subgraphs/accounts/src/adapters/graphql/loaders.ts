import { isUuid } from '@marketplace/shared-kernel';
import { orderByKeys, type RequestContext } from '@marketplace/platform';
import type { AddressBook } from '../../domain/address-book.js';
import type { Store } from '../../domain/store.js';
import type { User } from '../../domain/user.js';
import { addressBooksByUserIds, storesByIds, usersByIds } from '../persistence/accounts-store.js';

// Per-request DataLoaders: every lookup of a kind in one request is one SQL query.

export function loadStore(ctx: RequestContext, id: string): Promise<Store | null> {
  if (!isUuid(id)) return Promise.resolve(null);
  return ctx.loaders
    .get<string, Store>('accounts.store', async (ids) =>
      orderByKeys(ids, await storesByIds(ctx.em, ids), (s) => s.id),
    )
    .load(id.toLowerCase());
}

export function loadUser(ctx: RequestContext, id: string): Promise<User | null> {
  if (!isUuid(id)) return Promise.resolve(null);
  return ctx.loaders
    .get<string, User>('accounts.user', async (ids) =>
      orderByKeys(ids, await usersByIds(ctx.em, ids), (u) => u.id),
    )
    .load(id.toLowerCase());
}

export function loadAddressBook(ctx: RequestContext, userId: string): Promise<AddressBook | null> {
  return ctx.loaders
    .get<string, AddressBook>('accounts.address-book', async (ids) =>
      orderByKeys(ids, await addressBooksByUserIds(ctx.em, ids), (b) => b.id),
    )
    .load(userId);
}
