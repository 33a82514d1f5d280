import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { minorUnitDigits } from '@marketplace/shared-kernel';
import {
  BRANDS,
  CATEGORIES,
  DESCRIPTION_OPENERS,
  LOCALES,
  STORE_LEADS,
  STORE_TRADES,
  USD_RATE,
  type CategorySpec,
  type Locale,
  type RootCategorySpec,
} from './words.js';

/**
 * The demo marketplace as data: every seller, product, variant, coupon, buyer and order the
 * seeder will make, computed from the options alone. Pure (no I/O, no clock), so one seed always
 * describes the same store and a second run can tell what is missing by its natural keys.
 *
 * Natural keys do not depend on the seed (seller-07@demo.marketplace.local, DEMO-07-0123-B,
 * DEMO07-WELCOME10); the seed shapes names, titles, prices and stock. One store holds one seed's
 * data: a run with another seed finds the keys taken and leaves the existing data as it is.
 */
export interface SeedOptions {
  seed: number;
  /**
   * Starts every SKU and coupon code. Inventory and the cart keep SKUs they learn from events,
   * so stores sharing one broker (test stacks) need their own prefix or they claim each other's.
   */
  keyPrefix: string;
  sellers: number;
  products: number;
  buyers: number;
  orders: number;
}

export const DEFAULT_OPTIONS: SeedOptions = {
  seed: 1,
  keyPrefix: 'DEMO',
  sellers: 24,
  products: 5000,
  buyers: 50,
  orders: 6,
};
/** Letters and digits, short enough that `<prefix>07-WELCOME10` stays a valid 32-character code. */
export const KEY_PREFIX = /^[A-Z][A-Z0-9]{0,11}$/;

export const DEMO_DOMAIN = 'demo.marketplace.local';
/** Every demo account shares it: a demo store is for trying things out, not for secrets. */
export const DEMO_PASSWORD = 'Marketplace-demo-2026!';

export interface MoneyPlan {
  amount: number;
  currency: string;
}

export interface CouponPlan {
  code: string;
  kind: 'PERCENTAGE' | 'FIXED_AMOUNT' | 'FREE_SHIPPING';
  percentOff?: number;
  amountOff?: MoneyPlan;
  minimumSpend?: MoneyPlan;
  validUntil?: string;
  totalLimit?: number;
  perBuyerLimit?: number;
}

export interface SellerPlan {
  /** 1-based, as in the keys. */
  number: number;
  email: string;
  password: string;
  name: string;
  storeName: string;
  storeSlug: string;
  country: string;
  currency: string;
  coupons: CouponPlan[];
}

export interface VariantPlan {
  sku: string;
  name: string;
  attributes: { name: string; value: string }[];
  price: MoneyPlan;
  /** Units on hand to set; 0 leaves the variant sold out. */
  stock: number;
  grams: number;
}

export interface ProductPlan {
  sellerNumber: number;
  name: string;
  description: string;
  categorySlug: string;
  attributes: { name: string; value: string }[];
  images: { url: string; alt: string; width: number; height: number }[];
  variants: VariantPlan[];
}

export interface AddressPlan {
  fullName: string;
  line1: string;
  city: string;
  region?: string;
  postalCode: string;
  country: string;
  phone: string;
}

export interface BuyerPlan {
  number: number;
  email: string;
  password: string;
  name: string;
  currency: string;
  address: AddressPlan;
}

export interface OrderPlan {
  buyerNumber: number;
  sellerNumber: number;
  lines: { sku: string; quantity: number }[];
  couponCode?: string;
  idempotencyKey: string;
}

export interface ShippingRatePlan {
  country: string;
  service: 'STANDARD' | 'EXPRESS';
  maxWeightGrams: number;
  amount: MoneyPlan;
}

export interface SeedPlan {
  options: SeedOptions;
  categories: RootCategorySpec[];
  sellers: SellerPlan[];
  products: ProductPlan[];
  platformCoupons: CouponPlan[];
  buyers: BuyerPlan[];
  orders: OrderPlan[];
  shippingRates: ShippingRatePlan[];
}

/** A seeded generator per named thing, so adding products never reshuffles the sellers. */
export class Dice {
  private readonly rng;

  constructor(seed: number, ...parts: (string | number)[]) {
    this.rng = xoroshiro128plus(hash32(`${seed}:${parts.join(':')}`));
  }

  int(from: number, to: number): number {
    return uniformInt(this.rng, from, to);
  }

  /** Uniform in [0, 1) with 2^-30 resolution: enough for shaping prices and chances. */
  unit(): number {
    return this.int(0, 2 ** 30 - 1) / 2 ** 30;
  }

  chance(p: number): boolean {
    return this.unit() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)]!;
  }

  /** `n` distinct items, in their original order. */
  sample<T>(items: readonly T[], n: number): T[] {
    const indices = items.map((_, i) => i);
    for (let i = indices.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      [indices[i], indices[j]] = [indices[j]!, indices[i]!];
    }
    return indices
      .slice(0, Math.min(n, items.length))
      .sort((a, b) => a - b)
      .map((i) => items[i]!);
  }
}

/** FNV-1a: a stable 32-bit seed from a string (the generator wants a number). */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');
export const sellerKey = (n: number) => `seller-${pad(n, 2)}`;
export const buyerKey = (n: number) => `buyer-${pad(n, 2)}`;
export const sellerEmail = (n: number) => `${sellerKey(n)}@${DEMO_DOMAIN}`;
export const buyerEmail = (n: number) => `${buyerKey(n)}@${DEMO_DOMAIN}`;
export const skuOf = (prefix: string, seller: number, product: number, variant: number) =>
  `${prefix}-${pad(seller, 2)}-${pad(product, 4)}-${String.fromCharCode(65 + variant)}`;

// Asking Intl for the exponent costs a formatter each time; 12,500 variants ask seven currencies.
const units = new Map<string, number>();
const minorUnit = (currency: string): number => {
  let unit = units.get(currency);
  if (unit === undefined) units.set(currency, (unit = 10 ** minorUnitDigits(currency)));
  return unit;
};

/**
 * A whole-looking local price from a US-dollar figure: rounded to a step that suits its size,
 * then just under it (24.99, 1,499, 2,999), in the currency's minor units.
 */
export function localPrice(usd: number, currency: string): MoneyPlan {
  const unit = minorUnit(currency);
  const major = usd * (USD_RATE[currency] ?? 1);
  const step = major < 20 ? 1 : major < 200 ? 5 : major < 2_000 ? 10 : major < 20_000 ? 100 : 1_000;
  const rounded = Math.max(step, Math.round(major / step) * step);
  const amount = rounded < 100 ? rounded * unit - 1 : (rounded - 1) * unit;
  return { amount, currency };
}

/** A plain price in the currency (coupon amounts, shipping), without the charm ending. */
const roundPrice = (usd: number, currency: string): MoneyPlan => {
  const unit = minorUnit(currency);
  return { amount: Math.max(1, Math.round(usd * (USD_RATE[currency] ?? 1))) * unit, currency };
};

const localeOf = (index: number): Locale => LOCALES[index % LOCALES.length]!;
const LEAVES: CategorySpec[] = CATEGORIES.flatMap((root) => root.children);

export function buildPlan(options: SeedOptions): SeedPlan {
  if (!KEY_PREFIX.test(options.keyPrefix)) throw new Error(`key prefix must match ${KEY_PREFIX}`);
  const { seed } = options;
  const sellers = planSellers(options);
  // Each seller specialises in a few leaf categories, as real stores do.
  const specialities = sellers.map((s) => new Dice(seed, 'speciality', s.number).sample(LEAVES, 3));
  const brands = sellers.map((s) => new Dice(seed, 'brands', s.number).sample(BRANDS, 3));
  const products: ProductPlan[] = [];
  for (let k = 0; k < options.products; k++) {
    const sellerIndex = k % sellers.length;
    const productNumber = Math.floor(k / sellers.length) + 1;
    products.push(
      planProduct(
        options,
        sellers[sellerIndex]!,
        productNumber,
        specialities[sellerIndex]!,
        brands[sellerIndex]!,
      ),
    );
  }
  const buyers = planBuyers(options);
  return {
    options,
    categories: CATEGORIES,
    sellers,
    products,
    platformCoupons: [
      { code: `${options.keyPrefix}-WELCOME5`, kind: 'PERCENTAGE', percentOff: 5, perBuyerLimit: 1 },
      {
        code: `${options.keyPrefix}-FLASH15`,
        kind: 'PERCENTAGE',
        percentOff: 15,
        totalLimit: 200,
        validUntil: '2027-12-31T23:59:59Z',
      },
      { code: `${options.keyPrefix}-SHIPFREE`, kind: 'FREE_SHIPPING', perBuyerLimit: 3 },
    ],
    buyers,
    orders: planOrders(options, sellers, products, buyers),
    shippingRates: planShippingRates(sellers),
  };
}

function planSellers({ seed, keyPrefix, sellers: count }: SeedOptions): SellerPlan[] {
  const storeNames = new Set<string>();
  return Array.from({ length: count }, (_, i) => {
    const number = i + 1;
    const locale = localeOf(i);
    const dice = new Dice(seed, 'seller', number);
    const name = `${dice.pick(locale.firstNames)} ${dice.pick(locale.lastNames)}`;
    let storeName = `${dice.pick(STORE_LEADS)} ${dice.pick(STORE_TRADES)}`;
    // Store slugs are unique marketplace-wide; a repeated name gets the city.
    if (storeNames.has(storeName)) storeName = `${storeName} ${dice.pick(locale.cities).city}`;
    if (storeNames.has(storeName)) storeName = `${storeName} ${number}`;
    storeNames.add(storeName);
    const currency = locale.currency;
    const code = `${keyPrefix}${pad(number, 2)}`;
    const coupons: CouponPlan[] = [
      { code: `${code}-WELCOME10`, kind: 'PERCENTAGE', percentOff: 10, perBuyerLimit: 1 },
      {
        code: `${code}-SAVE5`,
        kind: 'FIXED_AMOUNT',
        amountOff: roundPrice(5, currency),
        minimumSpend: roundPrice(40, currency),
      },
    ];
    if (dice.chance(0.5))
      coupons.push({
        code: `${code}-FREESHIP`,
        kind: 'FREE_SHIPPING',
        minimumSpend: roundPrice(30, currency),
      });
    return {
      number,
      email: sellerEmail(number),
      password: DEMO_PASSWORD,
      name,
      storeName,
      storeSlug: slugify(storeName),
      country: locale.country,
      currency,
      coupons,
    };
  });
}

export const slugify = (text: string) =>
  text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');

function planProduct(
  { seed, keyPrefix: prefix }: SeedOptions,
  seller: SellerPlan,
  productNumber: number,
  specialities: CategorySpec[],
  brands: string[],
): ProductPlan {
  const dice = new Dice(seed, 'product', seller.number, productNumber);
  const category = dice.pick(specialities);
  const brand = dice.pick(brands);
  const adjective = dice.pick(category.adjectives);
  const noun = dice.pick(category.nouns);
  const feature = dice.pick(category.features);
  const material = dice.pick(category.materials);
  const name = `${brand} ${adjective} ${noun}`;
  // Cheap things are common, dear ones rare: square the uniform draw.
  const [lo, hi] = category.usd;
  const baseUsd = lo + (hi - lo) * dice.unit() ** 2;
  const grams = Math.round(category.grams[0] + (category.grams[1] - category.grams[0]) * dice.unit());
  const axis = category.axis;
  const positions = dice.sample(
    axis.values.map((_, i) => i),
    dice.int(1, Math.min(4, axis.values.length)),
  );
  const variants: VariantPlan[] = positions.map((position, v) => {
    const value = axis.values[position]!;
    const variantGrams = Math.round(grams * (1 + (axis.priceStep ?? 0) * position * 0.5));
    const roll = dice.unit();
    return {
      sku: skuOf(prefix, seller.number, productNumber, v),
      name: value,
      attributes: [
        { name: axis.name, value },
        { name: 'weight_g', value: String(variantGrams) },
      ],
      price: localPrice(baseUsd * (1 + (axis.priceStep ?? 0) * position), seller.currency),
      // Mostly stocked, some running low, a few sold out.
      stock: roll < 0.05 ? 0 : roll < 0.15 ? dice.int(1, 5) : dice.int(8, 240),
      grams: variantGrams,
    };
  });
  const variantNames = variants.map((v) => v.name);
  const opener = dice
    .pick(DESCRIPTION_OPENERS)
    .replace('{title}', name)
    .replace('{noun}', noun.toLowerCase())
    .replace('{adjective}', adjective.toLowerCase())
    .replace(
      '{variants}',
      variantNames.length === 1 ? variantNames[0]!.toLowerCase() : `${variantNames.length} options`,
    );
  const description =
    `${opener} Made from ${material}, with ${feature}. ` +
    `Ships from ${seller.storeName} (${seller.country}) within ${dice.int(1, 4)} business days.`;
  const slug = slugify(name);
  const images = Array.from({ length: dice.int(1, 3) }, (_, i) => ({
    url: `https://picsum.photos/seed/${slug}-${seller.number}-${productNumber}-${i}/800/800`,
    alt: i === 0 ? name : `${name}, view ${i + 1}`,
    width: 800,
    height: 800,
  }));
  return {
    sellerNumber: seller.number,
    name,
    description,
    categorySlug: category.slug,
    attributes: [
      { name: 'brand', value: brand },
      { name: 'material', value: material },
    ],
    images,
    variants,
  };
}

function planBuyers({ seed, buyers: count }: SeedOptions): BuyerPlan[] {
  return Array.from({ length: count }, (_, i) => {
    const number = i + 1;
    const locale = localeOf(i);
    const dice = new Dice(seed, 'buyer', number);
    const name = `${dice.pick(locale.firstNames)} ${dice.pick(locale.lastNames)}`;
    const place = dice.pick(locale.cities);
    return {
      number,
      email: buyerEmail(number),
      password: DEMO_PASSWORD,
      name,
      currency: locale.currency,
      address: {
        fullName: name,
        line1: `${place.street} ${dice.int(1, 180)}`,
        city: place.city,
        ...(place.region ? { region: place.region } : {}),
        postalCode: place.postalCode,
        country: locale.country,
        phone: `${locale.phonePrefix} ${dice.int(1_000_000, 9_999_999)}`,
      },
    };
  });
}

/** The heaviest parcel the seeded shipping brackets price (20 kg), with room to spare. */
const MAX_ORDER_GRAMS = 15_000;

function planOrders(
  { seed, orders: count }: SeedOptions,
  sellers: SellerPlan[],
  products: ProductPlan[],
  buyers: BuyerPlan[],
): OrderPlan[] {
  const orders: OrderPlan[] = [];
  for (let i = 0; i < Math.min(count, buyers.length); i++) {
    const buyer = buyers[i]!;
    const dice = new Dice(seed, 'order', buyer.number);
    // Buyers mostly shop from sellers in their own currency; otherwise from anyone.
    const local = sellers.filter((s) => s.currency === buyer.currency);
    const seller = dice.pick(local.length ? local : sellers);
    const candidates = products
      .filter((p) => p.sellerNumber === seller.number)
      .flatMap((p) => p.variants.filter((v) => v.stock >= 5).slice(0, 1));
    const lines: OrderPlan['lines'] = [];
    let grams = 0;
    for (const variant of dice.sample(candidates, dice.int(1, 3))) {
      const quantity = dice.int(1, 2);
      if (grams + variant.grams * quantity > MAX_ORDER_GRAMS) continue;
      grams += variant.grams * quantity;
      lines.push({ sku: variant.sku, quantity });
    }
    if (!lines.length) continue;
    orders.push({
      buyerNumber: buyer.number,
      sellerNumber: seller.number,
      lines,
      ...(i % 2 === 0 ? { couponCode: seller.coupons[0]!.code } : {}),
      idempotencyKey: `demo-order-${buyerKey(buyer.number)}`,
    });
  }
  return orders;
}

/** Currencies the shipping service does not price out of the box get a home and a world zone. */
const PRICED_BY_SHIPPING = new Set(['EUR', 'USD', 'GBP', 'INR']);
const BRACKETS = [500, 1_000, 2_000, 5_000, 10_000, 20_000];
const STANDARD_USD = [5, 6, 8, 12, 17, 25];

function planShippingRates(sellers: SellerPlan[]): ShippingRatePlan[] {
  const homes = new Map<string, string>();
  for (const s of sellers) if (!PRICED_BY_SHIPPING.has(s.currency)) homes.set(s.currency, s.country);
  return [...homes].flatMap(([currency, country]) =>
    [country, '*'].flatMap((zone) =>
      BRACKETS.flatMap((maxWeightGrams, i) =>
        (['STANDARD', 'EXPRESS'] as const).map((service) => ({
          country: zone,
          service,
          maxWeightGrams,
          amount: roundPrice(
            STANDARD_USD[i]! * (zone === '*' ? 3 : 1) * (service === 'EXPRESS' ? 2 : 1),
            currency,
          ),
        })),
      ),
    ),
  );
}
