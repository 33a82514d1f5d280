import { beforeAll, describe, expect, it } from '@jest/globals';
import { newId, systemClock } from '@marketplace/shared-kernel';
import { Topics } from '@marketplace/event-contracts';
import { newAdmin, newBuyer, newSeller, useSubgraph, waitFor } from '@marketplace/platform/testing';
import { createPaymentsService } from '../src/service.js';
import { createSandboxProvider } from '../src/adapters/providers/sandbox.js';
import {
  ProviderUnavailableError,
  type PaymentProvider,
  type ProviderName,
} from '../src/application/ports.js';
import {
  ATTEMPT_KIND,
  ATTEMPT_OUTCOME,
  PAYMENT_STATUS,
  PROVIDER_EVENT_KIND,
  PROVIDER_KIND,
  REFUND_STATUS,
  type AttemptKind,
} from '../src/domain/payment.js';
import { ENTRY_KIND, LEDGER_SIDE } from '../src/domain/ledger.js';
import { DIFFERENCE_FIELD } from '../src/application/reconcile.js';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ok } from '@marketplace/shared-kernel';
import type { PaymentUnits, PaymentsContext, PaymentsSettings } from '../src/application/ports.js';
import { IN_FLIGHT_MS, providerOf } from '../src/application/provider-call.js';
import { authorizePayment } from '../src/application/authorize-payment.js';
import { capturePayment } from '../src/application/capture-payment.js';
import { voidPayment } from '../src/application/void-payment.js';
import { ProviderCallInTransactionError } from '../src/application/provider-guard.js';
import { paymentIdsAwaitingCapture, paymentsUseCases } from '../src/adapters/persistence/payment-store.js';
import { runReconciliation } from '../src/adapters/messaging/reconciliation-job.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Row = Record<string, any>;

// The consumers first work through whatever other runs left on the shared topics.
const CONSUMED_MS = 30_000;

const sandbox = createSandboxProvider();
/** Switch the sandbox's endpoints off, as an outage would. */
let captureDown = false;
let voidDown = false;
let refundDown = false;
/** The provider refuses captures for good (an expired authorization). */
let captureRefused = false;
/** The provider's capture answers something the adapter cannot read (a PROVIDER_ERROR). */
let captureBroken = false;
let authorizeDown = false;
const providers = new Map<ProviderName, PaymentProvider>([
  [
    'SANDBOX',
    {
      ...sandbox,
      authorize: (input) =>
        authorizeDown
          ? Promise.reject(new ProviderUnavailableError('sandbox authorize is down'))
          : sandbox.authorize(input),
      capture: (input) =>
        captureDown
          ? Promise.reject(new ProviderUnavailableError('sandbox capture is down'))
          : captureRefused
            ? Promise.resolve({ status: 'FAILED' as const, message: 'authorization expired' })
            : captureBroken
              ? Promise.reject(new Error('unexpected answer from the provider'))
              : sandbox.capture(input),
      void: (input) =>
        voidDown ? Promise.reject(new ProviderUnavailableError('sandbox void is down')) : sandbox.void(input),
      refund: (input) =>
        refundDown
          ? Promise.reject(new ProviderUnavailableError('sandbox refund is down'))
          : sandbox.refund(input),
    },
  ],
]);
const sut = useSubgraph(
  createPaymentsService(
    { ...process.env, PAYMENTS_RECONCILE_INTERVAL_MS: '3600000' },
    {
      providers: { get: (n) => providers.get(n), names: () => [...providers.keys()] },
      retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 10 },
    },
  ),
);
const { gql, sql, service } = sut;
/** The payment whose provider events the test made up: the sandbox never captured it. */
let fabricated = '';

const buyer = newBuyer();
const otherBuyer = newBuyer();
const admin = newAdmin();
const sellerA = newSeller();
const sellerB = newSeller();

const send = (
  topic: string,
  type: string,
  aggregateType: string,
  key: string,
  payload: Record<string, unknown>,
) => sut.send(`${type}@1`, payload, { aggregateType, aggregateId: key, topic });

/** The replies payments published for a payment, oldest first. */
const replies = async (paymentId: string, type?: string) =>
  (
    await sql(
      `select event_type, envelope from outbox where message_key = ? ${type ? 'and event_type = ?' : ''} order by seq`,
      type ? [paymentId, type] : [paymentId],
    )
  ).map((r) => ({ type: r.event_type as string, envelope: r.envelope as Row }));

const paymentRow = async (id: string) => (await sql('select * from payment where id = ?', [id]))[0];
/** How many provider calls of one kind the payment has recorded. */
const attemptCount = async (paymentId: string, kind: AttemptKind) =>
  (await sql('select 1 from payment_attempt where payment_id = ? and kind = ?', [paymentId, kind])).length;
/** The attempts the provider's answer settled (a STARTED one is still in its call). */
const answeredCount = async (paymentId: string, kind: AttemptKind) =>
  (
    await sql("select 1 from payment_attempt where payment_id = ? and kind = ? and outcome <> 'STARTED'", [
      paymentId,
      kind,
    ])
  ).length;

interface Order {
  orderId: string;
  paymentId: string;
  checkoutId: string;
  subA: string;
  subB: string;
}

function newOrder(): Order {
  return { orderId: newId(), paymentId: newId(), checkoutId: newId(), subA: newId(), subB: newId() };
}

async function authorize(order: Order, token: string) {
  return send(Topics.paymentCommands, 'payments.authorize-payment', 'Payment', order.paymentId, {
    paymentId: order.paymentId,
    orderId: order.orderId,
    checkoutId: order.checkoutId,
    buyerId: buyer.userId,
    amount: { amount: 10_001, currency: 'EUR' },
    method: { provider: 'SANDBOX', token },
    idempotencyKey: `checkout:${order.checkoutId}`,
    splits: [
      { sellerId: sellerA.sellerId, subOrderId: order.subA, amount: { amount: 6_001, currency: 'EUR' } },
      { sellerId: sellerB.sellerId, subOrderId: order.subB, amount: { amount: 4_000, currency: 'EUR' } },
    ],
  });
}

async function confirmOrder(order: Order) {
  await send(Topics.order, 'orders.order-confirmed', 'Order', order.orderId, {
    orderId: order.orderId,
    checkoutId: order.checkoutId,
    buyerId: buyer.userId,
    paymentId: order.paymentId,
    currency: 'EUR',
    total: { amount: 10_001, currency: 'EUR' },
    discountTotal: { amount: 0, currency: 'EUR' },
    subOrders: [
      { subOrderId: order.subA, sellerId: sellerA.sellerId, total: { amount: 6_001, currency: 'EUR' } },
      { subOrderId: order.subB, sellerId: sellerB.sellerId, total: { amount: 4_000, currency: 'EUR' } },
    ],
    version: 2,
  });
}

async function approveRefund(order: Order, refundRequestId: string, sub: 'A' | 'B', amount: number) {
  await send(Topics.order, 'orders.refund-approved', 'Order', order.orderId, {
    refundRequestId,
    orderId: order.orderId,
    subOrderId: sub === 'A' ? order.subA : order.subB,
    sellerId: sub === 'A' ? sellerA.sellerId : sellerB.sellerId,
    buyerId: buyer.userId,
    paymentId: order.paymentId,
    amount: { amount, currency: 'EUR' },
    lines: [{ lineId: newId(), sku: 'SKU-1', quantity: 1, amount: { amount, currency: 'EUR' } }],
    approvedBy: admin.userId,
  });
}

async function webhook(eventType: string, data: Record<string, unknown>) {
  const providerEventId = `evt_sbx_${newId()}`;
  return send(
    Topics.providerEvent,
    'webhooks.provider-event-received',
    'ProviderEvent',
    `sandbox:${String(data.reference)}`,
    {
      provider: 'sandbox',
      providerEventId,
      eventType,
      objectId: data.reference,
      receivedAt: new Date().toISOString(),
      payload: { id: providerEventId, type: eventType, created: Math.floor(Date.now() / 1000), data },
    },
  );
}

async function ledgerBalanced(): Promise<boolean> {
  const rows = await sql(
    `select currency, sum(case side when 'DEBIT' then amount else -amount end)::bigint as net
       from ledger_line group by currency`,
  );
  return rows.every((r) => Number(r.net) === 0);
}

const waitStatus = (paymentId: string, status: string) =>
  waitFor(async () => (await paymentRow(paymentId))?.status === status, CONSUMED_MS);

describe('authorize through commands', () => {
  it('approves: AUTHORIZED, payment-authorized reply with the provider reference, one AUTHORIZE attempt', async () => {
    const order = newOrder();
    const command = await authorize(order, 'tok_sandbox_approve');
    await waitStatus(order.paymentId, 'AUTHORIZED');
    const [reply] = await replies(order.paymentId, 'payments.payment-authorized');
    expect(reply!.envelope).toMatchObject({
      causationId: command.id,
      correlationId: command.correlationId,
      payload: {
        paymentId: order.paymentId,
        orderId: order.orderId,
        provider: 'SANDBOX',
        amount: { amount: 10_001, currency: 'EUR' },
      },
    });
    expect(reply!.envelope.payload.providerReference).toMatch(/^sbx_/);
    const attempts = await sql('select kind, outcome from payment_attempt where payment_id = ?', [
      order.paymentId,
    ]);
    expect(attempts).toEqual([{ kind: 'AUTHORIZE', outcome: 'SUCCEEDED' }]);
    expect(await ledgerBalanced()).toBe(true);
  });

  it('declines: FAILED with PAYMENT.DECLINED and the decline code; nothing booked', async () => {
    const order = newOrder();
    await authorize(order, '4000000000009995');
    await waitStatus(order.paymentId, 'FAILED');
    const [reply] = await replies(order.paymentId, 'payments.payment-failed');
    expect(reply!.envelope.payload).toMatchObject({
      code: 'PAYMENT.DECLINED',
      declineCode: 'insufficient_funds',
    });
    expect(await sql('select * from ledger_entry where payment_id = ?', [order.paymentId])).toHaveLength(0);
    expect(await ledgerBalanced()).toBe(true);
  });

  it('provider unavailable: bounded retries, then payment-failed PAYMENT.PROVIDER_UNAVAILABLE', async () => {
    const order = newOrder();
    await authorize(order, 'tok_sandbox_unavailable');
    await waitStatus(order.paymentId, 'FAILED');
    const [reply] = await replies(order.paymentId, 'payments.payment-failed');
    expect(reply!.envelope.payload).toMatchObject({ code: 'PAYMENT.PROVIDER_UNAVAILABLE' });
    const attempts = await sql('select outcome from payment_attempt where payment_id = ?', [order.paymentId]);
    expect(attempts).toHaveLength(2);
  });

  it('a re-sent command (new message id) has one effect and gets the same answer again', async () => {
    const order = newOrder();
    await authorize(order, 'tok_sandbox_approve');
    await waitStatus(order.paymentId, 'AUTHORIZED');
    await authorize(order, 'tok_sandbox_approve');
    await waitFor(
      async () => (await replies(order.paymentId, 'payments.payment-authorized')).length === 2,
      CONSUMED_MS,
    );
    const [first, second] = await replies(order.paymentId, 'payments.payment-authorized');
    expect(second!.envelope.payload).toEqual(first!.envelope.payload);
    expect(await sql('select * from payment_attempt where payment_id = ?', [order.paymentId])).toHaveLength(
      1,
    );
  });

  it('a void that overtakes its authorize makes the authorization fail', async () => {
    const order = newOrder();
    await send(Topics.paymentCommands, 'payments.void-payment', 'Payment', order.paymentId, {
      paymentId: order.paymentId,
      orderId: order.orderId,
      reason: 'step timed out',
    });
    await waitFor(
      async () =>
        (await sql('select 1 from payment_void_intent where payment_id = ?', [order.paymentId])).length === 1,
      CONSUMED_MS,
    );
    await authorize(order, 'tok_sandbox_approve');
    await waitStatus(order.paymentId, 'FAILED');
    const [reply] = await replies(order.paymentId, 'payments.payment-failed');
    expect(reply!.envelope.payload).toMatchObject({ code: 'PAYMENT.VOIDED' });
  });
});

describe('crash between the provider call and applying its answer', () => {
  const fresh = () => service.orm.em.fork() as EntityManager;
  const deps: PaymentsSettings = {
    providers: { get: (n) => providers.get(n), names: () => [...providers.keys()] },
    commissionBps: 1_000,
    clock: systemClock,
  };
  const kit = (settings: PaymentsSettings) => paymentsUseCases(settings).bind(service);
  /** A context on a connection of its own, as the kit builds for a caller. */
  const contextOf = (meta: { correlationId: string }, settings = deps): PaymentsContext =>
    kit(settings).forActor(null, { correlationId: meta.correlationId, em: fresh() });
  const unitsOf = (meta: { correlationId: string }, settings = deps): PaymentUnits => ({
    intent: contextOf(meta, settings),
    outcome: contextOf(meta, settings),
  });
  /** The same context whose transactions run `work` and then fail as `failure` says. */
  const failing = (ctx: PaymentsContext, failure: () => Promise<never>): PaymentsContext => ({
    ...ctx,
    transaction: (work) =>
      ctx.transaction(async (tx) => {
        await work(tx);
        return failure();
      }),
  });

  it('the intent commits first; the re-sent command resumes it and gets the same authorization back: one hold, one payment', async () => {
    const order = newOrder();
    const command = {
      paymentId: order.paymentId,
      orderId: order.orderId,
      checkoutId: order.checkoutId,
      buyerId: buyer.userId,
      amount: { amount: 500, currency: 'EUR' },
      method: { provider: 'SANDBOX' as const, token: 'tok_sandbox_approve' },
      idempotencyKey: `checkout:${order.checkoutId}`,
      splits: [
        { sellerId: sellerA.sellerId!, subOrderId: order.subA, amount: { amount: 500, currency: 'EUR' } },
      ],
    };
    const meta = { correlationId: newId() };
    const crashing: PaymentUnits = {
      intent: contextOf(meta),
      outcome: failing(contextOf(meta), () => Promise.reject(new Error('process died before commit'))),
    };
    // The service's consumers share this sandbox and may authorize other tests' payments
    // meanwhile: only holds of this test's amount are ours.
    const before = sandbox.events.length;
    const holds = () =>
      sandbox.events
        .slice(before)
        .filter((e) => e.type === 'payment.authorized' && e.data.amount === 500)
        .map((e) => e.data.reference);
    const attempts = () =>
      sql('select kind, outcome from payment_attempt where payment_id = ?', [order.paymentId]);
    await authorizePayment(command, crashing);
    expect(await paymentRow(order.paymentId)).toMatchObject({ status: 'CREATED', provider_reference: null });
    expect(await attempts()).toEqual([{ kind: 'AUTHORIZE', outcome: 'STARTED' }]);
    const held = holds();
    expect(held).toHaveLength(1);

    // While the call may still be in flight a re-sent command changes nothing and calls nobody.
    await authorizePayment(command, unitsOf(meta));
    expect(holds()).toEqual(held);
    expect(await attempts()).toEqual([{ kind: 'AUTHORIZE', outcome: 'STARTED' }]);

    // The saga re-sends after its step timeout, longer than any call takes.
    const later = { ...deps, clock: { now: () => new Date(Date.now() + IN_FLIGHT_MS) } };
    const redone = await authorizePayment(command, unitsOf(meta, later));
    expect(redone.ok && redone.value?.status).toBe('AUTHORIZED');
    expect(await paymentRow(order.paymentId)).toMatchObject({
      status: 'AUTHORIZED',
      provider_reference: held[0],
    });
    // The provider saw the same key and made no second hold.
    expect(holds()).toEqual(held);
    // The unanswered call is settled as lost; the call made again answered.
    expect(await attempts()).toEqual(
      expect.arrayContaining([
        { kind: 'AUTHORIZE', outcome: 'FAILED' },
        { kind: 'AUTHORIZE', outcome: 'SUCCEEDED' },
      ]),
    );
    expect(await attempts()).toHaveLength(2);
  });

  it('an authorization whose answer was lost is resumed by reconciliation, and a void that waited for it releases the hold', async () => {
    const order = newOrder();
    const meta = { correlationId: newId() };
    const lost: PaymentUnits = {
      intent: contextOf(meta),
      outcome: {
        ...contextOf(meta),
        transaction: () => Promise.reject(new Error('database gone while applying the answer')),
      },
    };
    const before = sandbox.events.length;
    const holds = () =>
      sandbox.events
        .slice(before)
        .filter((e) => e.type === 'payment.authorized' && e.data.amount === 700)
        .map((e) => e.data.reference);
    await authorizePayment(
      {
        paymentId: order.paymentId,
        orderId: order.orderId,
        checkoutId: order.checkoutId,
        buyerId: buyer.userId,
        amount: { amount: 700, currency: 'EUR' },
        method: { provider: 'SANDBOX', token: 'tok_sandbox_approve' },
        idempotencyKey: `checkout:${order.checkoutId}`,
        splits: [
          { sellerId: sellerA.sellerId, subOrderId: order.subA, amount: { amount: 700, currency: 'EUR' } },
        ],
      },
      lost,
    );
    const held = holds();
    expect(held).toHaveLength(1);
    expect(await paymentRow(order.paymentId)).toMatchObject({ status: 'CREATED', provider_reference: null });

    // The saga gave up and voids: nobody here knows the hold's reference, so the void waits.
    const later = { ...deps, clock: { now: () => new Date(Date.now() + IN_FLIGHT_MS) } };
    await voidPayment(
      { paymentId: order.paymentId, orderId: order.orderId, reason: 'CHECKOUT_TIMEOUT' },
      unitsOf(meta, later),
    );
    expect((await paymentRow(order.paymentId))!.status).toBe('CREATED');
    expect(await sandbox.retrieve(held[0]!)).toMatchObject({ status: 'AUTHORIZED' });

    // Reconciliation makes the call again (same key: the same hold), then releases it. While
    // the provider is still down the payment stays open, to be asked again on the next run.
    authorizeDown = true;
    try {
      await runReconciliation(kit(later), fresh());
    } finally {
      authorizeDown = false;
    }
    expect(await paymentRow(order.paymentId)).toMatchObject({ status: 'CREATED', provider_reference: null });
    await runReconciliation(kit(later), fresh());
    expect(holds()).toEqual(held);
    expect(await paymentRow(order.paymentId)).toMatchObject({
      status: 'VOIDED',
      provider_reference: held[0],
    });
    expect(await sandbox.retrieve(held[0]!)).toMatchObject({ status: 'VOIDED' });
    expect(
      await sql('select reason from payment_void_intent where payment_id = ?', [order.paymentId]),
    ).toEqual([{ reason: 'CHECKOUT_TIMEOUT' }]);
  });

  it('a refused capture commits its void intent with the refusal: a crash before the release leaves it to reconciliation', async () => {
    const order = newOrder();
    await authorize(order, 'tok_sandbox_approve');
    await waitStatus(order.paymentId, 'AUTHORIZED');
    const reference = (await paymentRow(order.paymentId))!.provider_reference as string;
    const meta = { correlationId: newId() };
    let outcomes = 0;
    // The refusal is applied and committed; the process dies before the release starts.
    const outcome = contextOf(meta);
    const dying: PaymentUnits = {
      intent: contextOf(meta),
      outcome: {
        ...outcome,
        transaction: (work) =>
          ++outcomes === 1
            ? outcome.transaction(work)
            : Promise.reject(new Error('process died before the release')),
      },
    };
    captureRefused = true;
    try {
      await capturePayment(order.paymentId, dying);
    } finally {
      captureRefused = false;
    }
    expect((await paymentRow(order.paymentId))!.status).toBe('AUTHORIZED');
    expect(
      await sql('select reason from payment_void_intent where payment_id = ?', [order.paymentId]),
    ).toEqual([{ reason: 'CAPTURE_FAILED' }]);
    await runReconciliation(kit(deps), fresh());
    expect((await paymentRow(order.paymentId))!.status).toBe('VOIDED');
    expect((await sandbox.retrieve(reference)).status).toBe('VOIDED');
    expect(await attemptCount(order.paymentId, 'CAPTURE')).toBe(1);
  });

  it('the guard refuses a provider call made inside a transaction', async () => {
    const provider = providerOf(deps, 'SANDBOX')!;
    const inside = contextOf({ correlationId: newId() }).transaction(async () =>
      ok(await provider.retrieve('sbx_none')),
    );
    await expect(inside).rejects.toBeInstanceOf(ProviderCallInTransactionError);
  });

  it('a capture that keeps ending in PROVIDER_ERROR is retried up to the bound, then left for an operator and reported', async () => {
    const order = newOrder();
    await authorize(order, 'tok_sandbox_approve');
    await waitStatus(order.paymentId, 'AUTHORIZED');
    const bounded = { ...deps, maxProviderErrors: 2 };
    captureBroken = true;
    try {
      await confirmOrder(order);
      await waitFor(async () => (await answeredCount(order.paymentId, 'CAPTURE')) === 1, CONSUMED_MS);
      await runReconciliation(kit(bounded), fresh());
      expect(await attemptCount(order.paymentId, 'CAPTURE')).toBe(2);
      const report = await runReconciliation(kit(bounded), fresh());
      // Not asked a third time: the call waits for an operator, and every report shows it until then.
      expect(await attemptCount(order.paymentId, 'CAPTURE')).toBe(2);
      expect((await paymentRow(order.paymentId))!.status).toBe('AUTHORIZED');
      expect(report.differences).toContainEqual({
        paymentId: order.paymentId,
        providerReference: expect.any(String),
        field: 'retries',
        local: `CAPTURE capture:${order.paymentId}`,
        provider: 'PAYMENT.RETRIES_EXHAUSTED: 2 tries ended in PAYMENT.PROVIDER_ERROR',
      });
    } finally {
      captureBroken = false;
    }
  });

  it('the retries take the calls tried longest ago first: one that failed again moves to the back', async () => {
    const first = newOrder();
    const second = newOrder();
    for (const order of [first, second]) {
      await authorize(order, 'tok_sandbox_approve');
      await waitStatus(order.paymentId, 'AUTHORIZED');
    }
    captureBroken = true;
    try {
      for (const order of [first, second]) {
        await confirmOrder(order);
        await waitFor(async () => (await answeredCount(order.paymentId, 'CAPTURE')) === 1, CONSUMED_MS);
      }
      const queue = async () => {
        const ids = await paymentIdsAwaitingCapture(fresh(), new Date(), 5, 1_000);
        return [first, second].map((o) => ids.indexOf(o.paymentId));
      };
      const [a, b] = await queue();
      expect(a).toBeGreaterThanOrEqual(0);
      expect(a).toBeLessThan(b!);
      // The first is tried again and fails again: now the second comes before it.
      await capturePayment(first.paymentId, unitsOf({ correlationId: newId() }));
      expect(await attemptCount(first.paymentId, 'CAPTURE')).toBe(2);
      const [again, other] = await queue();
      expect(other).toBeGreaterThanOrEqual(0);
      expect(other).toBeLessThan(again!);
    } finally {
      captureBroken = false;
    }
  });
});

describe('void, capture and refunds', () => {
  it('voids an authorized payment on payments.void-payment, once', async () => {
    const order = newOrder();
    await authorize(order, 'tok_sandbox_approve');
    await waitStatus(order.paymentId, 'AUTHORIZED');
    for (let i = 0; i < 2; i++)
      await send(Topics.paymentCommands, 'payments.void-payment', 'Payment', order.paymentId, {
        paymentId: order.paymentId,
        orderId: order.orderId,
        reason: 'compensation',
      });
    await waitStatus(order.paymentId, 'VOIDED');
    await waitFor(
      async () =>
        (await sql("select * from payment where id = ? and status = 'VOIDED'", [order.paymentId])).length ===
        1,
    );
    expect(await replies(order.paymentId, 'payments.payment-voided')).toHaveLength(1);
    expect(await ledgerBalanced()).toBe(true);
  });

  it('voids on orders.order-cancelled when only authorized', async () => {
    const order = newOrder();
    await authorize(order, 'tok_sandbox_approve');
    await waitStatus(order.paymentId, 'AUTHORIZED');
    await send(Topics.order, 'orders.order-cancelled', 'Order', order.orderId, {
      orderId: order.orderId,
      checkoutId: order.checkoutId,
      buyerId: buyer.userId,
      previousStatus: 'CONFIRMED',
      code: 'ORDER.CANCELLED_BY_BUYER',
      message: 'changed my mind',
      paymentId: order.paymentId,
      restock: [],
      version: 3,
    });
    await waitStatus(order.paymentId, 'VOIDED');
  });

  it('captures on order-confirmed, books the ledger, refunds partly then fully, balanced after each step', async () => {
    const order = newOrder();
    await authorize(order, 'tok_sandbox_approve');
    await waitStatus(order.paymentId, 'AUTHORIZED');
    await confirmOrder(order);
    await confirmOrder(order); // a redelivered confirmation captures nothing more
    await waitStatus(order.paymentId, 'CAPTURED');
    // The provider's own "captured" webhook after the synchronous answer: still one capture.
    const reference = (await paymentRow(order.paymentId))!.provider_reference as string;
    await webhook('payment.captured', {
      reference,
      refundId: null,
      amount: 10_001,
      currency: 'EUR',
      declineCode: null,
    });
    await waitFor(
      async () =>
        (await sql('select * from provider_event where payment_id = ?', [order.paymentId])).length === 1,
      CONSUMED_MS,
    );
    expect(await replies(order.paymentId, 'payments.payment-captured')).toHaveLength(1);
    expect(await ledgerBalanced()).toBe(true);

    const entries = await gql(
      `query($o: ID!) { ledgerEntries(orderId: $o) { kind lines { account side amount { amount currency } } } }`,
      { o: order.orderId },
      admin,
    );
    expect(entries.ledgerEntries).toHaveLength(1);
    expect(entries.ledgerEntries[0].lines).toEqual(
      expect.arrayContaining([
        { account: `buyer:${buyer.userId}`, side: 'DEBIT', amount: { amount: 10_001, currency: 'EUR' } },
        {
          account: `seller-payable:${sellerA.sellerId}`,
          side: 'CREDIT',
          amount: { amount: 5_401, currency: 'EUR' },
        },
        {
          account: `seller-payable:${sellerB.sellerId}`,
          side: 'CREDIT',
          amount: { amount: 3_600, currency: 'EUR' },
        },
        { account: 'platform:commission', side: 'CREDIT', amount: { amount: 600, currency: 'EUR' } },
        { account: 'platform:commission', side: 'CREDIT', amount: { amount: 400, currency: 'EUR' } },
      ]),
    );

    // Partial refund of seller A's sub-order, sent twice: one refund.
    const partial = newId();
    await approveRefund(order, partial, 'A', 1_001);
    await approveRefund(order, partial, 'A', 1_001);
    await waitStatus(order.paymentId, 'PARTIALLY_REFUNDED');
    await waitFor(
      async () => (await replies(order.paymentId, 'payments.payment-refunded')).length === 2,
      CONSUMED_MS,
    );
    const refunded = await replies(order.paymentId, 'payments.payment-refunded');
    expect(refunded[0]!.envelope.payload).toMatchObject({
      refundRequestId: partial,
      amount: { amount: 1_001, currency: 'EUR' },
      refundedTotal: { amount: 1_001, currency: 'EUR' },
    });
    expect(refunded[1]!.envelope.payload).toEqual(refunded[0]!.envelope.payload);
    expect(await sql('select * from refund where payment_id = ?', [order.paymentId])).toHaveLength(1);
    expect(await ledgerBalanced()).toBe(true);

    // More than is left is refused with refund-failed, and stored as a failed refund.
    const tooMuch = newId();
    await approveRefund(order, tooMuch, 'B', 4_001);
    await waitFor(
      async () => (await replies(order.paymentId, 'payments.refund-failed')).length === 1,
      CONSUMED_MS,
    );
    expect((await replies(order.paymentId, 'payments.refund-failed'))[0]!.envelope.payload).toMatchObject({
      refundRequestId: tooMuch,
      code: 'REFUND.EXCEEDS_SUB_ORDER',
    });

    // The rest: payment fully refunded, every account of the order back to zero.
    await approveRefund(order, newId(), 'A', 5_000);
    await approveRefund(order, newId(), 'B', 4_000);
    await waitStatus(order.paymentId, 'REFUNDED');
    expect(await ledgerBalanced()).toBe(true);
    const balances = await sql(
      `select account, sum(case side when 'DEBIT' then amount else -amount end)::bigint as net
         from ledger_line l join ledger_entry e on e.id = l.entry_id where e.order_id = ? group by account`,
      [order.orderId],
    );
    expect(balances.every((b) => Number(b.net) === 0)).toBe(true);
  });

  it('a capture that meets a provider outage is retried by reconciliation, once the provider is back', async () => {
    const order = newOrder();
    await authorize(order, 'tok_sandbox_approve');
    await waitStatus(order.paymentId, 'AUTHORIZED');
    captureDown = true;
    try {
      await confirmOrder(order);
      await waitFor(async () => (await attemptCount(order.paymentId, 'CAPTURE')) === 2, CONSUMED_MS);
      expect((await paymentRow(order.paymentId))!.status).toBe('AUTHORIZED');
    } finally {
      captureDown = false;
    }
    const run = `mutation { runReconciliation { __typename } }`;
    expect((await gql(run, {}, admin)).runReconciliation.__typename).toBe('ReconciliationPayload');
    expect((await paymentRow(order.paymentId))!.status).toBe('CAPTURED');
    expect(await replies(order.paymentId, 'payments.payment-captured')).toHaveLength(1);
    expect(await ledgerBalanced()).toBe(true);
  });

  it('a refund that meets a provider outage stays PENDING and is retried by reconciliation, once', async () => {
    const order = newOrder();
    await authorize(order, 'tok_sandbox_approve');
    await waitStatus(order.paymentId, 'AUTHORIZED');
    await confirmOrder(order);
    await waitStatus(order.paymentId, 'CAPTURED');
    const reference = (await paymentRow(order.paymentId))!.provider_reference as string;
    const request = newId();
    const refundAttempts = () => attemptCount(order.paymentId, 'REFUND');
    refundDown = true;
    try {
      await approveRefund(order, request, 'A', 6_001);
      await waitFor(async () => (await refundAttempts()) === 2, CONSUMED_MS);
      // Re-sent approval during the outage: still one refund, tried again with the same key.
      await approveRefund(order, request, 'A', 6_001);
      await waitFor(async () => (await refundAttempts()) === 4, CONSUMED_MS);
      expect(
        await sql('select status, provider_refund_id from refund where payment_id = ?', [order.paymentId]),
      ).toEqual([{ status: 'PENDING', provider_refund_id: null }]);
      expect(
        (
          await sql(
            'select distinct idempotency_key from payment_attempt where payment_id = ? and kind = ?',
            [order.paymentId, 'REFUND'],
          )
        ).map((r) => r.idempotency_key),
      ).toEqual([request]);
      expect((await paymentRow(order.paymentId))!.status).toBe('CAPTURED');
      expect(await replies(order.paymentId, 'payments.payment-refunded')).toHaveLength(0);
      expect(await replies(order.paymentId, 'payments.refund-failed')).toHaveLength(0);
      // Still down: reconciliation tries, keeps it pending.
      await gql(`mutation { runReconciliation { __typename } }`, {}, admin);
      expect(
        (await sql('select status from refund where payment_id = ?', [order.paymentId]))[0]!.status,
      ).toBe('PENDING');
    } finally {
      refundDown = false;
    }
    await gql(`mutation { runReconciliation { __typename } }`, {}, admin);
    await gql(`mutation { runReconciliation { __typename } }`, {}, admin);
    expect((await paymentRow(order.paymentId))!.status).toBe('PARTIALLY_REFUNDED');
    const refunded = await replies(order.paymentId, 'payments.payment-refunded');
    expect(refunded).toHaveLength(1);
    expect(refunded[0]!.envelope.payload).toMatchObject({
      refundRequestId: request,
      amount: { amount: 6_001, currency: 'EUR' },
    });
    expect(
      await sql(`select 1 from ledger_entry where payment_id = ? and kind = 'REFUND'`, [order.paymentId]),
    ).toHaveLength(1);
    expect((await sandbox.retrieve(reference)).amountRefunded).toBe(6_001);
    expect(await ledgerBalanced()).toBe(true);
  });

  it('a void that meets a provider outage is kept and retried by reconciliation', async () => {
    const order = newOrder();
    await authorize(order, 'tok_sandbox_approve');
    await waitStatus(order.paymentId, 'AUTHORIZED');
    const reference = (await paymentRow(order.paymentId))!.provider_reference as string;
    voidDown = true;
    try {
      await send(Topics.paymentCommands, 'payments.void-payment', 'Payment', order.paymentId, {
        paymentId: order.paymentId,
        orderId: order.orderId,
        reason: 'compensation',
      });
      await waitFor(async () => (await attemptCount(order.paymentId, 'VOID')) === 2, CONSUMED_MS);
      expect((await paymentRow(order.paymentId))!.status).toBe('AUTHORIZED');
      expect(await replies(order.paymentId, 'payments.payment-voided')).toHaveLength(0);
      // A capture while the void waits would take money the buyer is getting back: refused.
      await gql(`mutation { runReconciliation { __typename } }`, {}, admin);
      expect((await paymentRow(order.paymentId))!.status).toBe('AUTHORIZED');
    } finally {
      voidDown = false;
    }
    await gql(`mutation { runReconciliation { __typename } }`, {}, admin);
    expect((await paymentRow(order.paymentId))!.status).toBe('VOIDED');
    const voided = await replies(order.paymentId, 'payments.payment-voided');
    expect(voided).toHaveLength(1);
    expect(voided[0]!.envelope.payload).toMatchObject({ paymentId: order.paymentId, reason: 'compensation' });
    expect((await sandbox.retrieve(reference)).status).toBe('VOIDED');
    expect(
      new Set(
        (
          await sql(`select idempotency_key from payment_attempt where payment_id = ? and kind = 'VOID'`, [
            order.paymentId,
          ])
        ).map((r) => r.idempotency_key),
      ),
    ).toEqual(new Set([`void:${order.paymentId}`]));
  });

  it('a capture the provider refuses is final: hold released, VOIDED with CAPTURE_FAILED, never re-captured', async () => {
    const order = newOrder();
    await authorize(order, 'tok_sandbox_approve');
    await waitStatus(order.paymentId, 'AUTHORIZED');
    const reference = (await paymentRow(order.paymentId))!.provider_reference as string;
    captureRefused = true;
    try {
      await confirmOrder(order);
      await waitStatus(order.paymentId, 'VOIDED');
    } finally {
      captureRefused = false;
    }
    const voided = await replies(order.paymentId, 'payments.payment-voided');
    expect(voided).toHaveLength(1);
    expect(voided[0]!.envelope.payload).toMatchObject({ orderId: order.orderId, reason: 'CAPTURE_FAILED' });
    expect((await sandbox.retrieve(reference)).status).toBe('VOIDED');
    await gql(`mutation { runReconciliation { __typename } }`, {}, admin);
    expect(await replies(order.paymentId, 'payments.payment-captured')).toHaveLength(0);
    expect(await attemptCount(order.paymentId, 'CAPTURE')).toBe(1);
    expect(await sql('select * from ledger_entry where payment_id = ?', [order.paymentId])).toHaveLength(0);
  });

  it('a refused capture whose void meets an outage is voided by reconciliation, not re-captured', async () => {
    const order = newOrder();
    await authorize(order, 'tok_sandbox_approve');
    await waitStatus(order.paymentId, 'AUTHORIZED');
    const reference = (await paymentRow(order.paymentId))!.provider_reference as string;
    captureRefused = true;
    voidDown = true;
    try {
      await confirmOrder(order);
      await waitFor(async () => (await attemptCount(order.paymentId, 'VOID')) === 2, CONSUMED_MS);
      expect((await paymentRow(order.paymentId))!.status).toBe('AUTHORIZED');
    } finally {
      captureRefused = false;
      voidDown = false;
    }
    // The provider would now capture: reconciliation must void instead.
    await gql(`mutation { runReconciliation { __typename } }`, {}, admin);
    expect((await paymentRow(order.paymentId))!.status).toBe('VOIDED');
    const voided = await replies(order.paymentId, 'payments.payment-voided');
    expect(voided).toHaveLength(1);
    expect(voided[0]!.envelope.payload).toMatchObject({ reason: 'CAPTURE_FAILED' });
    expect(await attemptCount(order.paymentId, 'CAPTURE')).toBe(1);
    expect((await sandbox.retrieve(reference)).status).toBe('VOIDED');
    expect(await ledgerBalanced()).toBe(true);
  });

  it('converges on out-of-order provider events: captured before authorized ends CAPTURED', async () => {
    const order = newOrder();
    fabricated = order.paymentId;
    await authorize(order, 'tok_sandbox_pending');
    await waitFor(async () => (await paymentRow(order.paymentId))?.provider_reference, CONSUMED_MS);
    const reference = (await paymentRow(order.paymentId))!.provider_reference as string;
    expect((await paymentRow(order.paymentId))!.status).toBe('CREATED');
    await webhook('payment.captured', {
      reference,
      refundId: null,
      amount: 10_001,
      currency: 'EUR',
      declineCode: null,
    });
    await waitStatus(order.paymentId, 'CAPTURED');
    await webhook('payment.authorized', {
      reference,
      refundId: null,
      amount: 10_001,
      currency: 'EUR',
      declineCode: null,
    });
    await waitFor(
      async () =>
        (await sql('select * from provider_event where payment_id = ?', [order.paymentId])).length === 2,
      CONSUMED_MS,
    );
    expect((await paymentRow(order.paymentId))!.status).toBe('CAPTURED');
    // The saga still got its authorization answer, then the capture; each once.
    expect((await replies(order.paymentId)).map((r) => r.type)).toEqual([
      'payments.payment-authorized',
      'payments.payment-captured',
    ]);
    expect(await ledgerBalanced()).toBe(true);
  });

  it("ignores one provider's event that names another provider's payment", async () => {
    const order = newOrder();
    await authorize(order, 'tok_sandbox_pending');
    await waitFor(async () => (await paymentRow(order.paymentId))?.provider_reference, CONSUMED_MS);
    const reference = (await paymentRow(order.paymentId))!.provider_reference as string;
    // As if the payment had gone through Stripe: a sandbox-signed event must not move it.
    await sql(`update payment set provider = 'STRIPE' where id = ?`, [order.paymentId]);
    const message = await webhook('payment.captured', {
      reference,
      refundId: null,
      amount: 10_001,
      currency: 'EUR',
      declineCode: null,
    });
    await waitFor(
      async () => (await sql('select 1 from inbox where message_id = ?', [message.id])).length === 1,
      CONSUMED_MS,
    );
    expect((await paymentRow(order.paymentId))!.status).toBe('CREATED');
    expect(await sql('select * from provider_event where payment_id = ?', [order.paymentId])).toHaveLength(0);
  });

  it('skips provider events for unknown payments, storing nothing', async () => {
    const reference = `sbx_${newId()}`;
    const message = await webhook('payment.captured', {
      reference,
      refundId: null,
      amount: 1,
      currency: 'EUR',
      declineCode: null,
    });
    // Consumed (its inbox record committed) without any effect.
    await waitFor(
      async () => (await sql('select 1 from inbox where message_id = ?', [message.id])).length === 1,
      CONSUMED_MS,
    );
    expect(
      await sql('select * from provider_event where provider_event_id = ?', [
        (message.payload as { providerEventId: string }).providerEventId,
      ]),
    ).toHaveLength(0);
  });
});

describe('storage', () => {
  it("keeps every closed set's CHECK equal to the domain's set", async () => {
    const checked: [string, string, readonly string[]][] = [
      ['payment', 'status', PAYMENT_STATUS.values],
      ['payment', 'provider', PROVIDER_KIND.values],
      ['payment_attempt', 'kind', ATTEMPT_KIND.values],
      ['payment_attempt', 'outcome', ATTEMPT_OUTCOME.values],
      ['refund', 'status', REFUND_STATUS.values],
      ['ledger_entry', 'kind', ENTRY_KIND.values],
      ['ledger_line', 'side', LEDGER_SIDE.values],
      ['provider_event', 'provider', PROVIDER_KIND.values],
      ['provider_event', 'kind', PROVIDER_EVENT_KIND.values],
    ];
    for (const [table, column, values] of checked)
      expect({ table, column, values: await sut.checkedValues(table, column) }).toEqual({
        table,
        column,
        values: [...values],
      });
  });

  it("keeps the fields a reconciliation report's differences may name equal to the set", async () => {
    const [constraint] = await sql(
      `select pg_get_constraintdef(oid) as definition from pg_constraint
        where conname = 'reconciliation_report_differences_check'`,
    );
    const listed = /'(\[[^']*\])'::jsonb/.exec(String(constraint?.definition))?.[1];
    expect(listed && JSON.parse(listed)).toEqual([...DIFFERENCE_FIELD.values]);
    const difference = { paymentId: newId(), providerReference: 'ref', local: 'a', provider: 'b' };
    const store = (differences: unknown[]) =>
      sql(
        `insert into reconciliation_report (id, ran_at, checked, differences) values (?, now(), 1, ?::jsonb)`,
        [newId(), JSON.stringify(differences)],
      );
    await expect(store([{ ...difference, field: 'retries' }])).resolves.toBeDefined();
    await expect(store([{ ...difference, field: 'amount' }])).rejects.toThrow(/differences_check/);
    await expect(store([{ ...difference, field: 'status' }, difference])).rejects.toThrow(
      /differences_check/,
    );
  });
});

describe('ledger storage', () => {
  it('the database refuses an unbalanced journal entry at commit', async () => {
    const em = service.orm.em.fork();
    const paymentId = (await sql('select id from payment limit 1'))[0]!.id as string;
    const entryId = newId();
    await expect(
      em.transactional(async (tx) => {
        await tx.execute(
          `insert into ledger_entry (id, reference, kind, payment_id, order_id, posted_at) values (?, ?, 'CAPTURE', ?, ?, now())`,
          [entryId, `test:${entryId}`, paymentId, newId()],
        );
        await tx.execute(
          `insert into ledger_line (entry_id, account, side, amount, currency) values (?, 'a', 'DEBIT', 100, 'EUR'), (?, 'b', 'CREDIT', 99, 'EUR')`,
          [entryId, entryId],
        );
      }),
    ).rejects.toThrow(/not balanced/);
    expect(await sql('select * from ledger_entry where id = ?', [entryId])).toHaveLength(0);
  });
});

describe('GraphQL', () => {
  let order: Order;
  beforeAll(async () => {
    order = newOrder();
    await authorize(order, 'tok_sandbox_approve');
    await waitStatus(order.paymentId, 'AUTHORIZED');
  });

  const PAYMENT = `query($id: ID!) { payment(id: $id) { id status amount { amount currency } attempts { kind outcome } } }`;

  it('shows the payment to its buyer and an admin only', async () => {
    expect((await gql(PAYMENT, { id: order.paymentId }, buyer)).payment).toMatchObject({
      id: order.paymentId,
      status: 'AUTHORIZED',
      attempts: [{ kind: 'AUTHORIZE', outcome: 'SUCCEEDED' }],
    });
    expect((await gql(PAYMENT, { id: order.paymentId }, admin)).payment.id).toBe(order.paymentId);
    expect((await gql(PAYMENT, { id: order.paymentId }, otherBuyer)).payment).toBeNull();
    expect((await gql(PAYMENT, { id: order.paymentId }, sellerA)).payment).toBeNull();
    expect((await gql(PAYMENT, { id: order.paymentId })).payment).toBeNull();
  });

  it('contributes Order.payment through the entity reference', async () => {
    const q = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Order { id payment { id status } } } }`;
    const r = [{ __typename: 'Order', id: order.orderId }];
    expect((await gql(q, { r }, buyer))._entities).toEqual([
      { id: order.orderId, payment: { id: order.paymentId, status: 'AUTHORIZED' } },
    ]);
    expect((await gql(q, { r }, otherBuyer))._entities).toEqual([{ id: order.orderId, payment: null }]);
  });

  it('refuses the ledger and reconciliation to non-admins', async () => {
    expect((await gql('{ ledgerBalances { balanced } }', {}, buyer)).ledgerBalances).toBeNull();
    expect((await gql('{ ledgerBalances { balanced } }', {}, sellerA)).ledgerBalances).toBeNull();
    expect(
      (await gql(`query($o: ID!) { ledgerEntries(orderId: $o) { id } }`, { o: order.orderId }, sellerA))
        .ledgerEntries,
    ).toEqual([]);
    expect((await gql('{ reconciliationReports { id } }', {}, buyer)).reconciliationReports).toEqual([]);
    const run = `mutation { runReconciliation { __typename ... on ErrorResult { code } } }`;
    expect((await gql(run, {}, buyer)).runReconciliation).toEqual({
      __typename: 'ErrorResult',
      code: 'AUTH.FORBIDDEN',
    });
    expect((await gql(run)).runReconciliation).toEqual({
      __typename: 'ErrorResult',
      code: 'AUTH.UNAUTHENTICATED',
    });
    expect((await gql('{ myPayoutBalance { sellerId } }', {}, buyer)).myPayoutBalance).toBeNull();
  });

  it('gives admins balanced ledger balances, sellers their payable, and runs reconciliation', async () => {
    expect(
      (await gql('{ ledgerBalances { balanced accounts { account balance } } }', {}, admin)).ledgerBalances
        .balanced,
    ).toBe(true);
    const payout = (await gql('{ myPayoutBalance { sellerId balances { amount currency } } }', {}, sellerA))
      .myPayoutBalance;
    expect(payout.sellerId).toBe(sellerA.sellerId);
    const run = `mutation { runReconciliation { __typename ... on ReconciliationPayload { report { checked differences { paymentId field } } } } }`;
    const result = (await gql(run, {}, admin)).runReconciliation;
    expect(result.__typename).toBe('ReconciliationPayload');
    expect(result.report.checked).toBeGreaterThan(0);
    // The sandbox agrees with local state, except for the payment whose webhooks the test invented:
    // the sandbox never captured it, and reconciliation says so.
    expect(result.report.differences).toEqual(
      expect.arrayContaining([
        { paymentId: fabricated, field: 'status' },
        { paymentId: fabricated, field: 'capturedAmount' },
      ]),
    );
    expect(result.report.differences.every((d: { paymentId: string }) => d.paymentId === fabricated)).toBe(
      true,
    );
    expect(
      (await gql('{ reconciliationReports(first: 1) { checked } }', {}, admin)).reconciliationReports,
    ).toHaveLength(1);
  });
});
