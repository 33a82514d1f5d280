import { LockMode, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { defineUseCases, storedWhere, type OutboxRelay, type ServiceDeps } from '@marketplace/platform';
import { err, ok, systemClock, type Clock, type DomainError, type Result } from '@marketplace/shared-kernel';
import { AddressBook } from '../../domain/address-book.js';
import { RefreshTokenFamily } from '../../domain/refresh-token-family.js';
import { Store, type StoreStatus } from '../../domain/store.js';
import { User } from '../../domain/user.js';
import type {
  AccountsReads,
  AccountsRepositories,
  AccountsServices,
  AddressBookRepository,
  RefreshTokenRepository,
  StoreRepository,
  UserRepository,
} from '../../application/ports.js';
import { emailTaken, slugTaken } from '../../application/register.js';
import { Argon2PasswordHasher } from '../security/argon2-password-hasher.js';
import { StoreLoginThrottle, StoreRegistrationThrottle } from '../security/login-throttle.js';
import { JwtTokenIssuer } from '../security/tokens.js';
import { accountsSettings } from '../../config.js';
import {
  Constraints,
  IssuedRefreshToken,
  RefreshTokenFamilySchema,
  StoreSchema,
  UserSchema,
} from './accounts.schema.js';

const forUpdate = { lockMode: LockMode.PESSIMISTIC_WRITE } as const;

/**
 * Inserts a new aggregate at once. A unique index is the last word when two requests race past
 * the use case's own check: its violation becomes the typed error the check would have given
 * (Postgres has aborted the transaction, which the rejection rolls back).
 */
async function insert(em: EntityManager, entity: object, lost: Record<string, () => DomainError>) {
  try {
    await em.persist(entity).flush();
    return ok(undefined);
  } catch (error) {
    const constraint =
      error instanceof UniqueConstraintViolationException
        ? (error as { constraint?: string }).constraint
        : undefined;
    const refusal = constraint === undefined ? undefined : lost[constraint];
    if (refusal) return err(refusal());
    throw error;
  }
}

const byEmail = (email: string) => storedWhere(User, UserSchema, { _email: email });

class MikroUsers implements UserRepository {
  constructor(private readonly em: EntityManager) {}
  byEmail(email: string) {
    return this.em.findOne(User, byEmail(email));
  }
  byIdForUpdate(id: string) {
    return this.em.findOne(User, { id }, forUpdate);
  }
  byEmailForUpdate(email: string) {
    return this.em.findOne(User, byEmail(email), forUpdate);
  }
  add(user: User): Promise<Result<void>> {
    return insert(this.em, user, { [Constraints.userEmail]: emailTaken });
  }
}

class MikroStores implements StoreRepository {
  constructor(private readonly em: EntityManager) {}
  byIdForUpdate(id: string) {
    return this.em.findOne(Store, { id }, forUpdate);
  }
  async slugTaken(slug: string) {
    return (await this.em.count(Store, storedWhere(Store, StoreSchema, { _slug: slug }))) > 0;
  }
  add(store: Store): Promise<Result<void>> {
    return insert(this.em, store, { [Constraints.storeSlug]: slugTaken });
  }
}

class MikroRefreshTokens implements RefreshTokenRepository {
  constructor(private readonly em: EntityManager) {}
  async familyOfTokenForUpdate(tokenHash: string) {
    const issued = await this.em.findOne(IssuedRefreshToken, { tokenHash });
    return issued ? this.em.findOne(RefreshTokenFamily, { id: issued.familyId }, forUpdate) : null;
  }
  activeFamiliesOfUserForUpdate(userId: string) {
    return this.em.find(
      RefreshTokenFamily,
      storedWhere(RefreshTokenFamily, RefreshTokenFamilySchema, { userId, _revokedAt: null }),
      forUpdate,
    );
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

/** Reads outside any transaction, each on a fresh entity manager of the service's pool. */
export class MikroAccountsReads implements AccountsReads {
  constructor(private readonly fork: () => EntityManager) {}
  userByEmail(email: string) {
    return this.fork().findOne(User, byEmail(email));
  }
  userById(id: string) {
    return this.fork().findOne(User, { id });
  }
  storeById(id: string) {
    return this.fork().findOne(Store, { id });
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
    return this.fork().find(
      Store,
      storedWhere(Store, StoreSchema, {
        ...(status ? { _status: status } : {}),
        ...(afterId ? { id: { $gt: afterId } } : {}),
      }),
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

/** The ports' adapters of one running service: its store (throttles), its JWT secret, its reads. */
export function accountsServices(
  deps: Pick<ServiceDeps, 'config' | 'store' | 'orm'>,
  clock: Clock = systemClock,
): AccountsServices {
  const settings = accountsSettings();
  return {
    clock,
    reads: new MikroAccountsReads(() => deps.orm.em.fork() as EntityManager),
    passwords: new Argon2PasswordHasher(),
    tokens: new JwtTokenIssuer({
      jwtSecret: deps.config.jwtSecret,
      accessTtlSeconds: settings.accessTtlSeconds,
      refreshTtlMs: settings.refreshTtlMs,
    }),
    throttle: new StoreLoginThrottle(deps.store, {
      maxFailuresPerEmail: settings.maxFailuresPerEmail,
      maxFailuresPerClient: settings.maxFailuresPerClient,
      windowSeconds: settings.throttleWindowSeconds,
    }),
    registrations: new StoreRegistrationThrottle(deps.store, {
      maxPerClient: settings.registrationsPerClient,
      windowSeconds: settings.registrationWindowSeconds,
      prefix: settings.registrationPrefix,
    }),
  };
}

/**
 * How accounts' use cases get their context, once: the platform builds it for a request or a
 * job, commits once per use case and wakes the relay after a commit that wrote events.
 */
export function accountsUseCases(settings: { clock?: Clock } = {}) {
  const clock = settings.clock ?? systemClock;
  return defineUseCases({
    producer: 'accounts',
    repositories: (em): AccountsRepositories => ({
      users: new MikroUsers(em),
      stores: new MikroStores(em),
      refreshTokens: new MikroRefreshTokens(em),
      addressBooks: new MikroAddressBooks(em, clock),
    }),
    extras: (deps) => accountsServices(deps, clock),
  });
}

/** What a tool running without the service has (the create-admin CLI): no bus, no relay. */
export type ToolDeps = Pick<ServiceDeps, 'config' | 'store' | 'orm' | 'logger'>;

/**
 * Deps for binding the kit in such a tool. There is no relay to wake: the rows it commits wait
 * in the outbox for the service's relay, which polls on its own. Nothing here sends.
 */
export function withoutRelay(deps: ToolDeps): ServiceDeps {
  const idle: Pick<OutboxRelay, 'nudge'> = { nudge: () => undefined };
  return { ...deps, relay: idle as OutboxRelay } as ServiceDeps;
}
