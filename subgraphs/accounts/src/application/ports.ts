import type { Actor } from '@marketplace/platform';
import type { AggregateRoot, Clock, Result } from '@marketplace/shared-kernel';
import type { AddressBook } from '../domain/address-book.js';
import type { RefreshTokenFamily } from '../domain/refresh-token-family.js';
import type { Store, StoreStatus } from '../domain/store.js';
import type { User } from '../domain/user.js';

export interface UserRepository {
  byEmail(email: string): Promise<User | null>;
  /** Loads and row-locks the user for the rest of the transaction. */
  byIdForUpdate(id: string): Promise<User | null>;
  byEmailForUpdate(email: string): Promise<User | null>;
  add(user: User): void;
}

export interface StoreRepository {
  byIdForUpdate(id: string): Promise<Store | null>;
  slugTaken(slug: string): Promise<boolean>;
  add(store: Store): void;
}

export interface RefreshTokenRepository {
  /** The family that issued the token with this hash (current or retired), row-locked. */
  familyOfTokenForUpdate(tokenHash: string): Promise<RefreshTokenFamily | null>;
  activeFamiliesOfUserForUpdate(userId: string): Promise<RefreshTokenFamily[]>;
  add(family: RefreshTokenFamily): void;
  /** Remembers an issued token's hash for good, so a replay is recognised as reuse. */
  rememberIssued(family: RefreshTokenFamily, issuedAt: Date): void;
}

export interface AddressBookRepository {
  /** The user's address book, row-locked; a new empty one when the user has none yet. */
  ofUserForUpdate(userId: string): Promise<AddressBook>;
}

export interface AccountsTransaction {
  users: UserRepository;
  stores: StoreRepository;
  refreshTokens: RefreshTokenRepository;
  addressBooks: AddressBookRepository;
  /** Enlists an aggregate whose recorded events go to the outbox on commit. */
  track(aggregate: AggregateRoot): void;
}

/** Reads outside a transaction (no locks), e.g. before an expensive password check. */
export interface AccountsReads {
  userByEmail(email: string): Promise<User | null>;
  userById(id: string): Promise<User | null>;
  storeById(id: string): Promise<Store | null>;
  stores(filter: { status?: StoreStatus | null; afterId?: string | null; limit: number }): Promise<Store[]>;
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
  /** Spends the same effort as a real check, so an unknown email answers as slowly as a known one. */
  verifyAgainstDummy(password: string): Promise<false>;
}

export interface IssuedAccessToken {
  token: string;
  expiresAt: Date;
}

export interface IssuedRefreshToken {
  /** Given to the client once; never stored. */
  token: string;
  hash: string;
}

export interface TokenIssuer {
  accessToken(actor: Actor): Promise<IssuedAccessToken>;
  newRefreshToken(): IssuedRefreshToken;
  /** The stored form of a presented refresh token. */
  hashRefreshToken(token: string): string;
  readonly refreshTtlMs: number;
}

export interface ThrottleKeys {
  /** The normalized email, tried whether or not an account has it. */
  email: string;
  /** The calling client (address or id forwarded by the gateway), when known. */
  client?: string | null;
}

export interface LoginThrottle {
  /** Seconds to wait when a key has used up its failed attempts, else null. */
  blockedFor(keys: ThrottleKeys): Promise<number | null>;
  recordFailure(keys: ThrottleKeys): Promise<void>;
  /** A successful login forgives the email's earlier failures (not the client's). */
  recordSuccess(keys: ThrottleKeys): Promise<void>;
}

/** What every accounts use case receives besides its input. */
export interface AccountsContext {
  actor: Actor | null;
  correlationId: string;
  clock: Clock;
  /** The calling client, for throttling; null when the gateway did not say. */
  client: string | null;
  reads: AccountsReads;
  passwords: PasswordHasher;
  tokens: TokenIssuer;
  throttle: LoginThrottle;
  /** Runs the work in one transaction; a rejected result rolls it back. */
  transaction<T>(work: (tx: AccountsTransaction) => Promise<Result<T>>): Promise<Result<T>>;
  /** Called after a commit that wrote events, e.g. to wake the outbox relay. */
  afterCommit?(): void;
}
