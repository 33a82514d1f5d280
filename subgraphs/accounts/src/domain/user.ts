import {
  AggregateRoot,
  Guard,
  closedSet,
  combine,
  domainError,
  err,
  newId,
  ok,
  type MemberOf,
  type Result,
} from '@marketplace/shared-kernel';

/** Who an account is on the marketplace; a role never changes. */
export const USER_ROLE = closedSet('UserRole', ['buyer', 'seller', 'admin'] as const);
export type Role = MemberOf<typeof USER_ROLE>;

export const USER_LIMITS = { email: 254, emailLocalPart: 64, name: 80 } as const;

/** Deliberately little: who registered and in which role, no email, no password data. */
export interface UserRegisteredPayload {
  userId: string;
  role: Role;
  name: string;
}

/** Where the user is reached (notifications keeps it); on its own event so few consumers see it. */
export interface UserContactChangedPayload {
  userId: string;
  email: string;
  version: number;
}

// Pragmatic shape check (one @, a dotted domain, no spaces); the mailbox is proven by use, not by regex.
const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;

/**
 * Emails are unique case-insensitively, so the whole address is kept lowercased: the
 * uniqueness check, login and throttling all see one spelling.
 */
export function normalizeEmail(raw: string): Result<string> {
  const email = raw.trim().toLowerCase();
  const local = email.split('@')[0] ?? '';
  if (email.length > USER_LIMITS.email || local.length > USER_LIMITS.emailLocalPart || !EMAIL.test(email)) {
    return err(domainError('VALIDATION.INVALID_EMAIL', 'This is not a valid email address', 'email'));
  }
  return ok(email);
}

export const displayName = (raw: string): Result<string> =>
  Guard.text('name', raw, { max: USER_LIMITS.name });

export interface NewUser {
  email: string;
  name: string;
  /** An argon2id hash; the plain password never reaches the domain. */
  passwordHash: string;
}

/** The events a user raises, by contract. */
export type UserEvents = {
  'accounts.user-registered@1': UserRegisteredPayload;
  'accounts.user-contact-changed@1': UserContactChangedPayload;
};

/**
 * A person with an account. Buyers and sellers register themselves; a seller's account is
 * tied to its store (`sellerId` = the store's id, carried by its access tokens). Admins are
 * only ever created by the operator's bootstrap.
 */
export class User extends AggregateRoot<UserEvents> {
  private constructor(
    readonly id: string,
    private _email: string,
    private _name: string,
    readonly role: Role,
    private _passwordHash: string,
    readonly sellerId: string | null,
    private _version: number,
    readonly createdAt: Date,
    private _updatedAt: Date,
  ) {
    super();
  }

  static registerBuyer(input: NewUser, now: Date, id: string = newId()): Result<User> {
    return User.create(input, 'buyer', null, now, id);
  }

  /** The seller's store is opened in the same registration; its id becomes the seller id. */
  static registerSeller(input: NewUser, sellerId: string, now: Date, id: string = newId()): Result<User> {
    const store = Guard.uuid('sellerId', sellerId);
    if (!store.ok) return store;
    return User.create(input, 'seller', store.value, now, id);
  }

  static createAdmin(input: NewUser, now: Date, id: string = newId()): Result<User> {
    return User.create(input, 'admin', null, now, id);
  }

  private static create(
    input: NewUser,
    role: Role,
    sellerId: string | null,
    now: Date,
    id: string,
  ): Result<User> {
    const checked = combine(
      normalizeEmail(input.email),
      displayName(input.name),
      passwordHash(input.passwordHash),
    );
    if (!checked.ok) return checked;
    const [email, name, hash] = checked.value;
    const user = new User(id, email, name, role, hash, sellerId, 1, now, now);
    user.raise('accounts.user-registered@1', { userId: id, role, name }, { occurredAt: now });
    user.raise('accounts.user-contact-changed@1', { userId: id, email, version: 1 }, { occurredAt: now });
    return ok(user);
  }

  get email(): string {
    return this._email;
  }
  get name(): string {
    return this._name;
  }
  get passwordHash(): string {
    return this._passwordHash;
  }
  get version(): number {
    return this._version;
  }
  get updatedAt(): Date {
    return this._updatedAt;
  }

  isAdmin(): boolean {
    return this.role === 'admin';
  }

  changePassword(hash: string, now: Date): Result<void> {
    const checked = passwordHash(hash);
    if (!checked.ok) return checked;
    this._passwordHash = checked.value;
    this.touch(now);
    return ok(undefined);
  }

  rename(name: string, now: Date): Result<void> {
    const checked = displayName(name);
    if (!checked.ok) return checked;
    if (checked.value === this._name) return ok(undefined);
    this._name = checked.value;
    this.touch(now);
    return ok(undefined);
  }

  private touch(now: Date): void {
    this._version += 1;
    this._updatedAt = now;
  }
}

function passwordHash(hash: string): Result<string> {
  // A PHC string such as `$argon2id$v=19$m=...`: guards against storing a plain password by mistake.
  return hash.startsWith('$') && hash.length >= 20
    ? ok(hash)
    : err(domainError('ACCOUNT.INVALID_PASSWORD_HASH', 'Not a password hash'));
}
