import {
  AggregateRoot,
  Guard,
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

/** Where a store is in its lifecycle; only an ACTIVE store's catalog is for sale. */
export const STORE_STATUS = closedSet('StoreStatus', ['PENDING', 'ACTIVE', 'SUSPENDED'] as const);
export type StoreStatus = MemberOf<typeof STORE_STATUS>;

/**
 * The store lifecycle, as data: an admin approves a pending store, may suspend an active
 * one and reinstate it. Nothing returns to PENDING.
 */
export const storeLifecycle = new StateMachine<StoreStatus>('STORE', {
  PENDING: ['ACTIVE'],
  ACTIVE: ['SUSPENDED'],
  SUSPENDED: ['ACTIVE'],
});

export const STORE_LIMITS = { name: 80, slugMin: 3, slugMax: 40, reasonMin: 3, reasonMax: 500 } as const;

/** Lowercase words joined by single hyphens: safe in a URL and readable. */
const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
/** Paths the storefront uses itself; a store named like them would shadow them. */
const RESERVED_SLUGS = new Set([
  'admin',
  'api',
  'account',
  'accounts',
  'cart',
  'checkout',
  'explorer',
  'graphql',
  'help',
  'login',
  'logout',
  'marketplace',
  'orders',
  'search',
  'seller',
  'sellers',
  'signup',
  'store',
  'stores',
  'support',
  'www',
]);

/** What both store events carry: enough for consumers to hide or show a seller's catalog. */
interface StoreFacts {
  sellerId: string;
  ownerUserId: string;
  name: string;
  slug: string;
}

export interface StoreRegisteredPayload extends StoreFacts {
  status: 'PENDING';
  version: number;
}

export interface StoreStatusChangedPayload extends StoreFacts {
  status: StoreStatus;
  version: number;
  previousStatus: StoreStatus;
  /** Present exactly when the store is SUSPENDED. */
  reason?: string;
}

/** The events a store raises, by contract. */
export type StoreEvents = {
  'accounts.store-registered@1': StoreRegisteredPayload;
  'accounts.store-status-changed@1': StoreStatusChangedPayload;
};

/** A slug as given (trimmed, lowercased), or one derived from the store name when none is. */
export function storeSlug(slug: string | null | undefined, name: string): Result<string> {
  const candidate = slug == null || slug.trim() === '' ? slugify(name) : slug.trim().toLowerCase();
  if (candidate.length < STORE_LIMITS.slugMin || candidate.length > STORE_LIMITS.slugMax) {
    return err(
      domainError(
        'STORE.INVALID_SLUG',
        `A slug has ${STORE_LIMITS.slugMin} to ${STORE_LIMITS.slugMax} characters`,
        'slug',
      ),
    );
  }
  if (!SLUG.test(candidate)) {
    return err(
      domainError(
        'STORE.INVALID_SLUG',
        'A slug is lowercase letters and digits in words joined by single hyphens',
        'slug',
      ),
    );
  }
  if (RESERVED_SLUGS.has(candidate))
    return err(domainError('STORE.SLUG_RESERVED', `"${candidate}" is reserved`, 'slug'));
  return ok(candidate);
}

/** "Café Déjà Vu!" -> "cafe-deja-vu". */
export function slugify(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, STORE_LIMITS.slugMax)
    .replace(/-+$/, '');
}

/**
 * A seller's shop on the marketplace. Its id is the seller id every other subgraph knows;
 * its status decides whether buyers see the seller's catalog.
 */
export class Store extends AggregateRoot<StoreEvents> {
  private constructor(
    readonly id: string,
    readonly ownerUserId: string,
    private _name: string,
    private _slug: string,
    private _status: StoreStatus,
    private _suspensionReason: string | null,
    /** Incremented by every change; events carry it so consumers can drop stale ones. */
    private _version: number,
    readonly createdAt: Date,
    private _updatedAt: Date,
  ) {
    super();
  }

  /** Opened with the seller's registration, pending an admin's approval. */
  static open(
    input: { ownerUserId: string; name: string; slug?: string | null },
    now: Date,
    id: string = newId(),
  ): Result<Store> {
    const name = Guard.text('storeName', input.name, { min: 2, max: STORE_LIMITS.name });
    const checked = combine(
      Guard.uuid('ownerUserId', input.ownerUserId),
      name,
      storeSlug(input.slug, name.ok ? name.value : ''),
    );
    if (!checked.ok) return checked;
    const [ownerUserId, storeName, slug] = checked.value;
    const store = new Store(id, ownerUserId, storeName, slug, 'PENDING', null, 1, now, now);
    store.raise(
      'accounts.store-registered@1',
      { ...store.facts(), status: 'PENDING', version: store._version },
      { occurredAt: now },
    );
    return ok(store);
  }

  get name(): string {
    return this._name;
  }
  get slug(): string {
    return this._slug;
  }
  get status(): StoreStatus {
    return this._status;
  }
  get suspensionReason(): string | null {
    return this._suspensionReason;
  }
  get version(): number {
    return this._version;
  }
  get updatedAt(): Date {
    return this._updatedAt;
  }

  isOwnedBy(sellerId: string | null | undefined): boolean {
    return !!sellerId && sellerId === this.id;
  }

  /** Pending stores exist only for their seller and admins until approved. */
  isPublic(): boolean {
    return this._status !== 'PENDING';
  }

  approve(now: Date): Result<void> {
    if (this._status !== 'PENDING') return this.refuse('approve', 'PENDING');
    return this.moveTo('ACTIVE', now);
  }

  suspend(reason: string, now: Date): Result<void> {
    const checked = Guard.text('reason', reason, {
      min: STORE_LIMITS.reasonMin,
      max: STORE_LIMITS.reasonMax,
      multiline: true,
    });
    if (!checked.ok) return checked;
    return this.moveTo('SUSPENDED', now, checked.value);
  }

  reinstate(now: Date): Result<void> {
    if (this._status !== 'SUSPENDED') return this.refuse('reinstate', 'SUSPENDED');
    return this.moveTo('ACTIVE', now);
  }

  private refuse(action: string, required: StoreStatus): Result<void> {
    return err(
      domainError(
        'STORE.INVALID_TRANSITION',
        `Only a ${required.toLowerCase()} store can be ${action}d; this one is ${this._status}`,
      ),
    );
  }

  /** The only way the status changes: the lifecycle table must list the move. */
  private moveTo(target: StoreStatus, now: Date, reason?: string): Result<void> {
    const previous = this._status;
    const moved = storeLifecycle.transition(previous, target);
    if (!moved.ok) return moved;
    this._status = moved.value;
    this._suspensionReason = target === 'SUSPENDED' ? (reason ?? null) : null;
    this._version += 1;
    this._updatedAt = now;
    this.raise(
      'accounts.store-status-changed@1',
      {
        ...this.facts(),
        status: this._status,
        version: this._version,
        previousStatus: previous,
        ...(reason ? { reason } : {}),
      },
      { occurredAt: now },
    );
    return ok(undefined);
  }

  private facts(): StoreFacts {
    return { sellerId: this.id, ownerUserId: this.ownerUserId, name: this._name, slug: this._slug };
  }
}
