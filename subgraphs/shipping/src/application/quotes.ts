import { ok, type Result } from '@marketplace/shared-kernel';
import {
  parseRate,
  quoteParcels,
  ShippingQuote,
  type QuoteRequest,
  type ShippingRate,
} from '../domain/rates.js';
import { requireAdmin } from './access.js';
import type { ShippingContext } from './ports.js';

/**
 * QuoteShipping for the checkout saga. Idempotent by checkoutId: the first answer (quote or
 * rejection) is stored and a repeated command publishes that same answer again.
 */
export function quoteShipping(request: QuoteRequest, ctx: ShippingContext): Promise<Result<ShippingQuote>> {
  return ctx.transaction(async (tx) => {
    const now = ctx.clock.now();
    const existing = await tx.quotes.byCheckoutIdForUpdate(request.checkoutId);
    if (existing) {
      existing.reply(now);
      tx.track(existing);
      return ok(existing);
    }
    const skus = [...new Set(request.parcels.flatMap((p) => p.items.map((i) => i.sku)))];
    const result = quoteParcels(
      request,
      await tx.rates.inCurrency(request.currency),
      await tx.weights.unitWeights(skus),
      ctx.defaultUnitWeightGrams,
    );
    const quote = ShippingQuote.answer(request.checkoutId, result, now);
    tx.quotes.add(quote);
    tx.track(quote);
    return ok(quote);
  });
}

/** Admin: set the price of one bracket (new quotes use it; answered checkouts keep theirs). */
export function setShippingRate(input: ShippingRate, ctx: ShippingContext): Promise<Result<ShippingRate>> {
  const allowed = requireAdmin(ctx.actor);
  if (!allowed.ok) return Promise.resolve(allowed);
  const rate = parseRate(input);
  if (!rate.ok) return Promise.resolve(rate);
  return ctx.transaction(async (tx) => {
    await tx.rates.upsert(rate.value);
    return ok(rate.value);
  });
}
