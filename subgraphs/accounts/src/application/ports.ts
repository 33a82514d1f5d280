import type { Actor, TransactionTools, UseCaseContext } from '@marketplace/platform';
import type { Clock, Result } from '@marketplace/shared-kernel';
import type { AddressBook } from '../domain/address-book.js';
import type { RefreshTokenFamily } from '../domain/refresh-token-family.js';
import type { Store, StoreStatus } from '../domain/store.js';
import type { User } from '../domain/user.js';

export interface UserRepository {
  byEmail(email: string): Promise<User | null>;
  /** Loads and row-locks the user for the rest of the transaction. */
  byIdForUpdate(id: string): Promise<User | null>;
  byEmailForUpdate(email: string): Promise<User | null>;
  /**
   * Writes the new user at once: when a simultaneous registration took the email first, the
   * unique index decides and the answer is ACCOUNT.EMAIL_TAKEN (the transaction rolls back).
   */
  add(user: User): Promise<Result<void>>;
}

export interface StoreRepository {
  byIdForUpdate(id: string): Promise<Store | null>;
  slugTaken(slug: string): Promise<boolean>;
  /** Writes the new store at once; a slug taken meanwhile is STORE.SLUG_TAKEN (see UserRepository.add). */
  add(store: Store): Promise<Result<void>>;
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
  /**
   * The user's address book, row-locked. When the user has none yet an empty one is created
   * first (a concurrent first change waits for it instead of creating a second one); the
   * creation commits or rolls back with the rest of the transaction.
   */
  ofUserForUpdate(userId: string): Promise<AddressBook>;
}

/** The repositories of one accounts transaction (the kit adds `track` and `afterCommit`). */
export interface AccountsRepositories {
  users: UserRepository;
  stores: StoreRepository;
  refreshTokens: RefreshTokenRepository;
  addressBooks: AddressBookRepository;
}

/** One accounts transaction: its repositories plus `track` and `afterCommit`. */
export type AccountsTransaction = AccountsRepositories & TransactionTools;

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

/** One sign-in attempt that the throttle let through; the caller reports how it ended. */
export interface LoginAttempt {
  /** The password was wrong (or the email unknown): the attempt stays counted. */
  failed(): Promise<void>;
  /** The password was right: the email's failures are forgiven, the client's attempt is returned. */
  succeeded(): Promise<void>;
}

export interface LoginThrottle {
  /**
   * Counts one attempt against the email and the client, atomically and before any password
   * is checked, so simultaneous guesses cannot all slip past a check that only reads the
   * counts. Over either limit nothing is checked: the answer is the seconds to wait.
   */
  begin(keys: ThrottleKeys): Promise<{ attempt: LoginAttempt } | { retryAfterSeconds: number }>;
}

/**
 * Counts account registrations per client, so one client cannot open accounts by the dozen
 * (e.g. to fill carts that hold stock). Only registrations that created an account stay counted.
 */
export interface RegistrationThrottle {
  /**
   * Counts one registration of the client atomically, before anything is checked, so
   * simultaneous registrations cannot all slip past; over the allowance, the seconds to wait.
   * `created` false gives the count back (nothing was created).
   */
  begin(client: string): Promise<{ done(created: boolean): Promise<void> } | { retryAfterSeconds: number }>;
}

/** The calling client (the address the gateway forwards), for throttling; null when it did not say. */
export interface FromClient {
  client: string | null;
}

/** The accounts service's own context fields, built once per running service. */
export interface AccountsServices {
  clock: Clock;
  reads: AccountsReads;
  passwords: PasswordHasher;
  tokens: TokenIssuer;
  throttle: LoginThrottle;
  registrations: RegistrationThrottle;
}

/** What every accounts use case receives besides its input (declared once: accountsUseCases). */
export type AccountsContext = UseCaseContext<AccountsRepositories, AccountsServices>;
