import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import {
  domainError,
  err,
  InvariantViolation,
  ok,
  type DomainError,
  type Result,
} from '@marketplace/shared-kernel';
import type { EventEnvelopeV1, EventPayloads } from './generated/contracts.js';
import { loadSchemaFiles } from './schema-catalog.js';

/** What every topic carries; `payload` is typed once you know (type, version), see `PayloadOf`. */
export interface EventEnvelope<P = unknown> extends Omit<EventEnvelopeV1, 'payload'> {
  payload: P;
}

export type ContractKey = keyof EventPayloads;
export type PayloadOf<K extends keyof EventPayloads> = EventPayloads[K];

export interface ContractInfo {
  readonly type: string;
  readonly version: number;
  readonly topic: string;
  readonly schemaId: string;
}

export const ContractErrorCode = {
  InvalidEnvelope: 'CONTRACT.INVALID_ENVELOPE',
  UnknownEvent: 'CONTRACT.UNKNOWN_EVENT',
  InvalidPayload: 'CONTRACT.INVALID_PAYLOAD',
} as const;

export const Topics = {
  product: 'products.product',
  stockItem: 'inventory.stock-item',
  cart: 'cart.cart',
  coupon: 'coupons.coupon',
  store: 'accounts.store',
  user: 'accounts.user',
  checkout: 'checkout.checkout',
  cartCommands: 'cart.commands',
  cartCheckout: 'cart.checkout',
  shippingCommands: 'shipping.commands',
  shippingQuote: 'shipping.quote',
  shipment: 'shipping.shipment',
  orderCommands: 'orders.commands',
  order: 'orders.order',
  inventoryCommands: 'inventory.commands',
  couponCommands: 'coupons.commands',
  couponRedemption: 'coupons.redemption',
  paymentCommands: 'payments.commands',
  payment: 'payments.payment',
  providerEvent: 'webhooks.provider-event',
  notification: 'notifications.notification',
  productRating: 'reviews.product-rating',
  operationsCommands: 'operations.commands',
  readModelRebuilds: 'operations.rebuilds',
} as const;

/** Where a consumer group parks messages it gave up on. */
export const deadLetterTopic = (consumerGroup: string): string => `${consumerGroup}.dlt`;

export const contractKey = <T extends string, V extends number>(type: T, version: V): `${T}@${V}` =>
  `${type}@${version}`;

interface Contract {
  readonly info: ContractInfo;
  readonly validate: ValidateFunction;
}

interface Compiled {
  readonly envelope: ValidateFunction;
  readonly contracts: ReadonlyMap<string, Contract>;
}

// Compiled on first use, so importing the package (e.g. for types or Topics) reads no files.
let compiled: Compiled | undefined;

function compile(): Compiled {
  const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
  // ajv-formats is CommonJS; its callable sits on `default` as NodeNext types see it.
  ajvFormats.default(ajv);
  // The topic is routing data for this registry, not a validation rule.
  ajv.addKeyword({ keyword: 'x-topic', schemaType: 'string' });

  let envelope: ValidateFunction | undefined;
  const contracts = new Map<string, Contract>();
  for (const file of loadSchemaFiles()) {
    const validate = ajv.compile(file.schema);
    if (file.kind === 'envelope') {
      if (file.version === 1) envelope = validate;
      continue;
    }
    const info = {
      type: file.type,
      version: file.version,
      topic: file.topic,
      schemaId: `${file.schema.$id}`,
    };
    contracts.set(file.key, { info, validate });
  }
  if (!envelope)
    throw new InvariantViolation('CONTRACT.MISSING_ENVELOPE', 'schemas/envelope.v1.json is missing');
  return { envelope, contracts };
}

const registry = (): Compiled => (compiled ??= compile());

export const isKnownContract = (type: string, version: number): boolean =>
  registry().contracts.has(contractKey(type, version));

/** The Kafka topic of a contract. Unknown contracts are a programming error here, hence the throw. */
export function topicFor(type: string, version: number): string {
  const contract = registry().contracts.get(contractKey(type, version));
  if (!contract) {
    throw new InvariantViolation(
      ContractErrorCode.UnknownEvent,
      `No event contract ${contractKey(type, version)}`,
    );
  }
  return contract.info.topic;
}

export const listContracts = (): ContractInfo[] => [...registry().contracts.values()].map((c) => c.info);

/** Checks the envelope, then the payload against the schema its (type, version) names. */
export function validateEnvelope(value: unknown): Result<EventEnvelope, DomainError> {
  const { envelope, contracts } = registry();
  if (!envelope(value)) {
    return err(
      domainError(ContractErrorCode.InvalidEnvelope, `Invalid event envelope: ${describe(envelope.errors)}`),
    );
  }
  const candidate = value as EventEnvelope;
  const key = contractKey(candidate.type, candidate.version);
  const contract = contracts.get(key);
  if (!contract) {
    return err(domainError(ContractErrorCode.UnknownEvent, `No event contract ${key}`, 'type'));
  }
  if (!contract.validate(candidate.payload)) {
    return err(
      domainError(
        ContractErrorCode.InvalidPayload,
        `Invalid ${key} payload: ${describe(contract.validate.errors)}`,
        'payload',
      ),
    );
  }
  return ok(candidate);
}

const MAX_REPORTED_ERRORS = 5;

/** ajv's errors on one line, e.g. `/snapshot/price/amount must be >= 0; / must have required property 'x'`. */
function describe(errors: readonly ErrorObject[] | null | undefined): string {
  const all = (errors ?? []).map((e) => {
    const extra = e.keyword === 'additionalProperties' ? ` (${String(e.params.additionalProperty)})` : '';
    return `${e.instancePath || '/'} ${e.message ?? 'is invalid'}${extra}`;
  });
  const shown = all.slice(0, MAX_REPORTED_ERRORS).join('; ');
  return all.length > MAX_REPORTED_ERRORS ? `${shown}; (+${all.length - MAX_REPORTED_ERRORS} more)` : shown;
}
