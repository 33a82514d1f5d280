// type-graphql reads decorator metadata through this polyfill.
import 'reflect-metadata';
import {
  Directive,
  Field,
  ID,
  InputType,
  Int,
  ObjectType,
  createUnionType,
  registerEnumType,
} from 'type-graphql';
import { ErrorResult, graphqlEnum, resultUnion, type Actor } from '@marketplace/platform';
import type { Address } from '../../domain/address-book.js';
import { STORE_STATUS, type Store, type StoreStatus } from '../../domain/store.js';
import { USER_ROLE, type Role, type User } from '../../domain/user.js';

/** The graph names roles in capitals (BUYER) for the domain's lowercase values (buyer). */
export const UserRoleEnum = Object.fromEntries(
  USER_ROLE.values.map((role) => [role.toUpperCase(), role]),
) as {
  readonly [R in Role as Uppercase<R>]: R;
};
registerEnumType(UserRoleEnum, { name: 'UserRole' });

export const StoreStatusEnum = graphqlEnum(STORE_STATUS, {
  description: 'PENDING until an admin approves; SUSPENDED and ACTIVE in turn after that.',
});

@ObjectType('Address', { description: 'An entry of a user’s address book.' })
export class AddressNode {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true, description: 'The user’s name for it, e.g. Home.' })
  label!: string | null;

  @Field(() => String)
  recipientName!: string;

  @Field(() => String)
  line1!: string;

  @Field(() => String, { nullable: true })
  line2!: string | null;

  @Field(() => String)
  city!: string;

  @Field(() => String, { nullable: true, description: 'State, province or county.' })
  region!: string | null;

  @Field(() => String, { nullable: true })
  postalCode!: string | null;

  @Field(() => String, { description: 'ISO 3166-1 alpha-2 country code.' })
  country!: string;

  @Field(() => String, { nullable: true, description: 'E.164, e.g. +4930123456.' })
  phone!: string | null;

  @Field(() => Boolean)
  isDefault!: boolean;

  static of(address: Address, defaultId: string | null): AddressNode {
    return Object.assign(new AddressNode(), { ...address, isDefault: address.id === defaultId });
  }
}

@ObjectType('Store', { description: 'A seller’s store as its seller and admins see it.' })
export class StoreNode {
  @Field(() => ID, { description: 'Also the seller id used across the marketplace.' })
  id!: string;

  @Field(() => ID)
  ownerUserId!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String)
  slug!: string;

  @Field(() => StoreStatusEnum)
  status!: StoreStatus;

  @Field(() => String, { nullable: true, description: 'Why an admin suspended the store.' })
  suspensionReason!: string | null;

  @Field(() => Int, { description: 'Incremented by every change.' })
  version!: number;

  @Field(() => String, { description: 'ISO-8601 timestamp.' })
  createdAt!: string;

  @Field(() => String, { description: 'ISO-8601 timestamp.' })
  updatedAt!: string;

  static of(store: Store): StoreNode {
    return Object.assign(new StoreNode(), {
      id: store.id,
      ownerUserId: store.ownerUserId,
      name: store.name,
      slug: store.slug,
      status: store.status,
      suspensionReason: store.suspensionReason,
      version: store.version,
      createdAt: store.createdAt.toISOString(),
      updatedAt: store.updatedAt.toISOString(),
    });
  }
}

@Directive('@key(fields: "id")')
// A store's public face: anonymous answers are cached by the gateway (gateway/README.md).
@Directive('@cacheControl(maxAge: 300)')
@ObjectType('Seller', { description: 'The public face of a store; other subgraphs reference it by id.' })
export class SellerNode {
  @Field(() => ID, { description: 'The seller id (= store id).' })
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String)
  slug!: string;

  @Field(() => StoreStatusEnum)
  status!: StoreStatus;

  static of(store: Store): SellerNode {
    return Object.assign(new SellerNode(), {
      id: store.id,
      name: store.name,
      slug: store.slug,
      status: store.status,
    });
  }
}

@Directive('@key(fields: "id")')
@ObjectType('User', { description: 'An account. Email, store and addresses only for the user (and admins).' })
export class UserNode {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { description: 'Display name.' })
  name!: string;

  @Field(() => UserRoleEnum)
  role!: Role;

  @Field(() => String, { nullable: true, description: 'Only for the user and admins.' })
  email!: string | null;

  /** Not GraphQL fields: what the field resolvers need to load and to decide visibility. */
  sellerId!: string | null;
  viewerIsSelf!: boolean;
  viewerIsAdmin!: boolean;

  static of(user: User, viewer: Pick<Actor, 'userId' | 'role'> | null): UserNode {
    const self = viewer?.userId === user.id;
    const admin = viewer?.role === 'admin';
    return Object.assign(new UserNode(), {
      id: user.id,
      name: user.name,
      role: user.role,
      email: self || admin ? user.email : null,
      sellerId: user.sellerId,
      viewerIsSelf: self,
      viewerIsAdmin: admin,
    });
  }
}

@ObjectType({ description: 'A signed-in session.' })
export class AuthPayload {
  @Field(() => String, { description: 'Bearer token for the Authorization header; short-lived.' })
  accessToken!: string;

  @Field(() => String, { description: 'ISO-8601 timestamp.' })
  accessTokenExpiresAt!: string;

  @Field(() => String, {
    description: 'Exchange it once with `refresh` for a new pair. Keep it secret: it is shown only now.',
  })
  refreshToken!: string;

  @Field(() => String, { description: 'ISO-8601 timestamp.' })
  refreshTokenExpiresAt!: string;

  @Field(() => UserNode)
  user!: UserNode;
}

@ObjectType({ description: 'Sign-in refused for a while after too many failures; nothing was checked.' })
export class TooManyAttemptsError {
  @Field(() => String, { description: 'AUTH.TOO_MANY_ATTEMPTS' })
  code!: string;

  @Field(() => String)
  message!: string;

  @Field(() => String, { nullable: true })
  field?: string | null;

  @Field(() => Int)
  retryAfterSeconds!: number;
}

@ObjectType()
export class LogoutPayload {
  @Field(() => Int, { description: 'Sessions ended by this call (0 when none was active).' })
  revokedSessions!: number;
}

@ObjectType()
export class StorePayload {
  @Field(() => StoreNode)
  store!: StoreNode;
}

@ObjectType()
export class AddressBookPayload {
  @Field(() => AddressNode, {
    nullable: true,
    description: 'The address added or changed; null after removal.',
  })
  address!: AddressNode | null;

  @Field(() => [AddressNode])
  addresses!: AddressNode[];
}

@ObjectType()
export class StoreEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => StoreNode)
  node!: StoreNode;
}

@ObjectType()
export class StorePageInfo {
  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

@ObjectType()
export class StoreConnection {
  @Field(() => [StoreEdge])
  edges!: StoreEdge[];

  @Field(() => StorePageInfo)
  pageInfo!: StorePageInfo;
}

const isError = (value: object): value is ErrorResult => 'code' in value;

export const AuthResult = resultUnion(AuthPayload, { name: 'AuthResult' });

export const LoginResult = createUnionType({
  name: 'LoginResult',
  types: () => [AuthPayload, TooManyAttemptsError, ErrorResult] as const,
  resolveType: (value) =>
    'retryAfterSeconds' in value ? TooManyAttemptsError : isError(value) ? ErrorResult : AuthPayload,
});

export const LogoutResult = resultUnion(LogoutPayload, { name: 'LogoutResult' });

export const StoreResult = resultUnion(StorePayload, { name: 'StoreResult' });

export const StoresResult = resultUnion(StoreConnection, { name: 'StoresResult' });

export const AddressBookResult = resultUnion(AddressBookPayload, { name: 'AddressBookResult' });

@InputType()
export class RegisterBuyerInput {
  @Field(() => String)
  email!: string;

  @Field(() => String, { description: '10 to 128 characters; not a well-known password.' })
  password!: string;

  @Field(() => String, { description: 'Display name.' })
  name!: string;
}

@InputType()
export class RegisterSellerInput extends RegisterBuyerInput {
  @Field(() => String)
  storeName!: string;

  @Field(() => String, {
    nullable: true,
    description: 'Lowercase words joined by hyphens; derived from storeName when omitted.',
  })
  storeSlug?: string | null;
}

@InputType()
export class LoginInput {
  @Field(() => String)
  email!: string;

  @Field(() => String)
  password!: string;
}

@InputType()
export class AddressInput {
  @Field(() => String, { nullable: true })
  label?: string | null;

  @Field(() => String)
  recipientName!: string;

  @Field(() => String)
  line1!: string;

  @Field(() => String, { nullable: true })
  line2?: string | null;

  @Field(() => String)
  city!: string;

  @Field(() => String, { nullable: true })
  region?: string | null;

  @Field(() => String, { nullable: true })
  postalCode?: string | null;

  @Field(() => String, { description: 'ISO 3166-1 alpha-2, e.g. DE.' })
  country!: string;

  @Field(() => String, { nullable: true, description: 'With country code, e.g. +49 30 123456.' })
  phone?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'The first address is the default anyway.' })
  makeDefault?: boolean | null;
}

@InputType({ description: 'Fields left out keep their value; null clears an optional field.' })
export class UpdateAddressInput {
  @Field(() => ID)
  addressId!: string;

  @Field(() => String, { nullable: true })
  label?: string | null;

  @Field(() => String, { nullable: true })
  recipientName?: string | null;

  @Field(() => String, { nullable: true })
  line1?: string | null;

  @Field(() => String, { nullable: true })
  line2?: string | null;

  @Field(() => String, { nullable: true })
  city?: string | null;

  @Field(() => String, { nullable: true })
  region?: string | null;

  @Field(() => String, { nullable: true })
  postalCode?: string | null;

  @Field(() => String, { nullable: true })
  country?: string | null;

  @Field(() => String, { nullable: true })
  phone?: string | null;
}
