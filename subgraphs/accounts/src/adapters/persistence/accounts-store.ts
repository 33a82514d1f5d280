import { LockMode, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { inTransaction, type RequestContext } from '@marketplace/platform';
import { err, type Clock, type Result } from '@marketplace/shared-kernel';
import { AddressBook } from '../../domain/address-book.js';
import { RefreshTokenFamily } from '../../domain/refresh-token-family.js';
import { Store, type StoreStatus } from '../../domain/store.js';
import { User } from '../../domain/user.js';
import type {
  AccountsContext,
  AccountsReads,
  AccountsTransaction,
  AddressBookRepository,
  LoginThrottle,
  RegistrationThrottle,
  PasswordHasher,
  RefreshTokenRepository,
  StoreRepository,
  TokenIssuer,
  UserRepository,
} from '../../application/ports.js';
import { emailTaken, slugTaken } from '../../application/register.js';
import { Constraints, IssuedRefreshToken } from './accounts.schema.js';

const forUpdate = { lockMode: LockMode.PESSIMISTIC_WRITE } as const;

class MikroUsers implements UserRepository {
  constructor(private readonly em: EntityManager) {}
  byEmail(email: string) {
    return this.em.findOne(User, { _email: email } as never);
  }
  byIdForUpdate(id: string) {
    return this.em.findOne(User, { id }, forUpdate);
  }
  byEmailForUpdate(email: string) {
    return this.em.findOne(User, { _email: email } as never, forUpdate);
  }
  add(user: User) {
    this.em.persist(user);
  }
}

class MikroStores implements StoreRepository {
  constructor(private readonly em: EntityManager) {}
  byIdForUpdate(id: string) {
    return this.em.findOne(Store, { id }, forUpdate);
  }
  async slugTaken(slug: string) {
    return (await this.em.count(Store, { _slug: slug } as never)) > 0;
  }
  add(store: Store) {
    this.em.persist(store);
  }
}

class MikroRefreshTokens implements RefreshTokenRepository {
  constructor(private readonly em: EntityManager) {}
  async familyOfTokenForUpdate(tokenHash: string) {
    const issued = await this.em.findOne(IssuedRefreshToken, { tokenHash });
    return issued ? this.em.findOne(RefreshTokenFamily, { id: issued.familyId }, forUpdate) : null;
  }
  activeFamiliesOfUserForUpdate(userId: string) {
    return this.em.find(RefreshTokenFamily, { userId, _revokedAt: null } as never, forUpdate);
  }
  add(family: RefreshTokenFamily) {
    this.em.persist(family);
  }
  rememberIssued(family: RefreshTokenFamily, issuedAt: Date) {
    this.em.persist(new IssuedRefreshToken(family.currentTokenHash, family.id, family.generation, issuedAt));
  }
}

class MikroAddressBooks implements AddressBookRepository {
  constructor(
    private readonly em: EntityManager,
    private readonly clock: Clock,
  ) {}
  async ofUserForUpdate(userId: string) {
    const book = await this.em.findOne(AddressBook, { id: userId }, forUpdate);
    if (book) return book;
    // Two first changes at once must not both insert a book: the loser of `on conflict do
    // nothing` waits for the winner's commit, then locks and loads the winner's book. A
    // rejected change rolls the insert back with everything else, so no empty book stays.
    const now = this.clock.now();
    const empty = AddressBook.empty(userId, now);
    await this.em.execute(
      `insert into address_book (user_id, entries, default_id, version, updated_at)
       values (?, ?::jsonb, ?, ?, ?) on conflict (user_id) do nothing`,
      [userId, JSON.stringify(empty.addresses), empty.defaultId, empty.version, now],
    );
    const created = await this.em.findOne(AddressBook, { id: userId }, forUpdate);
    if (!created) throw new Error(`address book ${userId} vanished right after its insert`);
    return created;
  }
}

export class MikroAccountsReads implements AccountsReads {
  constructor(private readonly em: EntityManager) {}
  userByEmail(email: string) {
    return this.em.findOne(User, { _email: email } as never);
  }
  userById(id: string) {
    return this.em.findOne(User, { id });
  }
  storeById(id: string) {
    return this.em.findOne(Store, { id });
  }
  stores({
    status,
    afterId,
    limit,
  }: {
    status?: StoreStatus | null;
    afterId?: string | null;
    limit: number;
  }) {
    return this.em.find(
      Store,
      { ...(status ? { _status: status } : {}), ...(afterId ? { id: { $gt: afterId } } : {}) } as never,
      { orderBy: { id: 'asc' }, limit },
    );
  }
}

/** One SQL query for any number of ids: the batch behind `Seller` and `User` references. */
export const storesByIds = (em: EntityManager, ids: readonly string[]) =>
  em.find(Store, { id: { $in: [...ids] } });
export const usersByIds = (em: EntityManager, ids: readonly string[]) =>
  em.find(User, { id: { $in: [...ids] } });
export const addressBooksByUserIds = (em: EntityManager, ids: readonly string[]) =>
  em.find(AddressBook, { id: { $in: [...ids] } });

/**
 * A unique index is the last word when two requests race past the use case's own check:
 * its violation becomes the same typed error the check would have given.
 */
function raceLost(error: unknown): Result<never> | null {
  if (!(error instanceof UniqueConstraintViolationException)) return null;
  const constraint = (error as { constraint?: string }).constraint;
  if (constraint === Constraints.userEmail) return err(emailTaken());
  if (constraint === Constraints.storeSlug) return err(slugTaken());
  return null;
}

export interface AccountsAdapters {
  clock: Clock;
  passwords: PasswordHasher;
  tokens: TokenIssuer;
  throttle: LoginThrottle;
  registrations: RegistrationThrottle;
  onCommit?: () => void;
}

/** Wires the ports for one request (or one CLI run) on its entity manager. */
export function accountsContext(
  ctx: Pick<RequestContext, 'actor' | 'correlationId' | 'traceparent' | 'em'> & { client?: string | null },
  adapters: AccountsAdapters,
): AccountsContext {
  const { clock } = adapters;
  return {
    actor: ctx.actor,
    correlationId: ctx.correlationId,
    clock,
    client: ctx.client ?? null,
    reads: new MikroAccountsReads(ctx.em),
    passwords: adapters.passwords,
    tokens: adapters.tokens,
    throttle: adapters.throttle,
    registrations: adapters.registrations,
    afterCommit: adapters.onCommit,
    transaction: async (work) => {
      try {
        return await inTransaction(
          ctx.em,
          { producer: 'accounts', correlationId: ctx.correlationId, traceparent: ctx.traceparent },
          (scope) => {
            const tx: AccountsTransaction = {
              users: new MikroUsers(scope.em),
              stores: new MikroStores(scope.em),
              refreshTokens: new MikroRefreshTokens(scope.em),
              addressBooks: new MikroAddressBooks(scope.em, clock),
              track: (aggregate) => scope.track(aggregate),
            };
            return work(tx);
          },
        );
      } catch (error) {
        const lost = raceLost(error);
        if (lost) return lost;
        throw error;
      }
    },
  };
}
