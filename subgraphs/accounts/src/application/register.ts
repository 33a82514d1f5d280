import {
  combine,
  domainError,
  err,
  newId,
  ok,
  type DomainError,
  type Result,
} from '@marketplace/shared-kernel';
import { checkPassword } from '../domain/password-policy.js';
import { Store } from '../domain/store.js';
import { User, displayName, normalizeEmail } from '../domain/user.js';
import type { AccountsContext, FromClient } from './ports.js';
import { openFamily, toSession, type Session, type ThrottledError } from './sessions.js';

export interface RegisterInput {
  email: string;
  password: string;
  name: string;
}

/** A registration as a request asks for it: the input and the client it came from. */
export type RegisterRequest<I extends RegisterInput = RegisterInput> = I & FromClient;

export interface RegisterSellerInput extends RegisterInput {
  storeName: string;
  /** Derived from the store name when omitted. */
  storeSlug?: string | null;
}

export const emailTaken = (): DomainError =>
  domainError('ACCOUNT.EMAIL_TAKEN', 'An account with this email already exists', 'email');
export const slugTaken = (): DomainError =>
  domainError('STORE.SLUG_TAKEN', 'Another store already uses this slug', 'storeSlug');

/** Checks the cheap things first, then spends the password hash. */
async function credentials(
  input: RegisterInput,
  ctx: AccountsContext,
): Promise<Result<{ email: string; name: string; passwordHash: string }>> {
  const checked = combine(normalizeEmail(input.email), displayName(input.name));
  if (!checked.ok) return checked;
  const [email, name] = checked.value;
  const policy = checkPassword(input.password, { email, name });
  if (!policy.ok) return policy;
  return ok({ email, name, passwordHash: await ctx.passwords.hash(input.password) });
}

/**
 * Counts the registration against the calling client's allowance and runs it; a registration
 * that creates no account gives its count back. An admin registering accounts (the demo seeder)
 * and a caller whose address the gateway did not forward are not counted.
 */
async function throttled(
  { client }: FromClient,
  ctx: AccountsContext,
  register: () => Promise<Result<Session>>,
): Promise<Result<Session, DomainError | ThrottledError>> {
  if (client === null || ctx.actor?.role === 'admin') return register();
  const admitted = await ctx.registrations.begin(client);
  if ('retryAfterSeconds' in admitted) {
    const wait = admitted.retryAfterSeconds;
    return err({
      code: 'AUTH.TOO_MANY_ATTEMPTS',
      message: `Too many accounts registered from this address; try again in ${wait} seconds`,
      retryAfterSeconds: wait,
    });
  }
  let created = false;
  try {
    const result = await register();
    created = result.ok;
    return result;
  } finally {
    // Also when the registration throws: only accounts created use the allowance up.
    await admitted.done(created);
  }
}

/** A shopper signs up and is signed in at once. */
export function registerBuyer(
  input: RegisterRequest,
  ctx: AccountsContext,
): Promise<Result<Session, DomainError | ThrottledError>> {
  return throttled(input, ctx, () => createBuyer(input, ctx));
}

async function createBuyer(input: RegisterInput, ctx: AccountsContext): Promise<Result<Session>> {
  const creds = await credentials(input, ctx);
  if (!creds.ok) return creds;
  const result = await ctx.transaction(async (tx) => {
    if (await tx.users.byEmailForUpdate(creds.value.email)) return err(emailTaken());
    const user = User.registerBuyer(creds.value, ctx.clock.now());
    if (!user.ok) return user;
    const added = await tx.users.add(user.value);
    if (!added.ok) return added;
    tx.track(user.value);
    return ok({ user: user.value, opened: openFamily(user.value, tx, ctx) });
  });
  if (!result.ok) return result;
  return ok(await toSession(result.value.user, result.value.opened, ctx));
}

/**
 * A merchant signs up: the account and its store (PENDING until an admin approves it) are
 * created together; the store's id is the seller id in the merchant's tokens.
 */
export function registerSeller(
  input: RegisterRequest<RegisterSellerInput>,
  ctx: AccountsContext,
): Promise<Result<Session, DomainError | ThrottledError>> {
  return throttled(input, ctx, () => createSeller(input, ctx));
}

async function createSeller(input: RegisterSellerInput, ctx: AccountsContext): Promise<Result<Session>> {
  const userId = newId();
  const now = ctx.clock.now();
  // Validated before the password is hashed, so a bad slug answers fast.
  const store = Store.open({ ownerUserId: userId, name: input.storeName, slug: input.storeSlug }, now);
  if (!store.ok) return err(prefixStoreField(store.error));
  const creds = await credentials(input, ctx);
  if (!creds.ok) return creds;
  const result = await ctx.transaction(async (tx) => {
    if (await tx.users.byEmailForUpdate(creds.value.email)) return err(emailTaken());
    if (await tx.stores.slugTaken(store.value.slug)) return err(slugTaken());
    const user = User.registerSeller(creds.value, store.value.id, now, userId);
    if (!user.ok) return user;
    // One after the other: a refused insert leaves the transaction good only for its rollback.
    const userAdded = await tx.users.add(user.value);
    if (!userAdded.ok) return userAdded;
    const storeAdded = await tx.stores.add(store.value);
    if (!storeAdded.ok) return storeAdded;
    tx.track(user.value);
    tx.track(store.value);
    return ok({ user: user.value, opened: openFamily(user.value, tx, ctx) });
  });
  if (!result.ok) return result;
  return ok(await toSession(result.value.user, result.value.opened, ctx));
}

/** The input names the store's fields storeName and storeSlug. */
function prefixStoreField(error: DomainError): DomainError {
  const field = error.field === 'slug' ? 'storeSlug' : error.field;
  return field === undefined ? error : { ...error, field };
}
