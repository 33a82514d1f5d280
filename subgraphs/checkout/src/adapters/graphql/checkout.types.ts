// type-graphql reads decorator metadata through this polyfill.
import 'reflect-metadata';
import { Directive, Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { MoneyType as Money, graphqlEnum, resultUnion, type Actor } from '@marketplace/platform';
import {
  CHECKOUT_STATUS,
  CHECKOUT_STEP,
  PAYMENT_PROVIDER,
  type CheckoutSaga,
} from '../../domain/checkout-saga.js';

export const CheckoutStatusEnum = graphqlEnum(CHECKOUT_STATUS, {
  description: 'RUNNING -> COMPLETED, or RUNNING -> COMPENSATING -> FAILED.',
});
export const CheckoutStepEnum = graphqlEnum(CHECKOUT_STEP, {
  description: 'The steps of the checkout saga, in order.',
});
export const PaymentProviderEnum = graphqlEnum(PAYMENT_PROVIDER, {
  name: 'CheckoutPaymentProvider',
  description: 'Who authorizes the payment.',
});

/** The orders subgraph owns orders; a checkout only points at its order by id. */
@Directive('@key(fields: "id", resolvable: false)')
@ObjectType('Order')
export class OrderRef {
  @Field(() => ID)
  id!: string;
}

@ObjectType('CheckoutFailure', { description: 'Why the checkout failed, as the buyer is told.' })
export class CheckoutFailureNode {
  @Field(() => String)
  code!: string;

  @Field(() => String)
  message!: string;

  @Field(() => CheckoutStepEnum)
  step!: string;
}

@ObjectType('CheckoutTimelineEntry', { description: 'One thing the saga did or heard.' })
export class CheckoutTimelineEntryNode {
  @Field(() => Date)
  at!: Date;

  @Field(() => CheckoutStepEnum, { nullable: true })
  step!: string | null;

  @Field(() => String, {
    description:
      'STARTED, COMMAND_SENT, REPLY_RECEIVED, REJECTED, SKIPPED, TIMED_OUT, RETRIED, POSTPONED, COMPENSATION_SENT, COMPLETED or FAILED.',
  })
  event!: string;

  @Field(() => String, { nullable: true })
  detail!: string | null;
}

@ObjectType('CheckoutSagaProgress', { description: 'Where the saga stands, for admins operating it.' })
export class CheckoutSagaProgressNode {
  @Field(() => ID) buyerId!: string;
  @Field(() => ID) cartId!: string;
  @Field(() => [CheckoutStepEnum], { description: 'Steps done, in order (compensated ones included).' })
  completedSteps!: string[];
  @Field(() => Int, { description: "Sends of the current step's command so far (1 = first send)." })
  attempt!: number;
  @Field(() => Date, { nullable: true, description: 'When the current step times out; null once finished.' })
  deadlineAt!: Date | null;
  @Field(() => String, {
    nullable: true,
    description: 'The command whose reply the saga waits for, e.g. payments.authorize-payment.',
  })
  awaiting!: string | null;
}

@Directive('@key(fields: "id")')
@ObjectType('Checkout', { description: 'A buyer placing an order: the orchestrated checkout saga.' })
export class CheckoutNode {
  @Field(() => ID)
  id!: string;

  @Field(() => CheckoutStatusEnum)
  status!: string;

  @Field(() => CheckoutStepEnum, { description: 'The step the saga waits on (or ended at).' })
  currentStep!: string;

  @Field(() => ID)
  orderId!: string;

  @Field(() => OrderRef, {
    nullable: true,
    description:
      'The order, resolved by the orders subgraph once it exists. Null when the checkout failed before the order was created (e.g. the cart could not be checked out), or while it is being created.',
  })
  order!: OrderRef | null;

  @Field(() => ID)
  paymentId!: string;

  @Field(() => Money, {
    nullable: true,
    description: 'Known once the cart was snapshotted; final after coupons.',
  })
  total!: Money | null;

  @Field(() => CheckoutFailureNode, { nullable: true })
  failure!: CheckoutFailureNode | null;

  @Field(() => [CheckoutTimelineEntryNode])
  timeline!: CheckoutTimelineEntryNode[];

  @Field(() => CheckoutSagaProgressNode, { nullable: true, description: 'Admins only (null for others).' })
  saga!: CheckoutSagaProgressNode | null;

  @Field(() => Date)
  createdAt!: Date;

  /** `viewer` decides whether the admin-only `saga` is filled in. */
  static of(saga: CheckoutSaga, viewer: Actor | null = null): CheckoutNode {
    const totals = saga.snapshot ? saga.totals() : null;
    return Object.assign(new CheckoutNode(), {
      id: saga.id,
      status: saga.status,
      currentStep: saga.currentStep,
      orderId: saga.orderId,
      order: saga.orderRequested ? Object.assign(new OrderRef(), { id: saga.orderId }) : null,
      paymentId: saga.paymentId,
      total: totals ? Money.of({ amount: totals.total, currency: totals.currency }) : null,
      failure: saga.failure ? Object.assign(new CheckoutFailureNode(), saga.failure) : null,
      timeline: saga.timeline.map((t) =>
        Object.assign(new CheckoutTimelineEntryNode(), { ...t, at: new Date(t.at) }),
      ),
      saga:
        viewer?.role === 'admin'
          ? Object.assign(new CheckoutSagaProgressNode(), {
              buyerId: saga.buyerId,
              cartId: saga.cartId,
              completedSteps: [...saga.completedSteps],
              attempt: saga.attempt,
              deadlineAt: saga.current ? new Date(saga.current.deadlineAt) : null,
              awaiting: saga.current?.command.type ?? null,
            })
          : null,
      createdAt: saga.createdAt,
    });
  }
}

@InputType('CheckoutAddressInput', { description: 'Where the order ships.' })
export class ShippingAddressInput {
  @Field(() => String)
  fullName!: string;

  @Field(() => String)
  line1!: string;

  @Field(() => String, { nullable: true })
  line2?: string | null;

  @Field(() => String)
  city!: string;

  @Field(() => String, { nullable: true })
  region?: string | null;

  @Field(() => String)
  postalCode!: string;

  @Field(() => String, { description: 'ISO 3166-1 alpha-2, e.g. DE.' })
  country!: string;

  @Field(() => String, { nullable: true })
  phone?: string | null;
}

@InputType('CheckoutPaymentMethodInput')
export class PaymentMethodInput {
  @Field(() => PaymentProviderEnum)
  provider!: string;

  @Field(() => String, { description: "The provider's payment token (e.g. a Stripe payment method id)." })
  token!: string;
}

@InputType('PlaceOrderInput')
export class PlaceOrderInput {
  @Field(() => ID)
  cartId!: string;

  @Field(() => ShippingAddressInput)
  shippingAddress!: ShippingAddressInput;

  @Field(() => PaymentMethodInput)
  paymentMethod!: PaymentMethodInput;

  @Field(() => String, {
    description: '8..128 characters; the same key and input answer the first checkout.',
  })
  idempotencyKey!: string;
}

@ObjectType('CheckoutPayload')
export class CheckoutPayload {
  @Field(() => CheckoutNode)
  checkout!: CheckoutNode;
}

export const PlaceOrderResult = resultUnion(CheckoutPayload, { name: 'PlaceOrderResult' });
