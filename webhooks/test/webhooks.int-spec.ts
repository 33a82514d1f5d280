import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHmac } from 'node:crypto';
import Stripe from 'stripe';
import Razorpay from 'razorpay';
import { createKafka, loadConfig, type EntityManager } from '@marketplace/platform';
import { uniqueSuffix, waitFor } from '@marketplace/platform/testing';
import { Topics, type EventEnvelope } from '@marketplace/event-contracts';
import { startWebhookSidecar, type WebhookSidecar } from '../src/service.js';

// Real Postgres + Kafka: the sidecar is started as in production, on a throwaway database.
const STRIPE_SECRET = 'whsec_test_stripe_secret';
const RAZORPAY_SECRET = 'razorpay_test_webhook_secret';
const SANDBOX_SECRET = 'whsec_test_sandbox_secret';
const suffix = uniqueSuffix();
const config = loadConfig();

let sidecar: WebhookSidecar;
const consumed: { key: string; envelope: EventEnvelope<Record<string, unknown>> }[] = [];
const kafka = createKafka(`webhooks-test-${suffix}`, config.kafkaBrokers);
const consumer = kafka.consumer({ groupId: `webhooks-test-${suffix}` });

const post = (path: string, body: string, headers: Record<string, string>) =>
  fetch(`${sidecar.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });

const stripeEvent = (n: string, objectId = `pi_${suffix}_${n}`) =>
  JSON.stringify({
    id: `evt_${suffix}_${n}`,
    object: 'event',
    type: 'payment_intent.succeeded',
    created: Math.floor(Date.now() / 1000),
    data: { object: { id: objectId, object: 'payment_intent', amount: 1500, currency: 'usd' } },
  });
const stripeHeader = (payload: string, secret = STRIPE_SECRET, timestamp?: number) =>
  Stripe.webhooks.generateTestHeaderString({ payload, secret, ...(timestamp ? { timestamp } : {}) });

const em = () => sidecar.orm.em.fork() as EntityManager;
async function storedCount(providerEventId: string): Promise<number> {
  const rows = await em().execute<{ n: string }[]>(
    'select count(*)::text as n from webhook_event where provider_event_id = ?',
    [providerEventId],
  );
  return Number(rows[0]!.n);
}
async function outboxCount(): Promise<number> {
  const rows = await em().execute<{ n: string }[]>('select count(*)::text as n from outbox');
  return Number(rows[0]!.n);
}
const published = (providerEventId: string) =>
  consumed.filter((m) => m.envelope.payload.providerEventId === providerEventId);

beforeAll(async () => {
  sidecar = await startWebhookSidecar({
    postgresUrl: config.postgresUrl,
    dbName: `mp_webhooks_test_${suffix}`,
    kafkaBrokers: config.kafkaBrokers,
    port: 0,
    host: '127.0.0.1',
    relayIdleDelayMs: 50,
    secrets: { stripe: STRIPE_SECRET, razorpay: RAZORPAY_SECRET, sandbox: SANDBOX_SECRET },
  });
  await consumer.connect();
  await consumer.subscribe({ topic: Topics.providerEvent, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const envelope = JSON.parse(message.value!.toString()) as EventEnvelope<Record<string, unknown>>;
      if (String(envelope.payload.providerEventId).includes(suffix)) {
        consumed.push({ key: message.key!.toString(), envelope });
      }
    },
  });
});

afterAll(async () => {
  await consumer.disconnect();
  await sidecar?.close();
});

describe('webhook sidecar', () => {
  it('stores a signed Stripe event once and publishes it once, even when posted 20 times concurrently', async () => {
    const payload = stripeEvent('dup');
    const header = stripeHeader(payload);
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => post('/webhooks/stripe', payload, { 'stripe-signature': header })),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200));
    const bodies = (await Promise.all(responses.map((r) => r.json()))) as { duplicate?: boolean }[];
    expect(bodies.filter((b) => !b.duplicate)).toHaveLength(1);
    expect(bodies.filter((b) => b.duplicate === true)).toHaveLength(19);
    expect(await storedCount(`evt_${suffix}_dup`)).toBe(1);

    await waitFor(() => published(`evt_${suffix}_dup`).length > 0, 20_000);
    // Give a second publication the time to show up, if there were one.
    await new Promise((r) => setTimeout(r, 1_500));
    const messages = published(`evt_${suffix}_dup`);
    expect(messages).toHaveLength(1);
    expect(messages[0]!.key).toBe(`stripe:pi_${suffix}_dup`);
    expect(messages[0]!.envelope.type).toBe('webhooks.provider-event-received');
    expect(messages[0]!.envelope.payload).toMatchObject({
      provider: 'stripe',
      providerEventId: `evt_${suffix}_dup`,
      eventType: 'payment_intent.succeeded',
      objectId: `pi_${suffix}_dup`,
      payload: JSON.parse(payload),
    });
  });

  it('refuses forged, re-signed, stale, future-dated and unsigned Stripe events with 400 and stores nothing', async () => {
    await sidecar.relay.drain();
    const outboxBefore = await outboxCount();
    const original = stripeEvent('forged');
    const header = stripeHeader(original);
    // One changed byte: the amount 1500 becomes 9500.
    const tampered = original.replace('"amount":1500', '"amount":9500');
    expect(tampered).not.toBe(original);

    const cases: [string, Record<string, string>, string][] = [
      [tampered, { 'stripe-signature': header }, 'WEBHOOK.SIGNATURE_INVALID'],
      [original, { 'stripe-signature': stripeHeader(original, 'whsec_wrong') }, 'WEBHOOK.SIGNATURE_INVALID'],
      [
        original,
        { 'stripe-signature': stripeHeader(original, STRIPE_SECRET, Math.floor(Date.now() / 1000) - 301) },
        'WEBHOOK.SIGNATURE_INVALID',
      ],
      [
        original,
        { 'stripe-signature': stripeHeader(original, STRIPE_SECRET, Math.floor(Date.now() / 1000) + 86_400) },
        'WEBHOOK.SIGNATURE_INVALID',
      ],
      [original, {}, 'WEBHOOK.SIGNATURE_MISSING'],
    ];
    for (const [body, headers, code] of cases) {
      const res = await post('/webhooks/stripe', body, headers);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: code });
    }
    expect(await storedCount(`evt_${suffix}_forged`)).toBe(0);
    expect(await outboxCount()).toBe(outboxBefore);
    await new Promise((r) => setTimeout(r, 500));
    expect(published(`evt_${suffix}_forged`)).toHaveLength(0);
  });

  it('accepts a header with several v1 signatures when one of them is valid', async () => {
    const payload = stripeEvent('rolled');
    const [t, v1] = stripeHeader(payload).split(',');
    const header = `${t},v1=${'0'.repeat(64)},${v1}`;
    const res = await post('/webhooks/stripe', payload, { 'stripe-signature': header });
    expect(res.status).toBe(200);
    expect(await storedCount(`evt_${suffix}_rolled`)).toBe(1);
  });

  it('accepts a Razorpay event signed with HMAC-SHA256 hex of the secret and refuses a wrong signature', async () => {
    const payload = JSON.stringify({
      entity: 'event',
      account_id: 'acc_test',
      event: 'payment.captured',
      contains: ['payment'],
      payload: {
        payment: { entity: { id: `pay_${suffix}`, amount: 1500, currency: 'INR', status: 'captured' } },
      },
      created_at: Math.floor(Date.now() / 1000),
    });
    const signature = createHmac('sha256', RAZORPAY_SECRET).update(payload).digest('hex');
    // The same check the official SDK performs.
    expect(Razorpay.validateWebhookSignature(payload, signature, RAZORPAY_SECRET)).toBe(true);

    const wrong = createHmac('sha256', 'not-the-secret').update(payload).digest('hex');
    const refused = await post('/webhooks/razorpay', payload, {
      'x-razorpay-signature': wrong,
      'x-razorpay-event-id': `rzp_evt_${suffix}_bad`,
    });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: 'WEBHOOK.SIGNATURE_INVALID' });
    expect(await storedCount(`rzp_evt_${suffix}_bad`)).toBe(0);

    const accepted = await post('/webhooks/razorpay', payload, {
      'x-razorpay-signature': signature,
      'x-razorpay-event-id': `rzp_evt_${suffix}`,
    });
    expect(accepted.status).toBe(200);
    await waitFor(() => published(`rzp_evt_${suffix}`).length > 0, 20_000);
    expect(published(`rzp_evt_${suffix}`)[0]!.key).toBe(`razorpay:pay_${suffix}`);
  });

  it('accepts a sandbox event signed in Stripe format with the sandbox secret', async () => {
    const payload = JSON.stringify({
      id: `evt_sbx_${suffix}`,
      type: 'payment.captured',
      created: Math.floor(Date.now() / 1000),
      data: { reference: `sbx_${suffix}`, refundId: null, amount: 1500, currency: 'USD', declineCode: null },
    });
    const header = Stripe.webhooks.generateTestHeaderString({ payload, secret: SANDBOX_SECRET });
    const res = await post('/webhooks/sandbox', payload, { 'sandbox-signature': header });
    expect(res.status).toBe(200);
    const wrong = await post('/webhooks/sandbox', payload, { 'sandbox-signature': stripeHeader(payload) });
    expect(wrong.status).toBe(400);
    await waitFor(() => published(`evt_sbx_${suffix}`).length > 0, 20_000);
    expect(published(`evt_sbx_${suffix}`)[0]!.key).toBe(`sandbox:sbx_${suffix}`);
  });

  it('answers health and readiness', async () => {
    expect((await fetch(`${sidecar.url}/health`)).status).toBe(200);
    expect((await fetch(`${sidecar.url}/ready`)).status).toBe(200);
  });
});

describe('graceful stop', () => {
  it('answers readiness 503 while draining, then answers the webhooks in flight and publishes every one it acknowledged', async () => {
    sidecar.beginDrain();
    const ready = await fetch(`${sidecar.url}/ready`);
    expect(ready.status).toBe(503);
    // Still served while the load balancer notices, each answer closing its connection.
    const early = stripeEvent('drain-early');
    const served = await post('/webhooks/stripe', early, { 'stripe-signature': stripeHeader(early) });
    expect(served.status).toBe(200);
    expect(served.headers.get('connection')).toBe('close');

    // Twenty deliveries, the stop called once the server has read all of them.
    let received = 0;
    const allReceived = new Promise<void>((resolve) =>
      sidecar.app.server.on('request', () => ++received === 20 && resolve()),
    );
    const ids = Array.from({ length: 20 }, (_, i) => `drain-${i}`);
    const answers = Promise.all(
      ids.map((n) => {
        const payload = stripeEvent(n);
        return post('/webhooks/stripe', payload, { 'stripe-signature': stripeHeader(payload) }).then(
          (res) => res.status,
          (error: Error) => error.message,
        );
      }),
    );
    await allReceived;
    await sidecar.close();
    expect(await answers).toEqual(ids.map(() => 200));
    // The relay's last flush sent them before close() resolved: nothing waits for a next start.
    await waitFor(() => ids.every((n) => published(`evt_${suffix}_${n}`).length > 0), 20_000);
  });
});
