import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  VersionedCache,
  defineUseCases,
  storedOrder,
  storedWhere,
  type KeyValueStore,
  type UseCaseContext,
  type UseCases,
} from '@marketplace/platform';
import type { Clock } from '@marketplace/shared-kernel';
import { Cart, type CartCheckedOutPayload, type CartSnapshot } from '../../domain/cart.js';
import type { CartPolicy } from '../../domain/cart-policy.js';
import type { CartCache, CartRepositories, CartRepository, CheckoutLog } from '../../application/ports.js';
import { CartSchema } from './cart.schema.js';
import { PgSellerStandingProjection } from './seller-standing.js';
import { PgSkuCatalog, PgSkuCatalogProjection } from './sku-catalog.js';

export class MikroCartRepository implements CartRepository {
  constructor(private readonly em: EntityManager) {}

  async activeForBuyerForUpdate(buyerId: string): Promise<Cart | null> {
    // Serialises the buyer's cart requests, so two first adds cannot open two carts: the
    // second waits here, then finds the first one's cart.
    await this.em.execute('select pg_advisory_xact_lock(hashtextextended(?, 0))', [`cart:buyer:${buyerId}`]);
    return this.em.findOne(Cart, storedWhere(Cart, CartSchema, { buyerId, _status: 'ACTIVE' }), {
      lockMode: LockMode.PESSIMISTIC_WRITE,
    });
  }

  byGuestTokenForUpdate(guestTokenHash: string): Promise<Cart | null> {
    return this.em.findOne(Cart, { guestTokenHash }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  }

  byId(id: string): Promise<Cart | null> {
    return this.em.findOne(Cart, { id });
  }

  byIdForUpdate(id: string): Promise<Cart | null> {
    return this.em.findOne(Cart, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
  }

  expiredForUpdate(now: Date, limit: number): Promise<Cart[]> {
    return this.em.find(
      Cart,
      storedWhere(Cart, CartSchema, { _status: 'ACTIVE', _expiresAt: { $lte: now } }),
      {
        lockMode: LockMode.PESSIMISTIC_PARTIAL_WRITE,
        orderBy: storedOrder(Cart, CartSchema, { _expiresAt: 'asc' }),
        limit,
      },
    );
  }

  add(cart: Cart): void {
    this.em.persist(cart);
  }
}

export class SqlCheckoutLog implements CheckoutLog {
  constructor(private readonly em: EntityManager) {}

  async find(checkoutId: string): Promise<CartCheckedOutPayload | null> {
    const rows = await this.em.execute<{ reply: CartCheckedOutPayload }[]>(
      'select reply from cart_checkout where checkout_id = ?',
      [checkoutId],
    );
    return rows[0]?.reply ?? null;
  }

  async save(reply: CartCheckedOutPayload, at: Date): Promise<void> {
    await this.em.execute(
      'insert into cart_checkout (checkout_id, cart_id, order_id, reply, cleared_at) values (?, ?, ?, ?::jsonb, ?)',
      [reply.checkoutId, reply.cartId, reply.orderId, JSON.stringify(reply), at],
    );
  }
}

const STATE_TTL_SECONDS = 600;
const OWNER_TTL_SECONDS = 3600;

export type CartOwnerKey = { kind: 'buyer'; buyerId: string } | { kind: 'guest'; tokenHash: string };

/**
 * The read path. A cart's own state (lines, quantities, reference prices, coupon codes) is
 * cached in the store (Redis) per cart id, versioned by the cart's version: every commit marks older
 * copies stale and a racing read cannot put one back. Current prices are NOT cached with it:
 * they change without the cart changing, so every view reads them from `sku_catalog`.
 * Which cart a buyer or guest token has open is remembered too; that pointer is only a hint,
 * checked against the cart's state before use.
 */
export class CartReader implements CartCache {
  private readonly states: VersionedCache<CartSnapshot>;

  constructor(private readonly store: KeyValueStore) {
    this.states = new VersionedCache<CartSnapshot>(store, 'cart:state', {
      ttlSeconds: STATE_TTL_SECONDS,
      versionOf: (state) => state.version,
    });
  }

  /** N carts: one store round trip, and one SQL query for those not cached. */
  byIds(em: EntityManager, ids: readonly string[]): Promise<(CartSnapshot | null)[]> {
    return this.states.getMany(ids, async (missing) => {
      const rows = await em.find(Cart, { id: { $in: missing } });
      return new Map(rows.map((cart) => [cart.id, cart.snapshot()]));
    });
  }

  /** The id of the owner's ACTIVE cart, or null; the caller still checks the cart's state. */
  async openCartId(
    em: EntityManager,
    owner: CartOwnerKey,
    isCurrent: (id: string) => Promise<boolean>,
  ): Promise<string | null> {
    const key = ownerKey(owner);
    const hinted = await this.store.get(key);
    if (hinted && (await isCurrent(hinted))) return hinted;
    const [column, value] =
      owner.kind === 'buyer' ? ['buyer_id', owner.buyerId] : ['guest_token_hash', owner.tokenHash];
    const rows = await em.execute<{ id: string }[]>(
      `select id from cart where ${column} = ? and status = 'ACTIVE' limit 1`,
      [value],
    );
    const id = rows[0]?.id ?? null;
    if (id) await this.store.set(key, id, OWNER_TTL_SECONDS);
    return id;
  }

  /** Marks cached states of the cart older than its new version stale. */
  async invalidate(cart: { id: string; version: number }): Promise<void> {
    await this.states.invalidate(cart.id, cart.version);
  }
}

function ownerKey(owner: CartOwnerKey): string {
  return owner.kind === 'buyer' ? `cart:owner:buyer:${owner.buyerId}` : `cart:owner:guest:${owner.tokenHash}`;
}

/**
 * The cart use cases' context, for requests, the checkout's commands and the sweeper alike. The
 * clock and the limits come from the service's options; each running service reads and marks
 * stale its own cache store. Cache invalidation after a commit is best effort: the change is
 * committed, so a cache hiccup must not report it as failed (a retried addToCart would add
 * twice); versioned entries and the TTL bound staleness.
 */
export function cartUseCases(settings: { clock: Clock; policy: CartPolicy }) {
  return defineUseCases<CartRepositories, CartExtras>({
    producer: 'cart',
    repositories: (em) => ({
      carts: new MikroCartRepository(em),
      catalog: new PgSkuCatalog(em),
      checkouts: new SqlCheckoutLog(em),
      products: new PgSkuCatalogProjection(em),
      standings: new PgSellerStandingProjection(em),
    }),
    extras: ({ store }) => ({ clock: settings.clock, policy: settings.policy, cache: new CartReader(store) }),
  });
}

interface CartExtras {
  clock: Clock;
  policy: CartPolicy;
  /** Reads carts' cached states too (the GraphQL side). */
  cache: CartReader;
}

/** The cart kit bound to a running service. */
export type CartUseCases = UseCases<UseCaseContext<CartRepositories, CartExtras>>;
