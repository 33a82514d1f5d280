import { GatewayClient, GatewayError, Session, AUTH_SELECTION, signIn, type Json } from './gateway-client.js';
import type { CouponPlan, OrderPlan, ProductPlan, SeedPlan, SellerPlan, BuyerPlan } from './plan.js';
import type { PhaseCounts, PhaseProgress, Reporter } from './progress.js';

export interface SeedRun {
  gatewayUrl: string;
  admin: { email: string; password: string };
  plan: SeedPlan;
  /** Only look: count what exists, write nothing. */
  check: boolean;
  /** Requests in flight at once (the machine is small; the gateway queues the rest anyway). */
  concurrency: number;
  reporter: Reporter;
  /** How long to wait for a projection (store approval, stock rows, cart catalog) to catch up. */
  catchUpMs?: number;
}

export interface SeedSummary {
  phases: PhaseCounts[];
  failures: string[];
}

/** Mutations sent per request (aliases); the gateway allows 15 and a cost of 5000. */
const BATCH = 10;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const chunks = <T>(items: T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

/** Runs `work` over the items with at most `limit` in flight. */
async function pool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  });
  await Promise.all(runners);
}

const ERROR = `... on ErrorResult { code message }`;
const codeOf = (value: Json | Error): string | undefined =>
  value instanceof GatewayError ? value.code : value instanceof Error ? undefined : value?.code;
const messageOf = (value: Json | Error): string =>
  value instanceof Error ? value.message : `${value?.code ?? ''} ${value?.message ?? JSON.stringify(value)}`;

/**
 * Builds (or, with `check`, counts) the planned marketplace through the gateway, phase by
 * phase. Every write is keyed by a natural key (email, SKU, coupon code, category slug, the
 * buyer's first order) and skipped when it exists, so a repeated run creates nothing.
 */
export class Seeder {
  private readonly client: GatewayClient;
  private readonly failures: string[] = [];
  private readonly phases: PhaseCounts[] = [];
  private admin!: Session;
  private readonly sellers = new Map<number, { session: Session; storeId: string }>();
  private readonly buyers = new Map<number, Session>();
  private readonly categoryIds = new Map<string, string>();

  constructor(private readonly run: SeedRun) {
    this.client = new GatewayClient(run.gatewayUrl);
  }

  async seed(): Promise<SeedSummary> {
    const { admin } = this.run;
    this.admin = new Session(this.client, admin.email, admin.password);
    await this.admin.accessToken().catch((error: Error) => {
      if (!(error instanceof GatewayError) || error.status === 0) throw error;
      throw new Error(
        `${error.message}\nThe seeder signs in as the platform admin: set ACCOUNTS_ADMIN_EMAIL and ACCOUNTS_ADMIN_PASSWORD as the accounts service has them.`,
      );
    });
    await this.phase('sellers', this.run.plan.sellers, (items, p) => this.seedSellers(items, p));
    await this.phase('categories', this.categorySlugs(), (items, p) => this.seedCategories(items, p));
    await this.phase('shipping', this.run.plan.shippingRates, (items, p) => this.seedShippingRates(items, p));
    await this.phase('products', this.run.plan.products, (items, p) => this.seedProducts(items, p));
    const variants = this.run.plan.products.flatMap((product) =>
      product.variants.map((variant) => ({ sellerNumber: product.sellerNumber, ...variant })),
    );
    await this.phase('stock', variants, (items, p) => this.seedStock(items, p));
    const coupons = [
      ...this.run.plan.sellers.flatMap((s) => s.coupons.map((coupon) => ({ owner: s.number, coupon }))),
      ...this.run.plan.platformCoupons.map((coupon) => ({ owner: 0, coupon })),
    ];
    await this.phase('coupons', coupons, (items, p) => this.seedCoupons(items, p));
    await this.phase('buyers', this.run.plan.buyers, (items, p) => this.seedBuyers(items, p));
    await this.phase('orders', this.run.plan.orders, (items, p) => this.seedOrders(items, p));
    return { phases: this.phases, failures: this.failures };
  }

  private async phase<T>(
    name: string,
    items: T[],
    work: (items: T[], progress: PhaseProgress) => Promise<void>,
  ): Promise<void> {
    const progress = this.run.reporter.phase(name, items.length);
    try {
      await work(items, progress);
    } finally {
      this.phases.push(progress.end());
    }
  }

  private fail(progress: PhaseProgress, what: string, why: string): void {
    progress.tick('failed');
    if (this.failures.length < 200) this.failures.push(`${what}: ${why}`);
  }

  // --- sellers: register (or sign in when the email is taken), then the admin approves the store.

  private async seedSellers(sellers: SellerPlan[], progress: PhaseProgress): Promise<void> {
    await pool(sellers, Math.min(4, this.run.concurrency), async (seller) => {
      try {
        let created = false;
        let auth: Json;
        if (this.run.check) auth = await signIn(this.client, seller.email, seller.password);
        else {
          const data = await this.client.call(
            `mutation($input: RegisterSellerInput!) { registerSeller(input: $input) { ${AUTH_SELECTION} } }`,
            {
              input: {
                email: seller.email,
                password: seller.password,
                name: seller.name,
                storeName: seller.storeName,
                storeSlug: seller.storeSlug,
              },
            },
            // As the admin: accounts throttles registrations per client address, not the admin's.
            await this.admin.accessToken(),
          );
          auth = data.registerSeller;
          if (auth.code === 'ACCOUNT.EMAIL_TAKEN')
            auth = await signIn(this.client, seller.email, seller.password);
          else if (auth.__typename !== 'AuthPayload') throw new Error(messageOf(auth));
          else created = true;
        }
        const store = auth.user.store as { id: string; status: string } | null;
        if (!store) throw new Error('the account has no store');
        if (store.status === 'PENDING' && !this.run.check) {
          const approved = await this.client.call(
            `mutation($id: ID!) { approveStore(storeId: $id) { ... on StorePayload { store { status } } ${ERROR} } }`,
            { id: store.id },
            await this.admin.accessToken(),
          );
          if (approved.approveStore.store?.status !== 'ACTIVE')
            throw new Error(messageOf(approved.approveStore));
          created = true;
        }
        this.sellers.set(seller.number, {
          session: new Session(this.client, seller.email, seller.password, auth.accessToken),
          storeId: store.id,
        });
        progress.tick(created ? 'created' : 'existing');
      } catch (error) {
        this.fail(progress, seller.email, (error as Error).message);
      }
    });
  }

  // --- categories: two levels, found by slug.

  private categorySlugs(): { slug: string; name: string; parent?: string }[] {
    return this.run.plan.categories.flatMap((root) => [
      { slug: root.slug, name: root.name },
      ...root.children.map((leaf) => ({ slug: leaf.slug, name: leaf.name, parent: root.slug })),
    ]);
  }

  private async seedCategories(
    items: { slug: string; name: string; parent?: string }[],
    progress: PhaseProgress,
  ): Promise<void> {
    const token = await this.admin.accessToken();
    const data = await this.client.call(`{ categories { id slug children { id slug } } }`, {}, token);
    for (const root of data.categories as {
      id: string;
      slug: string;
      children: { id: string; slug: string }[];
    }[]) {
      this.categoryIds.set(root.slug, root.id);
      for (const child of root.children) this.categoryIds.set(child.slug, child.id);
    }
    // Parents first: the plan lists each root before its children.
    for (const item of items) {
      if (this.categoryIds.has(item.slug)) {
        progress.tick('existing');
        continue;
      }
      if (this.run.check) {
        this.fail(progress, `category ${item.slug}`, 'missing');
        continue;
      }
      const parentId = item.parent ? this.categoryIds.get(item.parent) : undefined;
      const r = await this.client.call(
        `mutation($input: CreateCategoryInput!) { createCategory(input: $input) { ... on CategoryPayload { category { id } } ${ERROR} } }`,
        { input: { name: item.name, slug: item.slug, ...(parentId ? { parentId } : {}) } },
        token,
      );
      if (r.createCategory.category) {
        this.categoryIds.set(item.slug, r.createCategory.category.id);
        progress.tick('created');
      } else this.fail(progress, `category ${item.slug}`, messageOf(r.createCategory));
    }
  }

  // --- shipping rates for currencies the shipping service does not price out of the box.

  private async seedShippingRates(items: SeedPlan['shippingRates'], progress: PhaseProgress): Promise<void> {
    const token = await this.admin.accessToken();
    const key = (r: { country: string; service: string; maxWeightGrams: number; currency: string }) =>
      `${r.currency}|${r.country}|${r.service}|${r.maxWeightGrams}`;
    const existing = new Set<string>();
    for (const currency of new Set(items.map((r) => r.amount.currency))) {
      const data = await this.client.call(
        `query($currency: String) { shippingRates(currency: $currency) { country service maxWeightGrams amount { currency } } }`,
        { currency },
        token,
      );
      for (const r of data.shippingRates) existing.add(key({ ...r, currency: r.amount.currency }));
    }
    const missing = items.filter((r) => !existing.has(key({ ...r, currency: r.amount.currency })));
    progress.tick('existing', items.length - missing.length);
    if (this.run.check) {
      for (const r of missing)
        this.fail(progress, `shipping rate ${key({ ...r, currency: r.amount.currency })}`, 'missing');
      return;
    }
    for (const batch of chunks(missing, BATCH)) {
      const answers = await this.client.many(
        'setShippingRate',
        { name: 'input', type: 'SetShippingRateInput!' },
        batch,
        `__typename ${ERROR}`,
        token,
      );
      answers.forEach((a, i) => {
        if (a.__typename === 'ShippingRatePayload') progress.tick('created');
        else this.fail(progress, `shipping rate ${batch[i]!.country}`, messageOf(a));
      });
    }
  }

  // --- products: created with their variants and prices, then published.

  private async seedProducts(products: ProductPlan[], progress: PhaseProgress): Promise<void> {
    const known = await this.existingProducts();
    const bySeller = new Map<number, ProductPlan[]>();
    for (const p of products) bySeller.set(p.sellerNumber, [...(bySeller.get(p.sellerNumber) ?? []), p]);
    await pool([...bySeller], this.run.concurrency, async ([sellerNumber, planned]) => {
      const seller = this.sellers.get(sellerNumber);
      if (!seller) {
        for (const p of planned) this.fail(progress, p.variants[0]!.sku, `seller ${sellerNumber} is missing`);
        return;
      }
      const toPublish: { product: ProductPlan; id: string }[] = [];
      const toCreate: ProductPlan[] = [];
      for (const p of planned) {
        const found = known.get(p.variants[0]!.sku);
        if (!found) toCreate.push(p);
        else if (found.status === 'DRAFT') toPublish.push({ product: p, id: found.productId });
        else progress.tick('existing');
      }
      if (this.run.check) {
        for (const p of toCreate) this.fail(progress, p.variants[0]!.sku, 'missing');
        for (const { product } of toPublish) this.fail(progress, product.variants[0]!.sku, 'not published');
        return;
      }
      for (const batch of chunks(toCreate, BATCH)) {
        const answers = await this.client.many(
          'createProduct',
          { name: 'input', type: 'CreateProductInput!' },
          batch.map((p) => this.productInput(p)),
          `... on ProductPayload { product { id status } } ${ERROR}`,
          await seller.session.accessToken(),
        );
        answers.forEach((a, i) => {
          const product = batch[i]!;
          if (a.product) toPublish.push({ product, id: a.product.id });
          // Created by an earlier run that stopped before it listed it: it exists.
          else if (codeOf(a) === 'PRODUCT.SKU_TAKEN') progress.tick('existing');
          else this.fail(progress, product.variants[0]!.sku, messageOf(a));
        });
        // Publishing as we go keeps the storefront filling while the run continues.
        await this.publish(toPublish.splice(0), seller.session, progress);
      }
      await this.publish(toPublish, seller.session, progress);
    });
  }

  private productInput(p: ProductPlan): object {
    const categoryId = this.categoryIds.get(p.categorySlug);
    return {
      name: p.name,
      description: p.description,
      ...(categoryId ? { categoryId } : {}),
      attributes: p.attributes,
      images: p.images,
      variants: p.variants.map((v) => ({
        sku: v.sku,
        name: v.name,
        attributes: v.attributes,
        price: v.price,
      })),
    };
  }

  /** Products learns of a store's approval from accounts' events; until then publishing waits. */
  private async publish(
    items: { product: ProductPlan; id: string }[],
    session: Session,
    progress: PhaseProgress,
  ): Promise<void> {
    const deadline = Date.now() + (this.run.catchUpMs ?? 120_000);
    let pending = items;
    while (pending.length) {
      const retry: typeof pending = [];
      for (const batch of chunks(pending, BATCH)) {
        const answers = await this.client.many(
          'publishProduct',
          { name: 'id', type: 'ID!' },
          batch.map((b) => b.id),
          `... on ProductPayload { product { status } } ${ERROR}`,
          await session.accessToken(),
        );
        answers.forEach((a, i) => {
          if (a.product?.status === 'PUBLISHED') progress.tick('created');
          else if (codeOf(a) === 'PRODUCT.SELLER_NOT_ACTIVE' && Date.now() < deadline) retry.push(batch[i]!);
          else this.fail(progress, `publish ${batch[i]!.product.variants[0]!.sku}`, messageOf(a));
        });
      }
      pending = retry;
      if (pending.length) await sleep(500);
    }
  }

  /** Every demo product as stored, by its first SKU (the admin's export, 500 a page). */
  private async existingProducts(): Promise<Map<string, { productId: string; status: string }>> {
    const found = new Map<string, { productId: string; status: string }>();
    let after: string | null = null;
    do {
      const data = await this.client.call(
        `query($after: String) { adminProductSnapshots(first: 500, after: $after) { items { productId snapshot } nextCursor } }`,
        { after },
        await this.admin.accessToken(),
      );
      const page = data.adminProductSnapshots as {
        items: { productId: string; snapshot: { status: string; variants: { sku: string }[] } }[];
        nextCursor: string | null;
      };
      for (const item of page.items) {
        const sku = item.snapshot.variants[0]?.sku;
        if (sku?.startsWith(`${this.run.plan.options.keyPrefix}-`))
          found.set(sku, { productId: item.productId, status: item.snapshot.status });
      }
      after = page.nextCursor;
    } while (after);
    return found;
  }

  // --- stock: counted units per variant; inventory opens a row per SKU from the product events.

  private async seedStock(
    variants: (ProductPlan['variants'][number] & { sellerNumber: number })[],
    progress: PhaseProgress,
  ): Promise<void> {
    const bySeller = new Map<number, typeof variants>();
    for (const v of variants) bySeller.set(v.sellerNumber, [...(bySeller.get(v.sellerNumber) ?? []), v]);
    await pool([...bySeller], this.run.concurrency, async ([sellerNumber, planned]) => {
      const seller = this.sellers.get(sellerNumber);
      if (!seller) {
        for (const v of planned) this.fail(progress, v.sku, `seller ${sellerNumber} is missing`);
        return;
      }
      const deadline = Date.now() + (this.run.catchUpMs ?? 120_000);
      let pending = planned;
      while (pending.length) {
        const onHand = await this.stockOf(seller.session);
        const retry: typeof pending = [];
        const toSet: typeof pending = [];
        for (const v of pending) {
          const units = onHand.get(v.sku);
          // Sold-out variants need nothing; set counts are kept (orders may have moved them).
          if (v.stock === 0 || (units !== undefined && units > 0)) progress.tick('existing');
          else if (this.run.check)
            this.fail(progress, v.sku, units === undefined ? 'no stock row' : 'no units');
          else if (units === undefined) {
            if (Date.now() < deadline) retry.push(v);
            else this.fail(progress, v.sku, 'inventory has no row for it (product events not consumed?)');
          } else toSet.push(v);
        }
        for (const batch of chunks(toSet, BATCH)) {
          const answers = await this.client.many(
            'setStock',
            { name: 'input', type: 'SetStockInput!' },
            batch.map((v) => ({ sku: v.sku, onHand: v.stock })),
            `__typename ${ERROR}`,
            await seller.session.accessToken(),
          );
          answers.forEach((a, i) => {
            if (a.__typename === 'StockItemPayload') progress.tick('created');
            else if (codeOf(a) === 'STOCK.NOT_FOUND' && Date.now() < deadline) retry.push(batch[i]!);
            else this.fail(progress, batch[i]!.sku, messageOf(a));
          });
        }
        pending = retry;
        if (pending.length) await sleep(1000);
      }
    });
  }

  private async stockOf(session: Session): Promise<Map<string, number>> {
    const units = new Map<string, number>();
    let after: string | null = null;
    do {
      const data = await this.client.call(
        `query($after: String) { myStock(first: 100, after: $after) { items { sku onHand } endCursor hasNextPage } }`,
        { after },
        await session.accessToken(),
      );
      for (const item of data.myStock.items) units.set(item.sku, item.onHand);
      after = data.myStock.hasNextPage ? data.myStock.endCursor : null;
    } while (after);
    return units;
  }

  // --- coupons: each seller's own, and the platform's (owner 0, created by the admin).

  private async seedCoupons(
    items: { owner: number; coupon: CouponPlan }[],
    progress: PhaseProgress,
  ): Promise<void> {
    const byOwner = new Map<number, CouponPlan[]>();
    for (const { owner, coupon } of items) byOwner.set(owner, [...(byOwner.get(owner) ?? []), coupon]);
    await pool([...byOwner], this.run.concurrency, async ([owner, coupons]) => {
      const session = owner === 0 ? this.admin : this.sellers.get(owner)?.session;
      if (!session) {
        for (const c of coupons) this.fail(progress, c.code, `seller ${owner} is missing`);
        return;
      }
      const token = await session.accessToken();
      const data = await this.client.call(`{ myCoupons(limit: 50) { code } }`, {}, token);
      const have = new Set((data.myCoupons as { code: string }[]).map((c) => c.code));
      const missing = coupons.filter((c) => !have.has(c.code));
      progress.tick('existing', coupons.length - missing.length);
      if (this.run.check) {
        for (const c of missing) this.fail(progress, c.code, 'missing');
        return;
      }
      const answers = await this.client.many(
        'createCoupon',
        { name: 'input', type: 'CreateCouponInput!' },
        missing,
        `... on CouponPayload { coupon { id } } ${ERROR}`,
        token,
      );
      answers.forEach((a, i) => {
        if (a.coupon) progress.tick('created');
        else if (codeOf(a) === 'COUPON.CODE_TAKEN') progress.tick('existing');
        else this.fail(progress, missing[i]!.code, messageOf(a));
      });
    });
  }

  // --- buyers: an account and a default address each.

  private async seedBuyers(buyers: BuyerPlan[], progress: PhaseProgress): Promise<void> {
    await pool(buyers, Math.min(4, this.run.concurrency), async (buyer) => {
      try {
        let created = false;
        let token: string;
        if (this.run.check) token = (await signIn(this.client, buyer.email, buyer.password)).accessToken;
        else {
          const data = await this.client.call(
            `mutation($input: RegisterBuyerInput!) { registerBuyer(input: $input) { ${AUTH_SELECTION} } }`,
            { input: { email: buyer.email, password: buyer.password, name: buyer.name } },
            await this.admin.accessToken(),
          );
          const r = data.registerBuyer;
          if (r.code === 'ACCOUNT.EMAIL_TAKEN')
            token = (await signIn(this.client, buyer.email, buyer.password)).accessToken;
          else if (r.__typename !== 'AuthPayload') throw new Error(messageOf(r));
          else {
            token = r.accessToken;
            created = true;
          }
        }
        const me = await this.client.call(`{ me { addresses { id } } }`, {}, token);
        if (!me.me?.addresses?.length) {
          if (this.run.check) throw new Error('no address');
          const { fullName, ...rest } = buyer.address;
          const added = await this.client.call(
            `mutation($input: AddressInput!) { addAddress(input: $input) { __typename ${ERROR} } }`,
            { input: { label: 'Home', recipientName: fullName, ...rest, makeDefault: true } },
            token,
          );
          if (added.addAddress.__typename === 'ErrorResult') throw new Error(messageOf(added.addAddress));
          created = true;
        }
        this.buyers.set(buyer.number, new Session(this.client, buyer.email, buyer.password, token));
        progress.tick(created ? 'created' : 'existing');
      } catch (error) {
        this.fail(progress, buyer.email, (error as Error).message);
      }
    });
  }

  // --- orders: a few buyers check out a cart with the sandbox card, as a storefront would.

  private async seedOrders(orders: OrderPlan[], progress: PhaseProgress): Promise<void> {
    // Checkouts are sagas across seven services: two at a time is plenty on a small machine.
    await pool(orders, 2, async (order) => {
      const what = `order of buyer-${String(order.buyerNumber).padStart(2, '0')}`;
      try {
        const session = this.buyers.get(order.buyerNumber);
        if (!session) throw new Error('the buyer is missing');
        const token = await session.accessToken();
        const mine = await this.client.call(`{ myOrders(first: 1) { nodes { id } } }`, {}, token);
        if (mine.myOrders.nodes.length) return progress.tick('existing');
        if (this.run.check) throw new Error('missing');
        const status = await this.placeOrder(order, session);
        if (status === 'COMPLETED') progress.tick('created');
        else this.fail(progress, what, status);
      } catch (error) {
        this.fail(progress, what, (error as Error).message);
      }
    });
  }

  private async placeOrder(order: OrderPlan, session: Session): Promise<string> {
    const buyer = this.run.plan.buyers.find((b) => b.number === order.buyerNumber)!;
    const call = async (query: string, variables: object = {}) =>
      this.client.call(query, variables, await session.accessToken());
    // A run that stopped half-way may have left lines behind: start from an empty cart.
    const cart = await call(`{ myCart { lines { id } } }`);
    for (const line of cart.myCart?.lines ?? [])
      await call(`mutation($id: ID!) { removeLine(lineId: $id) { __typename } }`, { id: line.id });
    let cartId = '';
    for (const line of order.lines) {
      const deadline = Date.now() + (this.run.catchUpMs ?? 120_000);
      for (;;) {
        const r = await call(
          `mutation($sku: String!, $q: Int!) { addToCart(sku: $sku, quantity: $q) { ... on CartPayload { cart { id } } ${ERROR} } }`,
          { sku: line.sku, q: line.quantity },
        );
        if (r.addToCart.cart) {
          cartId = r.addToCart.cart.id;
          break;
        }
        // The cart learns of products and stock from events; a fresh SKU may not be there yet.
        if (r.addToCart.code !== 'CART.ITEM_UNAVAILABLE' || Date.now() > deadline)
          throw new Error(`add ${line.sku}: ${messageOf(r.addToCart)}`);
        await sleep(1000);
      }
    }
    if (order.couponCode) {
      // A coupon the cart refuses (not yet known, minimum not met) leaves a full-price order.
      await call(`mutation($code: String!) { applyCouponCode(code: $code) { __typename } }`, {
        code: order.couponCode,
      });
    }
    const placed = await call(
      `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { ... on CheckoutPayload { checkout { id } } ${ERROR} } }`,
      {
        input: {
          cartId,
          shippingAddress: buyer.address,
          paymentMethod: { provider: 'SANDBOX', token: 'tok_sandbox_approve' },
          idempotencyKey: order.idempotencyKey,
        },
      },
    );
    const checkoutId = placed.placeOrder.checkout?.id as string | undefined;
    if (!checkoutId) throw new Error(`checkout refused: ${messageOf(placed.placeOrder)}`);
    const deadline = Date.now() + 180_000;
    while (Date.now() < deadline) {
      const r = await call(`query($id: ID!) { checkout(id: $id) { status failure { code message } } }`, {
        id: checkoutId,
      });
      if (r.checkout?.status === 'COMPLETED') return 'COMPLETED';
      if (r.checkout?.status === 'FAILED') return `checkout failed: ${messageOf(r.checkout.failure)}`;
      await sleep(1000);
    }
    return `checkout ${checkoutId} still running after 3 minutes`;
  }
}
