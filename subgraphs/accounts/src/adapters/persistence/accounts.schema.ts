import { Migration } from '@mikro-orm/migrations';
import { mapEntity } from '@marketplace/platform';
import { AddressBook } from '../../domain/address-book.js';
import { RefreshTokenFamily } from '../../domain/refresh-token-family.js';
import { Store } from '../../domain/store.js';
import { User } from '../../domain/user.js';

/** Every refresh token ever issued, by hash: how a replayed, retired token finds its family. */
export class IssuedRefreshToken {
  constructor(
    readonly tokenHash: string,
    readonly familyId: string,
    readonly generation: number,
    readonly issuedAt: Date,
  ) {}
}

// The rows below name the stored fields, private ones included, with indexed access types
// (checked by the compiler). The domain classes are mapped without decorators; MikroORM hydrates
// them without running their constructors, so invariants live in their methods.

/** A user as stored. */
export type UserRow = Pick<User, 'id' | 'role' | 'sellerId' | 'createdAt'> & {
  _email: User['_email'];
  _name: User['_name'];
  _passwordHash: User['_passwordHash'];
  _version: User['_version'];
  _updatedAt: User['_updatedAt'];
};

/** A store as stored. */
export type StoreRow = Pick<Store, 'id' | 'ownerUserId' | 'createdAt'> & {
  _name: Store['_name'];
  _slug: Store['_slug'];
  _status: Store['_status'];
  _suspensionReason: Store['_suspensionReason'];
  _version: Store['_version'];
  _updatedAt: Store['_updatedAt'];
};

/** A session (refresh-token family) as stored. */
export type RefreshTokenFamilyRow = Pick<RefreshTokenFamily, 'id' | 'userId' | 'createdAt'> & {
  _currentTokenHash: RefreshTokenFamily['_currentTokenHash'];
  _generation: RefreshTokenFamily['_generation'];
  _lastRotatedAt: RefreshTokenFamily['_lastRotatedAt'];
  _expiresAt: RefreshTokenFamily['_expiresAt'];
  _revokedAt: RefreshTokenFamily['_revokedAt'];
  _revokedReason: RefreshTokenFamily['_revokedReason'];
};

/** An address book as stored: one row per user. */
export type AddressBookRow = Pick<AddressBook, 'id'> & {
  _entries: AddressBook['_entries'];
  _defaultId: AddressBook['_defaultId'];
  _version: AddressBook['_version'];
  _updatedAt: AddressBook['_updatedAt'];
};

export const UserSchema = mapEntity<UserRow>(User, {
  tableName: 'app_user',
  properties: {
    id: { type: 'uuid', primary: true },
    _email: { type: 'text', fieldName: 'email' },
    _name: { type: 'text', fieldName: 'name' },
    role: { type: 'text' },
    _passwordHash: { type: 'text', fieldName: 'password_hash' },
    sellerId: { type: 'uuid', nullable: true },
    _version: { type: 'integer', fieldName: 'version' },
    createdAt: { type: 'datetime' },
    _updatedAt: { type: 'datetime', fieldName: 'updated_at' },
  },
});

export const StoreSchema = mapEntity<StoreRow>(Store, {
  tableName: 'store',
  properties: {
    id: { type: 'uuid', primary: true },
    ownerUserId: { type: 'uuid' },
    _name: { type: 'text', fieldName: 'name' },
    _slug: { type: 'text', fieldName: 'slug' },
    _status: { type: 'text', fieldName: 'status' },
    _suspensionReason: { type: 'text', fieldName: 'suspension_reason', nullable: true },
    _version: { type: 'integer', fieldName: 'version' },
    createdAt: { type: 'datetime' },
    _updatedAt: { type: 'datetime', fieldName: 'updated_at' },
  },
});

export const RefreshTokenFamilySchema = mapEntity<RefreshTokenFamilyRow>(RefreshTokenFamily, {
  tableName: 'refresh_token_family',
  properties: {
    id: { type: 'uuid', primary: true },
    userId: { type: 'uuid' },
    _currentTokenHash: { type: 'text', fieldName: 'current_token_hash' },
    _generation: { type: 'integer', fieldName: 'generation' },
    createdAt: { type: 'datetime' },
    _lastRotatedAt: { type: 'datetime', fieldName: 'last_rotated_at' },
    _expiresAt: { type: 'datetime', fieldName: 'expires_at' },
    _revokedAt: { type: 'datetime', fieldName: 'revoked_at', nullable: true },
    _revokedReason: { type: 'text', fieldName: 'revoked_reason', nullable: true },
  },
});

export const IssuedRefreshTokenSchema = mapEntity<IssuedRefreshToken>(IssuedRefreshToken, {
  tableName: 'refresh_token',
  properties: {
    tokenHash: { type: 'text', primary: true },
    familyId: { type: 'uuid' },
    generation: { type: 'integer' },
    issuedAt: { type: 'datetime' },
  },
});

export const AddressBookSchema = mapEntity<AddressBookRow>(AddressBook, {
  tableName: 'address_book',
  properties: {
    id: { type: 'uuid', primary: true, fieldName: 'user_id' },
    _entries: { type: 'json', fieldName: 'entries' },
    _defaultId: { type: 'uuid', fieldName: 'default_id', nullable: true },
    _version: { type: 'integer', fieldName: 'version' },
    _updatedAt: { type: 'datetime', fieldName: 'updated_at' },
  },
});

export const accountsEntities = [
  UserSchema,
  StoreSchema,
  RefreshTokenFamilySchema,
  IssuedRefreshTokenSchema,
  AddressBookSchema,
];

/** Names of the unique constraints a racing request can hit; the adapter maps them to error codes. */
export const Constraints = {
  userEmail: 'app_user_email_key',
  storeSlug: 'store_slug_key',
} as const;

export class Migration20261201000400CreateAccounts extends Migration {
  override async up(): Promise<void> {
    // Checks repeat the domain's rules, so no code path can store a user or store it would refuse.
    this.addSql(`
      create table app_user (
        id uuid primary key,
        email text not null constraint ${Constraints.userEmail} unique check (email = lower(email)),
        name text not null,
        role text not null check (role in ('buyer', 'seller', 'admin')),
        password_hash text not null,
        seller_id uuid null unique,
        version int not null,
        created_at timestamptz not null,
        updated_at timestamptz not null,
        check ((role = 'seller') = (seller_id is not null))
      )`);
    // Deferred: a seller's user and store are inserted in one transaction, in either order.
    this.addSql(`
      create table store (
        id uuid primary key,
        owner_user_id uuid not null unique references app_user (id) deferrable initially deferred,
        name text not null,
        slug text not null constraint ${Constraints.storeSlug} unique
          check (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
        status text not null check (status in ('PENDING', 'ACTIVE', 'SUSPENDED')),
        suspension_reason text null check ((status = 'SUSPENDED') = (suspension_reason is not null)),
        version int not null,
        created_at timestamptz not null,
        updated_at timestamptz not null
      )`);
    this.addSql('create index store_status_idx on store (status, id)');
    this.addSql(`
      create table refresh_token_family (
        id uuid primary key,
        user_id uuid not null references app_user (id) deferrable initially deferred,
        current_token_hash text not null,
        generation int not null check (generation >= 1),
        created_at timestamptz not null,
        last_rotated_at timestamptz not null,
        expires_at timestamptz not null,
        revoked_at timestamptz null,
        revoked_reason text null
          check (revoked_reason in ('LOGOUT', 'LOGOUT_EVERYWHERE', 'REUSE_DETECTED')),
        check ((revoked_at is null) = (revoked_reason is null))
      )`);
    this.addSql(
      'create index refresh_token_family_active_idx on refresh_token_family (user_id) where revoked_at is null',
    );
    this.addSql(`
      create table refresh_token (
        token_hash text primary key,
        family_id uuid not null references refresh_token_family (id) on delete cascade deferrable initially deferred,
        generation int not null,
        issued_at timestamptz not null
      )`);
    this.addSql('create index refresh_token_family_idx on refresh_token (family_id)');
    this.addSql(`
      create table address_book (
        user_id uuid primary key references app_user (id) deferrable initially deferred,
        entries jsonb not null check (jsonb_typeof(entries) = 'array' and jsonb_array_length(entries) <= 20),
        default_id uuid null,
        version int not null,
        updated_at timestamptz not null
      )`);
  }
}

export const accountsMigrations = [
  { name: 'Migration20261201000400CreateAccounts', class: Migration20261201000400CreateAccounts },
];
