// type-graphql reads decorator metadata through this polyfill.
import 'reflect-metadata';
import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Guard, type DomainError, type Result } from '@marketplace/shared-kernel';
import {
  ErrorResult,
  type ReferenceResolver,
  type RequestContext,
  type UseCases,
} from '@marketplace/platform';
import type { AccountsContext, FromClient } from '../../application/ports.js';
import { registerBuyer, registerSeller } from '../../application/register.js';
import { login, logout, logoutEverywhere, refresh, type Session } from '../../application/sessions.js';
import {
  approveStore,
  listStores,
  myStore,
  reinstateStore,
  suspendStore,
} from '../../application/manage-store.js';
import {
  addAddress,
  removeAddress,
  setDefaultAddress,
  updateAddress,
  type AddressChange,
} from '../../application/manage-addresses.js';
import type { Store, StoreStatus } from '../../domain/store.js';
import { loadAddressBook, loadStore, loadUser } from './loaders.js';
import {
  AddressBookPayload,
  AddressBookResult,
  AddressInput,
  AddressNode,
  AuthPayload,
  AuthResult,
  LoginInput,
  LoginResult,
  LogoutPayload,
  LogoutResult,
  RegisterBuyerInput,
  RegisterSellerInput,
  SellerNode,
  StoreConnection,
  StoreNode,
  StorePayload,
  StoreResult,
  StoresResult,
  StoreStatusEnum,
  TooManyAttemptsError,
  UpdateAddressInput,
  UserNode,
} from './account.types.js';

const toAuthPayload = (session: Session): AuthPayload =>
  Object.assign(new AuthPayload(), {
    accessToken: session.accessToken.token,
    accessTokenExpiresAt: session.accessToken.expiresAt.toISOString(),
    refreshToken: session.refreshToken,
    refreshTokenExpiresAt: session.refreshTokenExpiresAt.toISOString(),
    // The payload describes the caller's own account, whoever the request was made as.
    user: UserNode.of(session.user, { userId: session.user.id, role: session.user.role }),
  });

const auth = (result: Result<Session>) =>
  result.ok ? toAuthPayload(result.value) : ErrorResult.of(result.error);

const storePayload = (result: Result<Store>) =>
  result.ok
    ? Object.assign(new StorePayload(), { store: StoreNode.of(result.value) })
    : ErrorResult.of(result.error);

const addressPayload = (result: Result<AddressChange>) => {
  if (!result.ok) return ErrorResult.of(result.error);
  const { book, address } = result.value;
  return Object.assign(new AddressBookPayload(), {
    address: address ? AddressNode.of(address, book.defaultId) : null,
    addresses: book.addresses.map((a) => AddressNode.of(a, book.defaultId)),
  });
};

/** Opaque to clients; it is the last store id of the page (ids are time-ordered UUIDv7). */
export const encodeCursor = (storeId: string) => Buffer.from(`store:${storeId}`).toString('base64url');
export function decodeCursor(cursor: string): Result<string> {
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  const checked = Guard.uuid('after', decoded.replace(/^store:/, ''));
  return checked.ok && decoded.startsWith('store:')
    ? checked
    : { ok: false, error: { code: 'VALIDATION.INVALID_CURSOR', message: 'Unknown cursor', field: 'after' } };
}

/** A pending store is shown only to its seller and admins; suspended ones stay visible (with status). */
function sellerVisible(store: Store, ctx: RequestContext): boolean {
  return store.isPublic() || ctx.actor?.role === 'admin' || store.isOwnedBy(ctx.actor?.sellerId);
}

export const sellerReference: ReferenceResolver<SellerNode> = async (reference, ctx) => {
  const store = await loadStore(ctx, String(reference.id));
  return store && sellerVisible(store, ctx) ? SellerNode.of(store) : null;
};

export const userReference: ReferenceResolver<UserNode> = async (reference, ctx) => {
  const user = await loadUser(ctx, String(reference.id));
  return user ? UserNode.of(user, ctx.actor) : null;
};

/** The gateway forwards the caller's address; without it sign-in is throttled per email only. */
const fromClient = (ctx: RequestContext): FromClient => ({ client: ctx.clientIp ?? null });

/**
 * The accounts resolvers. `kit` is called per request: printing the schema builds the resolvers
 * without any connection.
 */
export function createAccountsResolvers(kit: () => UseCases<AccountsContext>) {
  const useCases = (ctx: RequestContext): AccountsContext => kit().forRequest(ctx);

  @Resolver()
  class SessionResolver {
    @Mutation(() => AuthResult, { description: 'Sign up as a buyer; signs you in.' })
    async registerBuyer(
      @Arg('input', () => RegisterBuyerInput) input: RegisterBuyerInput,
      @Ctx() ctx: RequestContext,
    ): Promise<typeof AuthResult> {
      return auth(await registerBuyer({ ...input, ...fromClient(ctx) }, useCases(ctx)));
    }

    @Mutation(() => AuthResult, {
      description: 'Sign up as a seller with a store (PENDING until an admin approves it); signs you in.',
    })
    async registerSeller(
      @Arg('input', () => RegisterSellerInput) input: RegisterSellerInput,
      @Ctx() ctx: RequestContext,
    ): Promise<typeof AuthResult> {
      return auth(await registerSeller({ ...input, ...fromClient(ctx) }, useCases(ctx)));
    }

    @Mutation(() => LoginResult, { description: 'Sign in with email and password.' })
    async login(
      @Arg('input', () => LoginInput) input: LoginInput,
      @Ctx() ctx: RequestContext,
    ): Promise<typeof LoginResult> {
      const result = await login({ ...input, ...fromClient(ctx) }, useCases(ctx));
      if (result.ok) return toAuthPayload(result.value);
      const error: DomainError & { retryAfterSeconds?: number } = result.error;
      if (error.retryAfterSeconds !== undefined) {
        return Object.assign(new TooManyAttemptsError(), { ...error, field: null });
      }
      return ErrorResult.of(error);
    }

    @Mutation(() => AuthResult, {
      description: 'Exchange a refresh token for a new pair; each refresh token works once.',
    })
    async refresh(
      @Arg('refreshToken', () => String) refreshToken: string,
      @Ctx() ctx: RequestContext,
    ): Promise<typeof AuthResult> {
      return auth(await refresh(refreshToken, useCases(ctx)));
    }

    @Mutation(() => LogoutResult, { description: 'End the session this refresh token belongs to.' })
    async logout(
      @Arg('refreshToken', () => String) refreshToken: string,
      @Ctx() ctx: RequestContext,
    ): Promise<typeof LogoutResult> {
      const result = await logout(refreshToken, useCases(ctx));
      return result.ok
        ? Object.assign(new LogoutPayload(), { revokedSessions: result.value })
        : ErrorResult.of(result.error);
    }

    @Mutation(() => LogoutResult, { description: 'Signed in: end all of your sessions.' })
    async logoutEverywhere(@Ctx() ctx: RequestContext): Promise<typeof LogoutResult> {
      const result = await logoutEverywhere(useCases(ctx));
      return result.ok
        ? Object.assign(new LogoutPayload(), { revokedSessions: result.value })
        : ErrorResult.of(result.error);
    }
  }

  @Resolver(() => UserNode)
  class UserResolver {
    @Query(() => UserNode, { nullable: true, description: 'The signed-in user; null when signed out.' })
    async me(@Ctx() ctx: RequestContext): Promise<UserNode | null> {
      if (!ctx.actor) return null;
      const user = await loadUser(ctx, ctx.actor.userId);
      return user ? UserNode.of(user, ctx.actor) : null;
    }

    @FieldResolver(() => StoreNode, {
      nullable: true,
      description: 'A seller’s store; for the seller and admins.',
    })
    async store(@Root() user: UserNode, @Ctx() ctx: RequestContext): Promise<StoreNode | null> {
      if (!user.sellerId || !(user.viewerIsSelf || user.viewerIsAdmin)) return null;
      const store = await loadStore(ctx, user.sellerId);
      return store ? StoreNode.of(store) : null;
    }

    @FieldResolver(() => [AddressNode], { nullable: true, description: 'Only for the user.' })
    async addresses(@Root() user: UserNode, @Ctx() ctx: RequestContext): Promise<AddressNode[] | null> {
      if (!user.viewerIsSelf) return null;
      const book = await loadAddressBook(ctx, user.id);
      return book ? book.addresses.map((a) => AddressNode.of(a, book.defaultId)) : [];
    }

    @Mutation(() => AddressBookResult, { description: 'Signed in: save an address.' })
    async addAddress(
      @Arg('input', () => AddressInput) input: AddressInput,
      @Ctx() ctx: RequestContext,
    ): Promise<typeof AddressBookResult> {
      return addressPayload(await addAddress(input, useCases(ctx)));
    }

    @Mutation(() => AddressBookResult, { description: 'Signed in: change fields of a saved address.' })
    async updateAddress(
      @Arg('input', () => UpdateAddressInput) input: UpdateAddressInput,
      @Ctx() ctx: RequestContext,
    ): Promise<typeof AddressBookResult> {
      const { addressId, ...changes } = input;
      return addressPayload(await updateAddress(addressId, changes, useCases(ctx)));
    }

    @Mutation(() => AddressBookResult, { description: 'Signed in: delete a saved address.' })
    async removeAddress(
      @Arg('addressId', () => ID) addressId: string,
      @Ctx() ctx: RequestContext,
    ): Promise<typeof AddressBookResult> {
      return addressPayload(await removeAddress(addressId, useCases(ctx)));
    }

    @Mutation(() => AddressBookResult, { description: 'Signed in: make a saved address the default.' })
    async setDefaultAddress(
      @Arg('addressId', () => ID) addressId: string,
      @Ctx() ctx: RequestContext,
    ): Promise<typeof AddressBookResult> {
      return addressPayload(await setDefaultAddress(addressId, useCases(ctx)));
    }
  }

  @Resolver(() => StoreNode)
  class StoreResolver {
    @Query(() => StoreNode, { nullable: true, description: 'Seller: your own store.' })
    async myStore(@Ctx() ctx: RequestContext): Promise<StoreNode | null> {
      const store = await myStore(useCases(ctx));
      return store ? StoreNode.of(store) : null;
    }

    @Query(() => StoresResult, {
      description: 'Admin: stores in registration order, optionally of one status.',
    })
    async stores(
      @Arg('status', () => StoreStatusEnum, { nullable: true }) status: StoreStatus | null,
      @Arg('first', () => Int, { defaultValue: 20 }) first: number,
      @Arg('after', () => String, { nullable: true }) after: string | null,
      @Ctx() ctx: RequestContext,
    ): Promise<typeof StoresResult> {
      let afterId: string | null = null;
      if (after) {
        const decoded = decodeCursor(after);
        if (!decoded.ok) return ErrorResult.of(decoded.error);
        afterId = decoded.value;
      }
      const result = await listStores({ status, first, afterId }, useCases(ctx));
      if (!result.ok) return ErrorResult.of(result.error);
      const edges = result.value.stores.map((s) => ({ cursor: encodeCursor(s.id), node: StoreNode.of(s) }));
      return Object.assign(new StoreConnection(), {
        edges,
        pageInfo: { hasNextPage: result.value.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null },
      });
    }

    @Mutation(() => StoreResult, { description: 'Admin: approve a pending store (PENDING -> ACTIVE).' })
    async approveStore(
      @Arg('storeId', () => ID) storeId: string,
      @Ctx() ctx: RequestContext,
    ): Promise<typeof StoreResult> {
      return storePayload(await approveStore(storeId, useCases(ctx)));
    }

    @Mutation(() => StoreResult, { description: 'Admin: suspend an active store, with a reason.' })
    async suspendStore(
      @Arg('storeId', () => ID) storeId: string,
      @Arg('reason', () => String) reason: string,
      @Ctx() ctx: RequestContext,
    ): Promise<typeof StoreResult> {
      return storePayload(await suspendStore(storeId, reason, useCases(ctx)));
    }

    @Mutation(() => StoreResult, { description: 'Admin: reinstate a suspended store.' })
    async reinstateStore(
      @Arg('storeId', () => ID) storeId: string,
      @Ctx() ctx: RequestContext,
    ): Promise<typeof StoreResult> {
      return storePayload(await reinstateStore(storeId, useCases(ctx)));
    }
  }

  return [SessionResolver, UserResolver, StoreResolver] as const;
}
