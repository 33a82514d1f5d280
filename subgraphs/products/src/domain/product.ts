import {
  AggregateRoot,
  Guard,
  Money,
  StateMachine,
  combine,
  domainError,
  err,
  newId,
  ok,
  type DomainEvent,
  type Result,
} from '@marketplace/shared-kernel';

export type ProductStatus = 'DRAFT' | 'PUBLISHED' | 'UNPUBLISHED' | 'DELETED';

/** The publishing workflow, as data. */
export const productLifecycle = new StateMachine<ProductStatus>('PRODUCT', {
  DRAFT: ['PUBLISHED', 'DELETED'],
  PUBLISHED: ['UNPUBLISHED', 'DELETED'],
  UNPUBLISHED: ['PUBLISHED', 'DELETED'],
  DELETED: [],
});

export const PRODUCT_LIMITS = { name: 200, description: 5000 } as const;

/** Public catalog fields, carried by every product event so projections need no lookup. */
export interface ProductSnapshot {
  name: string;
  description: string;
  price: { amount: number; currency: string };
  status: ProductStatus;
}

export interface ProductEventPayload {
  productId: string;
  sellerId: string;
  version: number;
  snapshot: ProductSnapshot;
  previousPrice?: { amount: number; currency: string };
}

export type ProductEvent = DomainEvent<ProductEventPayload>;

export interface NewProduct {
  sellerId: string;
  name: string;
  description: string;
  price: { amount: number; currency: string };
}

export class Product extends AggregateRoot<ProductEvent> {
  private constructor(
    readonly id: string,
    readonly sellerId: string,
    private _name: string,
    private _description: string,
    private _price: Money,
    private _status: ProductStatus,
    /** Incremented by every change; events carry it so consumers can ignore stale ones. */
    private _version: number,
    readonly createdAt: Date,
    private _updatedAt: Date,
  ) {
    super();
  }

  static create(input: NewProduct, now: Date, id: string = newId()): Result<Product> {
    const checked = combine(
      Guard.uuid('sellerId', input.sellerId),
      Guard.text('name', input.name, { max: PRODUCT_LIMITS.name }),
      Guard.text('description', input.description, { min: 0, max: PRODUCT_LIMITS.description }),
      validPrice(input.price),
    );
    if (!checked.ok) return checked;
    const [sellerId, name, description, price] = checked.value;
    const product = new Product(id, sellerId, name, description, price, 'DRAFT', 1, now, now);
    product.raise('products.product-created', now);
    return ok(product);
  }

  get name(): string {
    return this._name;
  }
  get description(): string {
    return this._description;
  }
  get price(): Money {
    return this._price;
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

  isOwnedBy(sellerId: string | null | undefined): boolean {
    return !!sellerId && sellerId === this.sellerId;
  }

  /** Visible on the storefront. */
  isPublic(): boolean {
    return this._status === 'PUBLISHED';
  }

  updateDetails(changes: { name?: string; description?: string }, now: Date): Result<void> {
    const alive = this.assertNotDeleted();
    if (!alive.ok) return alive;
    const name =
      changes.name === undefined
        ? ok(this._name)
        : Guard.text('name', changes.name, { max: PRODUCT_LIMITS.name });
    const description =
      changes.description === undefined
        ? ok(this._description)
        : Guard.text('description', changes.description, { min: 0, max: PRODUCT_LIMITS.description });
    const checked = combine(name, description);
    if (!checked.ok) return checked;
    if (checked.value[0] === this._name && checked.value[1] === this._description) return ok(undefined);
    [this._name, this._description] = checked.value;
    this.raise('products.product-updated', now);
    return ok(undefined);
  }

  changePrice(input: { amount: number; currency: string }, now: Date): Result<void> {
    const alive = this.assertNotDeleted();
    if (!alive.ok) return alive;
    const price = validPrice(input);
    if (!price.ok) return price;
    if (price.value.currency !== this._price.currency) {
      return err(
        domainError('PRODUCT.CURRENCY_CHANGE', 'A product keeps the currency it was listed in', 'currency'),
      );
    }
    if (price.value.equals(this._price)) return ok(undefined);
    const previous = this._price;
    this._price = price.value;
    this.raise('products.price-changed', now, previous);
    return ok(undefined);
  }

  /** Publishing policy: only a product with a positive price goes on the storefront. */
  publish(now: Date): Result<void> {
    if (this._price.isZero()) {
      return err(domainError('PRODUCT.NOT_PUBLISHABLE', 'Set a price above zero before publishing', 'price'));
    }
    return this.moveTo('PUBLISHED', 'products.product-published', now);
  }

  unpublish(now: Date): Result<void> {
    return this.moveTo('UNPUBLISHED', 'products.product-unpublished', now);
  }

  delete(now: Date): Result<void> {
    return this.moveTo('DELETED', 'products.product-deleted', now);
  }

  snapshot(): ProductSnapshot {
    return {
      name: this._name,
      description: this._description,
      price: this._price.toJSON(),
      status: this._status,
    };
  }

  private moveTo(target: ProductStatus, eventType: string, now: Date): Result<void> {
    const moved = productLifecycle.transition(this._status, target);
    if (!moved.ok) return moved;
    this._status = moved.value;
    this.raise(eventType, now);
    return ok(undefined);
  }

  private assertNotDeleted(): Result<void> {
    return this._status === 'DELETED'
      ? err(domainError('PRODUCT.DELETED', 'A deleted product cannot be changed'))
      : ok(undefined);
  }

  private raise(type: string, now: Date, previousPrice?: Money): void {
    if (type !== 'products.product-created') this._version += 1;
    this._updatedAt = now;
    this.record({
      type,
      version: 1,
      aggregateType: 'Product',
      aggregateId: this.id,
      occurredAt: now,
      payload: {
        productId: this.id,
        sellerId: this.sellerId,
        version: this._version,
        snapshot: this.snapshot(),
        ...(previousPrice ? { previousPrice: previousPrice.toJSON() } : {}),
      },
    });
  }
}

function validPrice(input: { amount: number; currency: string }): Result<Money> {
  const money = Money.of(input.amount, input.currency, 'price');
  if (!money.ok) return money;
  if (money.value.isNegative())
    return err(domainError('PRODUCT.NEGATIVE_PRICE', 'A price cannot be negative', 'price'));
  return money;
}
