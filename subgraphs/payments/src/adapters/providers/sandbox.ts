import { createHmac, randomUUID } from 'node:crypto';
import { Money } from '@marketplace/shared-kernel';
import {
  ProviderUnavailableError,
  type NormalisedProviderEvent,
  type PaymentProvider,
} from '../../application/ports.js';
import { inMemorySandboxStore, type SandboxPayment, type SandboxStore } from './sandbox-store.js';

export interface SandboxOptions {
  /** Where signed webhooks go (the sidecar's `/webhooks/sandbox`); none are sent when unset. */
  webhookUrl?: string;
  webhookSecret?: string;
  /** Test hook: called with every webhook body sent (before delivery). */
  onWebhook?: (event: SandboxEvent) => void;
  fetchImpl?: typeof fetch;
  /** Where payments and idempotency answers live; in memory when unset (unit specs). */
  store?: SandboxStore;
}

export interface SandboxEvent {
  id: string;
  type: 'payment.authorized' | 'payment.captured' | 'payment.failed' | 'payment.voided' | 'refund.succeeded';
  created: number;
  data: {
    reference: string;
    refundId: string | null;
    amount: number;
    currency: string;
    declineCode: string | null;
  };
}

const APPROVE = new Set(['tok_sandbox_approve', '4242424242424242']);
const DECLINES: Record<string, string> = {
  tok_sandbox_decline: 'card_declined',
  '4000000000000002': 'card_declined',
  '4000000000009995': 'insufficient_funds',
};
/** Test tokens beyond the brief's: a provider outage and an authorization that stays pending. */
const UNAVAILABLE = 'tok_sandbox_unavailable';
const PENDING = 'tok_sandbox_pending';

/** Signs like Stripe: `t=<unix>,v1=<hex HMAC-SHA256("<t>.<body>")>`. */
export function sandboxSignature(body: string, secret: string, t = Math.floor(Date.now() / 1000)): string {
  const v1 = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
  return `t=${t},v1=${v1}`;
}

/**
 * The dev-default provider: an in-memory card processor with deterministic test tokens,
 * idempotency keys honoured like a real provider, and signed webhooks after each state change.
 * Its state lives in the given store (Postgres in the service), because the processor it stands
 * in for outlives our processes: a payment authorized before a restart can still be captured.
 */
export function createSandboxProvider(options: SandboxOptions = {}): PaymentProvider & {
  /** Test hook: the events emitted so far. */
  readonly events: SandboxEvent[];
} {
  const store = options.store ?? inMemorySandboxStore();
  /** Same-key calls in flight in this process share one answer instead of racing. */
  const inFlight = new Map<string, Promise<unknown>>();
  const events: SandboxEvent[] = [];
  const fetchImpl = options.fetchImpl ?? fetch;

  const once = <T>(key: string, work: () => Promise<T>): Promise<T> => {
    const running = inFlight.get(key);
    if (running) return running as Promise<T>;
    const call = (async () => {
      const stored = await store.getAnswer(key);
      if (stored) return stored.answer as T;
      const result = await work();
      return (await store.putAnswer(key, result)).answer as T;
    })().finally(() => inFlight.delete(key));
    inFlight.set(key, call);
    return call;
  };

  const emit = (type: SandboxEvent['type'], data: SandboxEvent['data']) => {
    const event: SandboxEvent = {
      id: `evt_sbx_${randomUUID()}`,
      type,
      created: Math.floor(Date.now() / 1000),
      data,
    };
    events.push(event);
    options.onWebhook?.(event);
    if (options.webhookUrl) void deliver(event);
  };

  // Fire-and-forget, retried a few times: the sidecar may be restarting.
  const deliver = async (event: SandboxEvent) => {
    const body = JSON.stringify(event);
    for (let attempt = 1; attempt <= 4; attempt++) {
      try {
        const res = await fetchImpl(options.webhookUrl!, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'Sandbox-Signature': sandboxSignature(body, options.webhookSecret ?? ''),
          },
          body,
        });
        if (res.ok) return;
      } catch {
        // retried below
      }
      await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
    }
  };

  const get = async (reference: string): Promise<SandboxPayment> => {
    const p = await store.getPayment(reference);
    if (!p) throw new Error(`sandbox: no payment ${reference}`);
    return p;
  };

  return {
    name: 'SANDBOX',
    events,
    authorize: ({ amount, token, idempotencyKey }) =>
      once(`auth:${idempotencyKey}`, async () => {
        if (token === UNAVAILABLE) throw new ProviderUnavailableError('sandbox: provider unavailable');
        const reference = `sbx_${randomUUID()}`;
        const data = { reference, refundId: null, amount: amount.amount, currency: amount.currency };
        const declineCode =
          DECLINES[token] ?? (APPROVE.has(token) || token === PENDING ? null : 'invalid_payment_method');
        const status = declineCode ? 'FAILED' : token === PENDING ? 'PENDING' : 'AUTHORIZED';
        await store.putPayment(reference, {
          amount: amount.amount,
          state: {
            providerReference: reference,
            status,
            amountCaptured: 0,
            amountRefunded: 0,
            currency: amount.currency,
          },
        });
        if (declineCode) {
          emit('payment.failed', { ...data, declineCode });
          return {
            providerReference: reference,
            status: 'DECLINED',
            declineCode,
            message: 'The card was declined',
          };
        }
        if (status === 'AUTHORIZED') emit('payment.authorized', { ...data, declineCode: null });
        return {
          providerReference: reference,
          status: status as 'AUTHORIZED' | 'PENDING',
          declineCode: null,
          message: null,
        };
      }),
    capture: ({ providerReference, amount, idempotencyKey }) =>
      once(`capture:${idempotencyKey}`, async () => {
        const p = await get(providerReference);
        if (p.state.status === 'CAPTURED') return { status: 'CAPTURED', message: null };
        if (p.state.status !== 'AUTHORIZED' && p.state.status !== 'PENDING')
          return { status: 'FAILED', message: `cannot capture a ${p.state.status} payment` };
        p.state = { ...p.state, status: 'CAPTURED', amountCaptured: amount.amount };
        await store.putPayment(providerReference, p);
        emit('payment.captured', {
          reference: providerReference,
          refundId: null,
          amount: amount.amount,
          currency: amount.currency,
          declineCode: null,
        });
        return { status: 'CAPTURED', message: null };
      }),
    void: ({ providerReference, idempotencyKey }) =>
      once(`void:${idempotencyKey}`, async () => {
        const p = await get(providerReference);
        if (p.state.status !== 'AUTHORIZED' && p.state.status !== 'PENDING') return;
        p.state = { ...p.state, status: 'VOIDED' };
        await store.putPayment(providerReference, p);
        emit('payment.voided', {
          reference: providerReference,
          refundId: null,
          amount: p.amount,
          currency: p.state.currency,
          declineCode: null,
        });
      }),
    refund: ({ providerReference, amount, idempotencyKey }) =>
      once(`refund:${idempotencyKey}`, async () => {
        const p = await get(providerReference);
        if (p.state.status !== 'CAPTURED' || p.state.amountRefunded + amount.amount > p.state.amountCaptured)
          return {
            providerRefundId: `re_sbx_${randomUUID()}`,
            status: 'FAILED',
            message: 'nothing left to refund',
          };
        const refundId = `re_sbx_${randomUUID()}`;
        p.state = { ...p.state, amountRefunded: p.state.amountRefunded + amount.amount };
        await store.putPayment(providerReference, p);
        emit('refund.succeeded', {
          reference: providerReference,
          refundId,
          amount: amount.amount,
          currency: amount.currency,
          declineCode: null,
        });
        return { providerRefundId: refundId, status: 'SUCCEEDED', message: null };
      }),
    retrieve: async (reference) => ({ ...(await get(reference)).state }),
    normaliseEvent: ({ providerEventId, eventType, payload }): NormalisedProviderEvent => {
      const data = (payload.data ?? {}) as Partial<SandboxEvent['data']>;
      const kinds: Record<string, NormalisedProviderEvent['kind']> = {
        'payment.authorized': 'AUTHORIZED',
        'payment.captured': 'CAPTURED',
        'payment.failed': 'FAILED',
        'payment.voided': 'VOIDED',
        'refund.succeeded': 'REFUNDED',
      };
      const amount =
        typeof data.amount === 'number' && typeof data.currency === 'string'
          ? Money.of(data.amount, data.currency)
          : null;
      return {
        provider: 'SANDBOX',
        providerEventId,
        kind: kinds[eventType] ?? 'IGNORED',
        providerReference: typeof data.reference === 'string' ? data.reference : null,
        providerRefundId: typeof data.refundId === 'string' ? data.refundId : null,
        amount: amount?.ok ? amount.value : null,
        declineCode: typeof data.declineCode === 'string' ? data.declineCode : null,
      };
    },
  };
}
