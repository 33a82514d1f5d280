import { describe, expect, it } from '@jest/globals';
import Stripe from 'stripe';
import { createLogger, ServiceMetrics } from '@marketplace/platform';
import type { ReceivedEvent } from './persistence.js';
import { BODY_LIMIT_BYTES, buildWebhookServer, type WebhookSecrets } from './server.js';

// The HTTP edge with an in-memory store behind the `record` port; the database path is covered by
// test/webhooks.int-spec.ts.
function server(secrets: WebhookSecrets, metrics?: ServiceMetrics) {
  const stored = new Map<string, ReceivedEvent>();
  const app = buildWebhookServer({
    ...(metrics ? { metrics } : {}),
    secrets,
    logger: createLogger('webhooks-spec'),
    record: async (event) => {
      const key = `${event.provider}:${event.providerEventId}`;
      if (stored.has(key)) return { stored: false };
      stored.set(key, event);
      return { stored: true };
    },
    checkReady: async () => {},
  });
  return { app, stored };
}

const payload = JSON.stringify({
  id: 'evt_1',
  type: 'payment_intent.canceled',
  data: { object: { id: 'pi_1', object: 'payment_intent' } },
});

describe('webhook server', () => {
  it('answers 503 WEBHOOK.PROVIDER_NOT_CONFIGURED for a provider without a secret', async () => {
    const { app, stored } = server({ stripe: 'whsec_a' });
    const res = await app.inject({
      method: 'POST',
      url: '/webhooks/razorpay',
      payload,
      headers: { 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ error: 'WEBHOOK.PROVIDER_NOT_CONFIGURED' });
    expect(stored.size).toBe(0);
  });

  it('verifies the exact bytes whatever the content type, and answers duplicates with duplicate:true', async () => {
    const { app, stored } = server({ stripe: 'whsec_a' });
    const header = Stripe.webhooks.generateTestHeaderString({ payload, secret: 'whsec_a' });
    const send = () =>
      app.inject({
        method: 'POST',
        url: '/webhooks/stripe',
        payload,
        headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': header },
      });
    const first = await send();
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ received: true });
    const again = await send();
    expect(again.json()).toEqual({ received: true, duplicate: true });
    expect([...stored.values()][0]).toMatchObject({
      provider: 'stripe',
      messageKey: 'stripe:pi_1',
      objectId: 'pi_1',
    });
  });

  it('refuses a signed event without an id and a body over 1 MB', async () => {
    const { app, stored } = server({ sandbox: 'whsec_s' });
    const noId = JSON.stringify({ type: 'payment.captured', data: { reference: 'r' } });
    const res = await app.inject({
      method: 'POST',
      url: '/webhooks/sandbox',
      payload: noId,
      headers: {
        'sandbox-signature': Stripe.webhooks.generateTestHeaderString({ payload: noId, secret: 'whsec_s' }),
      },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'WEBHOOK.PAYLOAD_INVALID' });
    const big = await app.inject({
      method: 'POST',
      url: '/webhooks/sandbox',
      payload: 'x'.repeat(BODY_LIMIT_BYTES + 1),
      headers: { 'content-type': 'text/plain', 'sandbox-signature': 't=1,v1=00' },
    });
    expect(big.statusCode).toBe(413);
    expect(stored.size).toBe(0);
  });

  it('answers health and readiness', async () => {
    const { app } = server({});
    expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/ready' })).json()).toEqual({ status: 'ready' });
  });

  it('serves /metrics with webhook requests timed by outcome', async () => {
    const metrics = new ServiceMetrics('webhooks', { processMetrics: false });
    const { app } = server({ stripe: 'whsec_a' }, metrics);
    const header = Stripe.webhooks.generateTestHeaderString({ payload, secret: 'whsec_a' });
    const post = (signature: string) =>
      app.inject({
        method: 'POST',
        url: '/webhooks/stripe',
        payload,
        headers: { 'content-type': 'application/json', 'stripe-signature': signature },
      });
    expect((await post(header)).statusCode).toBe(200);
    expect((await post('t=1,v1=forged')).statusCode).toBe(400);
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    const count = (outcome: string) =>
      new RegExp(
        `^request_duration_seconds_count\\{[^}]*operation_type="webhook",outcome="${outcome}"[^}]*\\} (\\d+)$`,
        'm',
      ).exec(res.body)?.[1];
    expect(count('ok')).toBe('1');
    expect(count('refused')).toBe('1');
    // Health probes are not webhook traffic.
    await app.inject({ method: 'GET', url: '/health' });
    const again = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(again.match(/^request_duration_seconds_count\{/gm)).toHaveLength(2);
  });
});
