import {
  AggregateRoot,
  Guard,
  Money,
  StateMachine,
  closedSet,
  combine,
  domainError,
  err,
  newId,
  ok,
  type MemberOf,
  type Result,
} from '@marketplace/shared-kernel';

/** Where a product is in its publishing workflow. */
export const PRODUCT_STATUS = closedSet('ProductStatus', [
  'DRAFT',
  'PUBLISHED',
  'UNPUBLISHED',
  'DELETED',
] as const);
export type ProductStatus = MemberOf<typeof PRODUCT_STATUS>;

/** The publishing workflow, as data. */
export const productLifecycle = new StateMachine<ProductStatus>('PRODUCT', {
  DRAFT: ['PUBLISHED', 'DELETED'],
  PUBLISHED: ['UNPUBLISHED', 'DELETED'],
  UNPUBLISHED: ['PUBLISHED', 'DELETED'],
  DELETED: [],
});

export const PRODUCT_LIMITS = {
  name: 200,
  description: 5000,
  attributes: 30,
  attributeName: 60,
  attributeValue: 200,
  images: 12,
  variants: 100,
  url: 2000,
  alt: 300,
} as const;

const SKU_PATTERN = /^[A-Z0-9][A-Z0-9._-]{0,63}$/;
const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export interface Attribute {
  name: string;
  value: string;
}

export interface ProductImage {
  url: string;
  alt: string;
  width: number | null;
  height: number | null;
  position: number;
}

export interface MoneyJson {
  amount: number;
  currency: string;
}

export interface Variant {
  variantId: string;
  sku: string;
  name: string;
  attributes: Attribute[];
  /** Null until the seller prices the variant. */
  price: MoneyJson | null;
}

export interface CategoryRef {
  id: string;
  name: string;
  slug: string;
}

/** Public catalog fields, carried by every product event so projections need no lookup. */
export interface ProductSnapshot {
  name: string;
  slug: string;
  description: string;
  status: ProductStatus;
  categoryId: string | null;
  categoryPath: CategoryRef[];
  attributes: Attribute[];
  images: ProductImage[];
  variants: Variant[];
}

/** What every product event carries: the product after the change. */
export interface ProductEventPayload {
  productId: string;
  sellerId: string;
  version: number;
  snapshot: ProductSnapshot;
}

/** A price change also names the variant and its price before and after. */
export interface PriceChangedPayload extends ProductEventPayload {
  variantId: string;
  sku: string;
  /** Null when the variant had no price before. */
  previousPrice: MoneyJson | null;
  price: MoneyJson;
}

/** The events a product raises, by contract. */
export type ProductEvents = {
  'products.product-created@2': ProductEventPayload;
  'products.product-updated@2': ProductEventPayload;
  'products.product-published@2': ProductEventPayload;
  'products.product-unpublished@2': ProductEventPayload;
  'products.product-deleted@2': ProductEventPayload;
  'products.price-changed@2': PriceChangedPayload;
};

/** The events that carry nothing but the product after the change. */
type SnapshotEvent = Exclude<keyof ProductEvents, 'products.price-changed@2'>;

export interface VariantInput {
  sku: string;
  name: string;
  attributes?: Attribute[] | null;
  price?: MoneyJson | null;
}

export interface ImageInput {
  url: string;
  alt?: string | null;
  width?: number | null;
  height?: number | null;
}

export interface NewProduct {
  sellerId: string;
  name: string;
  slug: string;
  description: string;
  /** The category with its ancestors, root first; empty when uncategorised. */
  categoryPath: CategoryRef[];
  attributes: Attribute[];
  images: ImageInput[];
  variants: VariantInput[];
}

export interface DetailChanges {
  name?: string;
  description?: string;
  categoryPath?: CategoryRef[];
  attributes?: Attribute[];
  images?: ImageInput[];
}

/** A store's status as accounts reports it. */
export const STORE_STATUS = closedSet('StoreStatus', ['PENDING', 'ACTIVE', 'SUSPENDED'] as const);
export type StoreStatus = MemberOf<typeof STORE_STATUS>;

/**
 * Whether the owning store may sell: a store that is not active cannot publish. UNKNOWN until
 * accounts has reported the store.
 */
export type SellerStanding = StoreStatus | 'UNKNOWN';

export class Product extends AggregateRoot<ProductEvents> {
  private constructor(
    readonly id: string,
    readonly sellerId: string,
    private _name: string,
    private _slug: string,
    private _description: string,
    private _categoryPath: CategoryRef[],
    private _attributes: Attribute[],
    private _images: ProductImage[],
    private _variants: Variant[],
    private _status: ProductStatus,
    /** Incremented by every change; events carry it so consumers can ignore stale ones. */
    private _version: number,
    readonly createdAt: Date,
    private _updatedAt: Date,
    private _publishedAt: Date | null,
  ) {
    super();
  }

  static create(input: NewProduct, now: Date, id: string = newId()): Result<Product> {
    const checked = combine(
      Guard.uuid('sellerId', input.sellerId),
      Guard.text('name', input.name, { max: PRODUCT_LIMITS.name }),
      validSlug(input.slug),
      Guard.text('description', input.description, {
        min: 0,
        max: PRODUCT_LIMITS.description,
        multiline: true,
      }),
      validAttributes('attributes', input.attributes),
      validImages(input.images),
    );
    if (!checked.ok) return checked;
    const [sellerId, name, slug, description, attributes, images] = checked.value;
    const product = new Product(
      id,
      sellerId,
      name,
      slug,
      description,
      input.categoryPath,
      attributes,
      images,
      [],
      'DRAFT',
      1,
      now,
      now,
      null,
    );
    for (const variant of input.variants) {
      const added = product.applyNewVariant(variant, newId());
      if (!added.ok) return added;
    }
    product.raise('products.product-created@2', product.eventPayload(), { occurredAt: now });
    return ok(product);
  }

  get name(): string {
    return this._name;
  }
  get slug(): string {
    return this._slug;
  }
  get description(): string {
    return this._description;
  }
  get categoryId(): string | null {
    return this._categoryPath.at(-1)?.id ?? null;
  }
  get categoryPath(): readonly CategoryRef[] {
    return this._categoryPath;
  }
  get attributes(): readonly Attribute[] {
    return this._attributes;
  }
  get images(): readonly ProductImage[] {
    return this._images;
  }
  get variants(): readonly Variant[] {
    return this._variants;
  }
  get status(): ProductStatus {
    return this._status;
  }
  get version(): number {
    return this._version;
  }
  get updatedAt(): Date {
    return this._updatedAt;
  }
  get publishedAt(): Date | null {
    return this._publishedAt;
  }
  /** The currency every variant of this product is priced in, once one is priced. */
  get currency(): string | null {
    return this._variants.find((v) => v.price)?.price?.currency ?? null;
  }

  isOwnedBy(sellerId: string | null | undefined): boolean {
    return !!sellerId && sellerId === this.sellerId;
  }

  updateDetails(changes: DetailChanges, now: Date): Result<void> {
    const alive = this.assertNotDeleted();
    if (!alive.ok) return alive;
    const checked = combine(
      changes.name === undefined
        ? ok(this._name)
        : Guard.text('name', changes.name, { max: PRODUCT_LIMITS.name }),
      changes.description === undefined
        ? ok(this._description)
        : Guard.text('description', changes.description, {
            min: 0,
            max: PRODUCT_LIMITS.description,
            multiline: true,
          }),
      changes.attributes === undefined
        ? ok(this._attributes)
        : validAttributes('attributes', changes.attributes),
      changes.images === undefined ? ok(this._images) : validImages(changes.images),
    );
    if (!checked.ok) return checked;
    const [name, description, attributes, images] = checked.value;
    const categoryPath = changes.categoryPath ?? this._categoryPath;
    if (images.length === 0 && this._status === 'PUBLISHED')
      return err(
        domainError('PRODUCT.IMAGE_REQUIRED', 'A published product keeps at least one image', 'images'),
      );
    const unchanged =
      name === this._name &&
      description === this._description &&
      same(attributes, this._attributes) &&
      same(images, this._images) &&
      same(categoryPath, this._categoryPath);
    if (unchanged) return ok(undefined);
    this._name = name;
    this._description = description;
    this._attributes = attributes;
    this._images = images;
    this._categoryPath = categoryPath;
    this.changed('products.product-updated@2', now);
    return ok(undefined);
  }

  addVariant(input: VariantInput, now: Date, variantId: string = newId()): Result<Variant> {
    const alive = this.assertNotDeleted();
    if (!alive.ok) return alive;
    const added = this.applyNewVariant(input, variantId);
    if (!added.ok) return added;
    this.changed('products.product-updated@2', now);
    return added;
  }

  updateVariant(
    variantId: string,
    changes: { name?: string; attributes?: Attribute[] },
    now: Date,
  ): Result<Variant> {
    const alive = this.assertNotDeleted();
    if (!alive.ok) return alive;
    const variant = this.variant(variantId);
    if (!variant.ok) return variant;
    const checked = combine(
      changes.name === undefined
        ? ok(variant.value.name)
        : Guard.text('name', changes.name, { max: PRODUCT_LIMITS.name }),
      changes.attributes === undefined
        ? ok(variant.value.attributes)
        : validAttributes('attributes', changes.attributes),
    );
    if (!checked.ok) return checked;
    const [name, attributes] = checked.value;
    if (name === variant.value.name && same(attributes, variant.value.attributes)) return variant;
    const updated = { ...variant.value, name, attributes };
    this._variants = this._variants.map((v) => (v.variantId === variantId ? updated : v));
    this.changed('products.product-updated@2', now);
    return ok(updated);
  }

  /** Sets or changes one variant's price; every variant of a product shares one currency. */
  setVariantPrice(variantId: string, input: MoneyJson, now: Date): Result<Variant> {
    const alive = this.assertNotDeleted();
    if (!alive.ok) return alive;
    const variant = this.variant(variantId);
    if (!variant.ok) return variant;
    const price = this.validPrice(input, variantId);
    if (!price.ok) return price;
    const previous = variant.value.price;
    if (previous && price.value.equals(Money.from(previous.amount, previous.currency))) return variant;
    if (price.value.isZero() && this._status === 'PUBLISHED' && !this.hasPricedVariant(variantId))
      return err(
        domainError(
          'PRODUCT.PRICE_REQUIRED',
          'A published product keeps at least one priced variant',
          'price',
        ),
      );
    const updated = { ...variant.value, price: price.value.toJSON() };
    this._variants = this._variants.map((v) => (v.variantId === variantId ? updated : v));
    this.touch(now);
    this.raise(
      'products.price-changed@2',
      { ...this.eventPayload(), variantId, sku: updated.sku, previousPrice: previous, price: updated.price },
      { occurredAt: now },
    );
    return ok(updated);
  }

  /**
   * Publishing policy: the store is active, at least one variant has a price above zero and
   * the product has at least one image.
   */
  publish(seller: SellerStanding, now: Date): Result<void> {
    if (seller !== 'ACTIVE')
      return err(
        domainError('PRODUCT.SELLER_NOT_ACTIVE', 'The store must be approved and active to publish'),
      );
    if (!this.hasPricedVariant())
      return err(
        domainError('PRODUCT.PRICE_REQUIRED', 'Price at least one variant above zero first', 'variants'),
      );
    if (this._images.length === 0)
      return err(domainError('PRODUCT.IMAGE_REQUIRED', 'Add at least one image first', 'images'));
    const moved = this.moveTo('PUBLISHED', 'products.product-published@2', now);
    if (moved.ok) this._publishedAt ??= now;
    return moved;
  }

  unpublish(now: Date): Result<void> {
    return this.moveTo('UNPUBLISHED', 'products.product-unpublished@2', now);
  }

  delete(now: Date): Result<void> {
    return this.moveTo('DELETED', 'products.product-deleted@2', now);
  }

  snapshot(): ProductSnapshot {
    return {
      name: this._name,
      slug: this._slug,
      description: this._description,
      status: this._status,
      categoryId: this.categoryId,
      categoryPath: this._categoryPath.map((c) => ({ ...c })),
      attributes: this._attributes.map((a) => ({ ...a })),
      images: this._images.map((i) => ({ ...i })),
      variants: this._variants.map((v) => ({
        ...v,
        attributes: v.attributes.map((a) => ({ ...a })),
        price: v.price ? { ...v.price } : null,
      })),
    };
  }

  private variant(variantId: string): Result<Variant> {
    const found = this._variants.find((v) => v.variantId === variantId);
    return found
      ? ok(found)
      : err(domainError('PRODUCT.VARIANT_NOT_FOUND', 'No such variant on this product', 'variantId'));
  }

  private hasPricedVariant(exceptVariantId?: string): boolean {
    return this._variants.some(
      (v) => v.variantId !== exceptVariantId && v.price !== null && v.price.amount > 0,
    );
  }

  private applyNewVariant(input: VariantInput, variantId: string): Result<Variant> {
    if (this._variants.length >= PRODUCT_LIMITS.variants)
      return err(
        domainError('PRODUCT.TOO_MANY_VARIANTS', `At most ${PRODUCT_LIMITS.variants} variants`, 'variants'),
      );
    const checked = combine(
      validSku(input.sku),
      Guard.text('name', input.name, { max: PRODUCT_LIMITS.name }),
      validAttributes('attributes', input.attributes ?? []),
    );
    if (!checked.ok) return checked;
    const [sku, name, attributes] = checked.value;
    if (this._variants.some((v) => v.sku === sku))
      return err(domainError('PRODUCT.SKU_TAKEN', `SKU ${sku} is already in use`, 'sku'));
    let price: MoneyJson | null = null;
    if (input.price) {
      const valid = this.validPrice(input.price, variantId);
      if (!valid.ok) return valid;
      price = valid.value.toJSON();
    }
    const variant: Variant = { variantId, sku, name, attributes, price };
    this._variants = [...this._variants, variant];
    return ok(variant);
  }

  private validPrice(input: MoneyJson, variantId: string): Result<Money> {
    const money = Money.input(input.amount, input.currency, 'price');
    if (!money.ok) return money;
    if (money.value.isNegative())
      return err(domainError('PRODUCT.NEGATIVE_PRICE', 'A price cannot be negative', 'price'));
    const others = this._variants.find((v) => v.variantId !== variantId && v.price)?.price;
    if (others && others.currency !== money.value.currency)
      return err(
        domainError(
          'PRODUCT.CURRENCY_MISMATCH',
          `Every variant of a product is priced in one currency (${others.currency})`,
          'currency',
        ),
      );
    return money;
  }

  private moveTo(target: ProductStatus, contract: SnapshotEvent, now: Date): Result<void> {
    const moved = productLifecycle.transition(this._status, target);
    if (!moved.ok) return moved;
    this._status = moved.value;
    this.changed(contract, now);
    return ok(undefined);
  }

  private assertNotDeleted(): Result<void> {
    return productLifecycle.isTerminal(this._status)
      ? err(domainError('PRODUCT.DELETED', 'A deleted product cannot be changed'))
      : ok(undefined);
  }

  /** Every change after creation bumps the version; its event carries the product as it is now. */
  private changed(contract: SnapshotEvent, now: Date): void {
    this.touch(now);
    this.raise(contract, this.eventPayload(), { occurredAt: now });
  }

  private touch(now: Date): void {
    this._version += 1;
    this._updatedAt = now;
  }

  private eventPayload(): ProductEventPayload {
    return { productId: this.id, sellerId: this.sellerId, version: this._version, snapshot: this.snapshot() };
  }
}

export function validSku(raw: string): Result<string> {
  const sku = raw.trim().toUpperCase();
  return SKU_PATTERN.test(sku)
    ? ok(sku)
    : err(
        domainError(
          'VALIDATION.MALFORMED_SKU',
          'A SKU is 1-64 letters, digits, dots, dashes or underscores, starting with a letter or digit',
          'sku',
        ),
      );
}

export function validSlug(raw: string): Result<string> {
  return SLUG_PATTERN.test(raw) && raw.length <= 220
    ? ok(raw)
    : err(domainError('VALIDATION.MALFORMED_SLUG', 'A slug is lowercase words joined by dashes', 'slug'));
}

function validAttributes(field: string, input: readonly Attribute[]): Result<Attribute[]> {
  if (input.length > PRODUCT_LIMITS.attributes)
    return err(domainError('VALIDATION.TOO_MANY', `At most ${PRODUCT_LIMITS.attributes} attributes`, field));
  const out: Attribute[] = [];
  for (const attribute of input) {
    const checked = combine(
      Guard.text(`${field}.name`, attribute.name, { max: PRODUCT_LIMITS.attributeName }),
      Guard.text(`${field}.value`, attribute.value, { max: PRODUCT_LIMITS.attributeValue }),
    );
    if (!checked.ok) return checked;
    const [name, value] = checked.value;
    if (out.some((a) => a.name.toLowerCase() === name.toLowerCase()))
      return err(domainError('VALIDATION.DUPLICATE', `Attribute ${name} appears twice`, field));
    out.push({ name, value });
  }
  return ok(out);
}

function validImages(input: readonly ImageInput[]): Result<ProductImage[]> {
  if (input.length > PRODUCT_LIMITS.images)
    return err(domainError('VALIDATION.TOO_MANY', `At most ${PRODUCT_LIMITS.images} images`, 'images'));
  const out: ProductImage[] = [];
  for (const [position, image] of input.entries()) {
    const url = image.url.trim();
    if (url.length > PRODUCT_LIMITS.url || !/^https:\/\/[^\s/$.?#][^\s]*$/i.test(url))
      return err(domainError('VALIDATION.MALFORMED_URL', 'An image URL must be an https URL', 'images.url'));
    const alt = Guard.text('images.alt', image.alt ?? '', { min: 0, max: PRODUCT_LIMITS.alt });
    if (!alt.ok) return alt;
    for (const [field, value] of [
      ['width', image.width],
      ['height', image.height],
    ] as const) {
      if (value == null) continue;
      const size = Guard.integer(`images.${field}`, value, { min: 1, max: 20_000 });
      if (!size.ok) return size;
    }
    out.push({ url, alt: alt.value, width: image.width ?? null, height: image.height ?? null, position });
  }
  return ok(out);
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
