import {
  Entity,
  Guard,
  combine,
  domainError,
  err,
  newId,
  ok,
  type DomainError,
  type Result,
} from '@marketplace/shared-kernel';
import { isCountryCode } from './countries.js';

export interface Address {
  readonly id: string;
  readonly label: string | null;
  readonly recipientName: string;
  readonly line1: string;
  readonly line2: string | null;
  readonly city: string;
  /** State, province or county, where the country uses one. */
  readonly region: string | null;
  /** Optional: not every country has postal codes. */
  readonly postalCode: string | null;
  /** ISO 3166-1 alpha-2, uppercase. */
  readonly country: string;
  /** E.164, e.g. +4930123456, for the carrier. */
  readonly phone: string | null;
}

export type AddressFields = Omit<Address, 'id'>;

/** What a caller sends: optional fields may be missing, null or blank. */
export interface AddressInput {
  label?: string | null;
  recipientName: string;
  line1: string;
  line2?: string | null;
  city: string;
  region?: string | null;
  postalCode?: string | null;
  country: string;
  phone?: string | null;
}

/** A change to some fields: undefined keeps a field, null clears an optional one. */
export type AddressChanges = { [K in keyof AddressInput]?: string | null };

export const ADDRESS_LIMITS = {
  perUser: 20,
  label: 40,
  recipientName: 100,
  line: 200,
  city: 100,
  region: 100,
} as const;

const POSTAL_CODE = /^[A-Z0-9](?:[A-Z0-9 -]{0,14}[A-Z0-9])?$/;
const E164 = /^\+[1-9][0-9]{6,14}$/;

export const addressNotFound = (): DomainError =>
  domainError('ADDRESS.NOT_FOUND', 'No such address', 'addressId');

const optionalText = (field: string, value: string | null | undefined, max: number): Result<string | null> =>
  value == null || value.trim() === '' ? ok(null) : Guard.text(field, value, { max });

function country(value: string): Result<string> {
  const code = value.trim().toUpperCase();
  return isCountryCode(code)
    ? ok(code)
    : err(
        domainError(
          'ADDRESS.INVALID_COUNTRY',
          'country must be an ISO 3166-1 alpha-2 code such as DE',
          'country',
        ),
      );
}

function postalCode(value: string | null | undefined): Result<string | null> {
  if (value == null || value.trim() === '') return ok(null);
  const code = value.trim().toUpperCase().replace(/\s+/g, ' ');
  return POSTAL_CODE.test(code)
    ? ok(code)
    : err(domainError('ADDRESS.INVALID_POSTAL_CODE', 'This is not a valid postal code', 'postalCode'));
}

function phone(value: string | null | undefined): Result<string | null> {
  if (value == null || value.trim() === '') return ok(null);
  // Spaces, dots, dashes and parentheses are formatting; what remains must be E.164.
  const compact = value.trim().replace(/[\s().-]/g, '');
  return E164.test(compact)
    ? ok(compact)
    : err(
        domainError(
          'ADDRESS.INVALID_PHONE',
          'A phone number needs the country code, e.g. +4930123456',
          'phone',
        ),
      );
}

/** Validates and normalizes every field of an address. */
export function validateAddress(input: AddressInput | AddressChanges): Result<AddressFields> {
  // Required fields may arrive as null from a partial update; they then count as empty.
  const required = (value: string | null | undefined) => value ?? '';
  const checked = combine(
    optionalText('label', input.label, ADDRESS_LIMITS.label),
    Guard.text('recipientName', required(input.recipientName), { max: ADDRESS_LIMITS.recipientName }),
    Guard.text('line1', required(input.line1), { max: ADDRESS_LIMITS.line }),
    optionalText('line2', input.line2, ADDRESS_LIMITS.line),
    Guard.text('city', required(input.city), { max: ADDRESS_LIMITS.city }),
    optionalText('region', input.region, ADDRESS_LIMITS.region),
    postalCode(input.postalCode),
    country(required(input.country)),
    phone(input.phone),
  );
  if (!checked.ok) return checked;
  const [label, recipientName, line1, line2, city, region, code, countryCode, phoneNumber] = checked.value;
  return ok({
    label,
    recipientName,
    line1,
    line2,
    city,
    region,
    postalCode: code,
    country: countryCode,
    phone: phoneNumber,
  });
}

/**
 * A user's saved addresses. Invariants: at most ADDRESS_LIMITS.perUser entries, and exactly
 * one default whenever there is any address (the first one added, or the one chosen).
 */
export class AddressBook extends Entity {
  private constructor(
    /** The owning user's id. */
    readonly id: string,
    private _entries: Address[],
    private _defaultId: string | null,
    private _version: number,
    private _updatedAt: Date,
  ) {
    super();
  }

  static empty(userId: string, now: Date): AddressBook {
    return new AddressBook(userId, [], null, 0, now);
  }

  get userId(): string {
    return this.id;
  }
  get addresses(): readonly Address[] {
    return this._entries;
  }
  get defaultId(): string | null {
    return this._defaultId;
  }
  get version(): number {
    return this._version;
  }

  find(addressId: string): Address | null {
    return this._entries.find((a) => a.id === addressId) ?? null;
  }

  add(input: AddressInput, makeDefault: boolean, now: Date, id: string = newId()): Result<Address> {
    if (this._entries.length >= ADDRESS_LIMITS.perUser) {
      return err(
        domainError(
          'ADDRESS.LIMIT_REACHED',
          `An address book holds at most ${ADDRESS_LIMITS.perUser} addresses`,
        ),
      );
    }
    const fields = validateAddress(input);
    if (!fields.ok) return fields;
    const address: Address = { id, ...fields.value };
    this._entries = [...this._entries, address];
    if (makeDefault || this._defaultId === null) this._defaultId = id;
    this.touch(now);
    return ok(address);
  }

  /** Replaces the given fields; fields left undefined keep their value, null clears optional ones. */
  update(addressId: string, changes: AddressChanges, now: Date): Result<Address> {
    const current = this.find(addressId);
    if (!current) return err(addressNotFound());
    const merged: AddressChanges = { ...current };
    for (const [key, value] of Object.entries(changes) as [
      keyof AddressChanges,
      string | null | undefined,
    ][]) {
      if (value !== undefined) merged[key] = value;
    }
    const fields = validateAddress(merged);
    if (!fields.ok) return fields;
    const updated: Address = { id: addressId, ...fields.value };
    this._entries = this._entries.map((a) => (a.id === addressId ? updated : a));
    this.touch(now);
    return ok(updated);
  }

  remove(addressId: string, now: Date): Result<void> {
    if (!this.find(addressId)) return err(addressNotFound());
    this._entries = this._entries.filter((a) => a.id !== addressId);
    // The oldest remaining address takes over as default, so there is always one.
    if (this._defaultId === addressId) this._defaultId = this._entries[0]?.id ?? null;
    this.touch(now);
    return ok(undefined);
  }

  setDefault(addressId: string, now: Date): Result<void> {
    if (!this.find(addressId)) return err(addressNotFound());
    if (this._defaultId === addressId) return ok(undefined);
    this._defaultId = addressId;
    this.touch(now);
    return ok(undefined);
  }

  private touch(now: Date): void {
    this._version += 1;
    this._updatedAt = now;
  }
}
