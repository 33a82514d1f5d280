import { Guard, domainError, err, ok, type Result } from '@marketplace/shared-kernel';
import type { Address, AddressBook, AddressChanges, AddressInput } from '../domain/address-book.js';
import { requireUser } from './access.js';
import type { AccountsContext } from './ports.js';

export interface AddressChange {
  book: AddressBook;
  /** The address added or changed; null after a removal. */
  address: Address | null;
}

/** Every change to the caller's own address book: one locked load, one command, one commit. */
async function change(
  ctx: AccountsContext,
  command: (book: AddressBook, now: Date) => Result<Address | null>,
): Promise<Result<AddressChange>> {
  const actor = requireUser(ctx.actor);
  if (!actor.ok) return actor;
  return ctx.transaction(async (tx) => {
    // A token may outlive its account. The user's row lock also queues one user's changes.
    if (!(await tx.users.byIdForUpdate(actor.value.userId)))
      return err(domainError('AUTH.UNAUTHENTICATED', 'This account no longer exists'));
    const book = await tx.addressBooks.ofUserForUpdate(actor.value.userId);
    const done = command(book, ctx.clock.now());
    if (!done.ok) return done;
    return ok({ book, address: done.value });
  });
}

/** Address ids are checked as ids first: a malformed one is a validation error, not a miss. */
function withId(addressId: string, then: (id: string) => Result<Address | null>): Result<Address | null> {
  const id = Guard.uuid('addressId', addressId);
  return id.ok ? then(id.value) : id;
}

export const addAddress = (input: AddressInput & { makeDefault?: boolean | null }, ctx: AccountsContext) =>
  change(ctx, (book, now) => book.add(input, input.makeDefault ?? false, now));

export const updateAddress = (addressId: string, changes: AddressChanges, ctx: AccountsContext) =>
  change(ctx, (book, now) => withId(addressId, (id) => book.update(id, changes, now)));

export const removeAddress = (addressId: string, ctx: AccountsContext) =>
  change(ctx, (book, now) =>
    withId(addressId, (id) => {
      const removed = book.remove(id, now);
      return removed.ok ? ok(null) : removed;
    }),
  );

export const setDefaultAddress = (addressId: string, ctx: AccountsContext) =>
  change(ctx, (book, now) =>
    withId(addressId, (id) => {
      const set = book.setDefault(id, now);
      return set.ok ? ok(book.find(id)) : set;
    }),
  );
