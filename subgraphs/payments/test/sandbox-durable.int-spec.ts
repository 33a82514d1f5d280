import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Money, newId } from '@marketplace/shared-kernel';
import { Topics } from '@marketplace/event-contracts';
import { createOrm, loadConfig, migrate, type Orm } from '@marketplace/platform';
import { uniqueSuffix, useSubgraph, waitFor } from '@marketplace/platform/testing';
import { createPaymentsService } from '../src/service.js';
import { paymentMigrations } from '../src/adapters/persistence/payments.schema.js';
import { postgresSandboxStore } from '../src/adapters/persistence/sandbox-pg-store.js';
import { createSandboxProvider } from '../src/adapters/providers/sandbox.js';

const eur = (amount: number) => Money.from(amount, 'EUR');
const dbName = `mp_test_payments_sandbox_${uniqueSuffix()}`;
const open = async () => {
  const orm = await createOrm({
    postgresUrl: loadConfig(process.env).postgresUrl,
    dbName,
    entities: [],
    migrations: paymentMigrations,
  });
  await migrate(orm);
  return orm;
};
/** A payments process: its own ORM and a sandbox over it. */
const boot = async () => {
  const orm = await open();
  return { orm, sandbox: createSandboxProvider({ store: postgresSandboxStore(() => orm) }) };
};

let first: Orm | undefined;
let second: Orm | undefined;
afterAll(async () => {
  await first?.close(true);
  await second?.close(true);
});

describe('sandbox state in Postgres', () => {
  let reference = '';
  const authorizeInput = {
    paymentId: 'p1',
    amount: eur(2_500),
    token: 'tok_sandbox_approve',
    idempotencyKey: 'auth-key-1',
    description: 'order 1',
  };
  let firstAnswer: Awaited<ReturnType<ReturnType<typeof createSandboxProvider>['authorize']>>;

  beforeAll(async () => {
    const before = await boot();
    first = before.orm;
    firstAnswer = await before.sandbox.authorize(authorizeInput);
    reference = firstAnswer.providerReference;
    // The process goes away; its memory with it.
    await first.close(true);
    first = undefined;
  });

  it('captures and retrieves, after a restart, a payment authorized before it', async () => {
    const after = await boot();
    second = after.orm;
    expect(firstAnswer.status).toBe('AUTHORIZED');
    expect(await after.sandbox.retrieve(reference)).toMatchObject({
      status: 'AUTHORIZED',
      amountCaptured: 0,
    });
    expect(
      await after.sandbox.capture({
        providerReference: reference,
        amount: eur(2_500),
        idempotencyKey: 'cap-1',
      }),
    ).toEqual({ status: 'CAPTURED', message: null });
    expect(await after.sandbox.retrieve(reference)).toEqual({
      providerReference: reference,
      status: 'CAPTURED',
      amountCaptured: 2_500,
      amountRefunded: 0,
      currency: 'EUR',
    });
    const refund = await after.sandbox.refund({
      providerReference: reference,
      amount: eur(1_000),
      idempotencyKey: 'ref-1',
    });
    expect(refund.status).toBe('SUCCEEDED');
    // Yet another restart: the refund answer and the refunded amount are kept too.
    const again = createSandboxProvider({ store: postgresSandboxStore(() => after.orm) });
    expect(
      await again.refund({ providerReference: reference, amount: eur(1_000), idempotencyKey: 'ref-1' }),
    ).toEqual(refund);
    expect(await again.retrieve(reference)).toMatchObject({ amountCaptured: 2_500, amountRefunded: 1_000 });
  });

  it('answers an idempotency key replayed after a restart with the stored result, doing nothing twice', async () => {
    const after = createSandboxProvider({ store: postgresSandboxStore(() => second!) });
    expect(await after.authorize(authorizeInput)).toEqual(firstAnswer);
    expect(
      await after.capture({ providerReference: reference, amount: eur(2_500), idempotencyKey: 'cap-1' }),
    ).toEqual({ status: 'CAPTURED', message: null });
    // Nothing happened again: no new state change, so no webhook.
    expect(after.events).toEqual([]);
    const rows = await second!.em
      .fork()
      .execute<{ count: string }[]>('select count(*) as count from sandbox_payment');
    expect(Number(rows[0]?.count)).toBe(1);
  });

  it('keeps its writes when the caller rolls back: the processor is external', async () => {
    const sandbox = createSandboxProvider({ store: postgresSandboxStore(() => second!) });
    let reference2 = '';
    await expect(
      second!.em.fork().transactional(async () => {
        const auth = await sandbox.authorize({ ...authorizeInput, idempotencyKey: 'auth-key-rolled-back' });
        reference2 = auth.providerReference;
        throw new Error('the payment transaction fails after the provider answered');
      }),
    ).rejects.toThrow('the payment transaction fails');
    expect(await sandbox.retrieve(reference2)).toMatchObject({ status: 'AUTHORIZED', amountCaptured: 0 });
  });
});

describe('the payments service restarted', () => {
  // The consumers first work through whatever other runs left on the shared topics.
  const CONSUMED_MS = 30_000;
  const env = { ...process.env, PAYMENTS_SANDBOX_ENABLED: 'true', PAYMENTS_RECONCILE_INTERVAL_MS: '3600000' };
  // A new definition (and env-built sandbox) per start, as a new process would build.
  const sut = useSubgraph(() => createPaymentsService(env));

  it('captures, with the env-built sandbox, a payment authorized before the restart', async () => {
    const paymentId = newId();
    const orderId = newId();
    const buyerId = newId();
    const sellerId = newId();
    const subOrderId = newId();
    const status = async () =>
      (
        await sut.sql<{ status: string; captured_amount: string }>(
          'select status, captured_amount from payment where id = ?',
          [paymentId],
        )
      )[0];
    const send = (topic: string, type: string, aggregateType: string, key: string, payload: object) =>
      sut.send(`${type}@1`, payload, { aggregateType, aggregateId: key, topic });

    await send(Topics.paymentCommands, 'payments.authorize-payment', 'Payment', paymentId, {
      paymentId,
      orderId,
      checkoutId: newId(),
      buyerId,
      amount: { amount: 4_321, currency: 'EUR' },
      method: { provider: 'SANDBOX', token: 'tok_sandbox_approve' },
      idempotencyKey: `checkout:${paymentId}`,
      splits: [{ sellerId, subOrderId, amount: { amount: 4_321, currency: 'EUR' } }],
    });
    await waitFor(async () => (await status())?.status === 'AUTHORIZED', CONSUMED_MS);
    await sut.restart();
    await send(Topics.order, 'orders.order-confirmed', 'Order', orderId, {
      orderId,
      checkoutId: newId(),
      buyerId,
      paymentId,
      currency: 'EUR',
      total: { amount: 4_321, currency: 'EUR' },
      discountTotal: { amount: 0, currency: 'EUR' },
      subOrders: [{ subOrderId, sellerId, total: { amount: 4_321, currency: 'EUR' } }],
      version: 2,
    });
    await waitFor(async () => (await status())?.status === 'CAPTURED', CONSUMED_MS);
    expect(Number((await status())?.captured_amount)).toBe(4_321);
  }, 90_000);
});
