import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import Stripe from 'stripe';
import { Money } from '@marketplace/shared-kernel';
import { ProviderUnavailableError } from '../../application/ports.js';
import { createSandboxProvider, sandboxSignature } from './sandbox.js';

const eur = (amount: number) => Money.from(amount, 'EUR');
const received: { headers: Record<string, unknown>; body: string }[] = [];
let server: Server;
let url = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}/webhooks/sandbox`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('sandbox provider', () => {
  it('approves, captures and refunds with deterministic tokens; idempotency keys return the first answer', async () => {
    const sandbox = createSandboxProvider();
    const input = {
      paymentId: 'p',
      amount: eur(1_000),
      token: 'tok_sandbox_approve',
      idempotencyKey: 'k1',
      description: 'd',
    };
    const auth = await sandbox.authorize(input);
    expect(auth).toMatchObject({ status: 'AUTHORIZED', declineCode: null });
    expect(await sandbox.authorize(input)).toEqual(auth);
    expect(
      await sandbox.authorize({ ...input, token: '4242424242424242', idempotencyKey: 'k2' }),
    ).toMatchObject({ status: 'AUTHORIZED' });
    const ref = auth.providerReference;
    expect(
      await sandbox.capture({ providerReference: ref, amount: eur(1_000), idempotencyKey: 'c' }),
    ).toEqual({ status: 'CAPTURED', message: null });
    const refund = await sandbox.refund({ providerReference: ref, amount: eur(400), idempotencyKey: 'r1' });
    expect(refund.status).toBe('SUCCEEDED');
    expect(await sandbox.refund({ providerReference: ref, amount: eur(400), idempotencyKey: 'r1' })).toEqual(
      refund,
    );
    expect(
      await sandbox.refund({ providerReference: ref, amount: eur(601), idempotencyKey: 'r2' }),
    ).toMatchObject({ status: 'FAILED' });
    expect(await sandbox.retrieve(ref)).toEqual({
      providerReference: ref,
      status: 'CAPTURED',
      amountCaptured: 1_000,
      amountRefunded: 400,
      currency: 'EUR',
    });
    expect(sandbox.events.map((e) => e.type)).toEqual([
      'payment.authorized',
      'payment.authorized',
      'payment.captured',
      'refund.succeeded',
    ]);
  });

  it('declines the decline cards with their codes, and throws ProviderUnavailableError when told to', async () => {
    const sandbox = createSandboxProvider();
    const auth = (token: string) =>
      sandbox.authorize({ paymentId: 'p', amount: eur(1), token, idempotencyKey: token, description: 'd' });
    expect(await auth('tok_sandbox_decline')).toMatchObject({
      status: 'DECLINED',
      declineCode: 'card_declined',
    });
    expect(await auth('4000000000000002')).toMatchObject({
      status: 'DECLINED',
      declineCode: 'card_declined',
    });
    expect(await auth('4000000000009995')).toMatchObject({
      status: 'DECLINED',
      declineCode: 'insufficient_funds',
    });
    await expect(auth('tok_sandbox_unavailable')).rejects.toBeInstanceOf(ProviderUnavailableError);
  });

  it('voids an authorization', async () => {
    const sandbox = createSandboxProvider();
    const { providerReference } = await sandbox.authorize({
      paymentId: 'p',
      amount: eur(5),
      token: 'tok_sandbox_approve',
      idempotencyKey: 'v',
      description: 'd',
    });
    await sandbox.void({ providerReference, idempotencyKey: 'void' });
    expect((await sandbox.retrieve(providerReference)).status).toBe('VOIDED');
  });

  it('posts Stripe-style signed webhooks that verify, and normalises its own events', async () => {
    const secret = 'whsec_test';
    const sandbox = createSandboxProvider({ webhookUrl: url, webhookSecret: secret });
    const { providerReference } = await sandbox.authorize({
      paymentId: 'p',
      amount: eur(700),
      token: 'tok_sandbox_approve',
      idempotencyKey: 'w',
      description: 'd',
    });
    const delivery = await (async () => {
      for (let i = 0; i < 100 && received.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      return received[0]!;
    })();
    const header = String(delivery.headers['sandbox-signature']);
    const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header)!;
    expect(createHmac('sha256', secret).update(`${t}.${delivery.body}`).digest('hex')).toBe(v1);
    expect(sandboxSignature(delivery.body, secret, Number(t))).toBe(header);
    // The sidecar checks it with the Stripe SDK, exactly as a Stripe webhook.
    expect(new Stripe('sk_test_sandbox').webhooks.constructEvent(delivery.body, header, secret).id).toMatch(
      /^evt_sbx_/,
    );
    const event = JSON.parse(delivery.body) as { id: string; type: string };
    expect(event).toMatchObject({
      type: 'payment.authorized',
      data: { reference: providerReference, amount: 700, currency: 'EUR', refundId: null, declineCode: null },
    });
    expect(event.id).toMatch(/^evt_sbx_/);
    expect(
      sandbox.normaliseEvent({ providerEventId: event.id, eventType: event.type, payload: { ...event } }),
    ).toEqual({
      provider: 'SANDBOX',
      providerEventId: event.id,
      kind: 'AUTHORIZED',
      providerReference,
      providerRefundId: null,
      amount: eur(700),
      declineCode: null,
    });
    expect(
      sandbox.normaliseEvent({ providerEventId: 'x', eventType: 'something.else', payload: {} }).kind,
    ).toBe('IGNORED');
  });
});
