import { Guard, domainError, err, ok, type Result } from '@marketplace/shared-kernel';
import { Cart } from '../domain/cart.js';
import type { CatalogItem } from '../domain/catalog-item.js';
import { callerOf, newGuestToken, openCartForUpdate, trackCart } from './cart-caller.js';
import type { CartContext, CartTransaction } from './ports.js';

export interface AddToCartInput {
  sku?: string | null;
  variantId?: string | null;
  quantity: number;
  guestToken?: string | null;
}

export interface AddToCartOutcome {
  cart: Cart;
  /** Set only when this call opened a guest cart: the client keeps it to address the cart. */
  guestToken: string | null;
}

const unavailable = (field: string) =>
  domainError('CART.ITEM_UNAVAILABLE', 'This item is not for sale right now', field);

/** Names the item by exactly one of SKU or variant id; validated before anything is read. */
function itemKey(input: AddToCartInput): Result<{ sku: string } | { variantId: string }> {
  const hasSku = input.sku != null && input.sku !== '';
  const hasVariant = input.variantId != null && input.variantId !== '';
  if (hasSku === hasVariant)
    return err(domainError('CART.ITEM_REQUIRED', 'Name the item by either sku or variantId', 'sku'));
  if (hasVariant) {
    const id = Guard.uuid('variantId', input.variantId as string);
    return id.ok ? ok({ variantId: id.value }) : id;
  }
  const sku = Guard.text('sku', input.sku as string, { max: 64 });
  return sku.ok ? ok({ sku: sku.value.toUpperCase() }) : sku;
}

async function findItem(
  key: { sku: string } | { variantId: string },
  tx: CartTransaction,
): Promise<CatalogItem | null> {
  if ('sku' in key) return tx.catalog.bySku(key.sku);
  return (await tx.catalog.byVariantIds([key.variantId])).get(key.variantId) ?? null;
}

/**
 * Puts units of a variant in the caller's cart at its current price. A buyer without an open
 * cart gets one; a guest without one (or with an expired token) gets a new guest cart and its
 * token. Refusals (unknown or unavailable item, limits, currency) change nothing.
 */
export async function addToCart(input: AddToCartInput, ctx: CartContext): Promise<Result<AddToCartOutcome>> {
  const caller = callerOf(ctx.actor, input.guestToken);
  if (!caller.ok) return caller;
  const key = itemKey(input);
  if (!key.ok) return key;
  const quantity = Guard.integer('quantity', input.quantity, { min: 1 });
  if (!quantity.ok) return quantity;

  return ctx.transaction(async (tx) => {
    const now = ctx.clock.now();
    const item = await findItem(key.value, tx);
    if (!item) return err(unavailable('sku' in key.value ? 'sku' : 'variantId'));
    let cart = await openCartForUpdate(caller.value, tx, ctx, now);
    let guestToken: string | null = null;
    if (!cart) {
      let opened: Result<Cart>;
      if (caller.value.kind === 'buyer') opened = Cart.openForBuyer(caller.value.buyerId, ctx.policy, now);
      else {
        const fresh = newGuestToken();
        guestToken = fresh.token;
        opened = Cart.openForGuest(fresh.hash, ctx.policy, now);
      }
      if (!opened.ok) return opened;
      cart = opened.value;
      tx.carts.add(cart);
    }
    const added = cart.addItem(item, quantity.value, ctx.policy, now);
    if (!added.ok) return added;
    trackCart(cart, tx, ctx);
    return ok({ cart, guestToken });
  });
}
