/**
 * TEST DOUBLE of Stripe's API — not Stripe, and not used outside tests.
 *
 * A small in-memory node:http server implementing exactly the endpoints the Stripe adapter calls
 * (PaymentIntents create/retrieve/capture/cancel, refunds create), with Stripe's wire format:
 * form-encoded request bodies, Bearer secret-key auth, `Idempotency-Key` replay of the first answer
 * (and `idempotency_error` when a key is reused with different parameters), and Stripe's error
 * JSON (`card_error` 402 with `decline_code` and the PaymentIntent, `invalid_request_error` 400
 * `payment_intent_unexpected_state`). Test PaymentMethods: `pm_card_visa` approves,
 * `pm_card_chargeDeclined` declines (generic_decline), `pm_card_chargeDeclinedInsufficientFunds`
 * declines (insufficient_funds).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { readBody, startStandInServer } from './stand-in-server.js';

type Json = Record<string, unknown>;

interface Intent {
  id: string;
  object: 'payment_intent';
  amount: number;
  amount_capturable: number;
  amount_received: number;
  currency: string;
  status: string;
  capture_method: string;
  payment_method: string | null;
  description: string | null;
  metadata: Json;
  latest_charge: string | null;
  last_payment_error: Json | null;
  created: number;
}
interface Charge {
  id: string;
  object: 'charge';
  amount: number;
  amount_captured: number;
  amount_refunded: number;
  currency: string;
  payment_intent: string;
  captured: boolean;
  refunded: boolean;
}

const DECLINES: Record<string, string> = {
  pm_card_chargeDeclined: 'generic_decline',
  pm_card_chargeDeclinedInsufficientFunds: 'insufficient_funds',
};

const id = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;

export interface StripeStandIn {
  readonly url: string;
  readonly intents: Map<string, Intent>;
  readonly charges: Map<string, Charge>;
  /** Requests that reached an endpoint (idempotent replays excluded), e.g. `POST /v1/payment_intents/pi_1/capture`. */
  readonly handled: string[];
  /** The next `times` requests answer this HTTP status (503 → api_error, 429 → rate limit). */
  failNext(status: number, times?: number): void;
  close(): Promise<void>;
}

class ApiError {
  constructor(
    readonly status: number,
    readonly body: Json,
  ) {}
}
const invalidRequest = (message: string, code?: string) =>
  new ApiError(400, { error: { type: 'invalid_request_error', message, ...(code ? { code } : {}) } });
const unexpectedState = (intent: Intent, action: string) =>
  invalidRequest(
    `This PaymentIntent's ${action} could not be performed because it has a status of ${intent.status}.`,
    'payment_intent_unexpected_state',
  );

export async function startStripeStandIn(options: { secretKey: string }): Promise<StripeStandIn> {
  const intents = new Map<string, Intent>();
  const charges = new Map<string, Charge>();
  const idempotency = new Map<string, { fingerprint: string; status: number; body: Json }>();
  const handled: string[] = [];

  const intentOr404 = (intentId: string): Intent => {
    const intent = intents.get(intentId);
    if (!intent)
      throw new ApiError(404, {
        error: {
          type: 'invalid_request_error',
          code: 'resource_missing',
          message: `No such payment_intent: '${intentId}'`,
        },
      });
    return intent;
  };
  const intOf = (value: string | null, field: string): number => {
    const n = Number(value);
    if (value === null || !Number.isSafeInteger(n) || n < 0)
      throw invalidRequest(`Invalid integer: ${field}`);
    return n;
  };

  function route(
    method: string,
    path: string,
    form: URLSearchParams,
    query: URLSearchParams,
  ): { status: number; body: Json } {
    let m: RegExpMatchArray | null;
    if (method === 'POST' && path === '/v1/payment_intents') {
      const amount = intOf(form.get('amount'), 'amount');
      const currency = form.get('currency');
      const paymentMethod = form.get('payment_method');
      if (!currency) throw invalidRequest('Missing required param: currency.');
      if (paymentMethod !== 'pm_card_visa' && !(paymentMethod && paymentMethod in DECLINES)) {
        throw new ApiError(400, {
          error: {
            type: 'invalid_request_error',
            code: 'resource_missing',
            message: `No such PaymentMethod: '${paymentMethod}'`,
          },
        });
      }
      const metadata: Json = {};
      for (const [k, v] of form) {
        const key = /^metadata\[(.+)\]$/.exec(k)?.[1];
        if (key) metadata[key] = v;
      }
      const intent: Intent = {
        id: id('pi'),
        object: 'payment_intent',
        amount,
        amount_capturable: 0,
        amount_received: 0,
        currency,
        status: 'requires_confirmation',
        capture_method: form.get('capture_method') ?? 'automatic',
        payment_method: paymentMethod,
        description: form.get('description'),
        metadata,
        latest_charge: null,
        last_payment_error: null,
        created: Math.floor(Date.now() / 1000),
      };
      intents.set(intent.id, intent);
      if (form.get('confirm') !== 'true') return { status: 200, body: { ...intent } };
      const decline = DECLINES[paymentMethod];
      if (decline) {
        intent.status = 'requires_payment_method';
        const error = {
          type: 'card_error',
          code: 'card_declined',
          decline_code: decline,
          message: 'Your card was declined.',
        };
        intent.last_payment_error = error;
        return { status: 402, body: { error: { ...error, payment_intent: { ...intent } } } };
      }
      const charge: Charge = {
        id: id('ch'),
        object: 'charge',
        amount,
        amount_captured: 0,
        amount_refunded: 0,
        currency,
        payment_intent: intent.id,
        captured: false,
        refunded: false,
      };
      charges.set(charge.id, charge);
      intent.latest_charge = charge.id;
      if (intent.capture_method === 'manual') {
        intent.status = 'requires_capture';
        intent.amount_capturable = amount;
      } else {
        intent.status = 'succeeded';
        intent.amount_received = amount;
        charge.captured = true;
        charge.amount_captured = amount;
      }
      return { status: 200, body: { ...intent } };
    }
    if (method === 'GET' && (m = /^\/v1\/payment_intents\/([^/]+)$/.exec(path))) {
      const intent = intentOr404(m[1]!);
      // The SDK sends `expand[0]=latest_charge`.
      const expand = [...query].some(([k, v]) => k.startsWith('expand') && v === 'latest_charge');
      return {
        status: 200,
        body: {
          ...intent,
          latest_charge:
            expand && intent.latest_charge ? { ...charges.get(intent.latest_charge) } : intent.latest_charge,
        },
      };
    }
    if (method === 'POST' && (m = /^\/v1\/payment_intents\/([^/]+)\/capture$/.exec(path))) {
      const intent = intentOr404(m[1]!);
      if (intent.status !== 'requires_capture') throw unexpectedState(intent, 'capture');
      const amount = form.has('amount_to_capture')
        ? intOf(form.get('amount_to_capture'), 'amount_to_capture')
        : intent.amount_capturable;
      if (amount > intent.amount_capturable || amount === 0)
        throw invalidRequest('amount_to_capture is out of range', 'amount_too_large');
      const charge = charges.get(intent.latest_charge!)!;
      intent.status = 'succeeded';
      intent.amount_received = amount;
      intent.amount_capturable = 0;
      charge.captured = true;
      charge.amount_captured = amount;
      return { status: 200, body: { ...intent } };
    }
    if (method === 'POST' && (m = /^\/v1\/payment_intents\/([^/]+)\/cancel$/.exec(path))) {
      const intent = intentOr404(m[1]!);
      if (
        !['requires_capture', 'requires_payment_method', 'requires_confirmation', 'requires_action'].includes(
          intent.status,
        )
      ) {
        throw unexpectedState(intent, 'cancel');
      }
      intent.status = 'canceled';
      intent.amount_capturable = 0;
      return { status: 200, body: { ...intent } };
    }
    if (method === 'POST' && path === '/v1/refunds') {
      const intent = intentOr404(form.get('payment_intent') ?? '');
      if (intent.status !== 'succeeded') throw unexpectedState(intent, 'refund');
      const charge = charges.get(intent.latest_charge!)!;
      const left = charge.amount_captured - charge.amount_refunded;
      const amount = form.has('amount') ? intOf(form.get('amount'), 'amount') : left;
      if (left === 0)
        throw invalidRequest(`Charge ${charge.id} has already been refunded.`, 'charge_already_refunded');
      if (amount === 0 || amount > left) {
        throw invalidRequest(
          `Refund amount (${amount}) is greater than unrefunded amount on charge (${left})`,
          'amount_too_large',
        );
      }
      charge.amount_refunded += amount;
      charge.refunded = charge.amount_refunded === charge.amount_captured;
      const refund = {
        id: id('re'),
        object: 'refund',
        amount,
        currency: intent.currency,
        payment_intent: intent.id,
        charge: charge.id,
        status: 'succeeded',
        failure_reason: null,
        created: Math.floor(Date.now() / 1000),
      };
      return { status: 200, body: refund };
    }
    throw new ApiError(404, {
      error: { type: 'invalid_request_error', message: `Unrecognized request URL (${method}: ${path})` },
    });
  }

  const server = await startStandInServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const send = (status: number, body: Json, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', 'request-id': id('req'), ...headers });
        res.end(JSON.stringify(body));
      };
      const raw = await readBody(req);
      if (req.headers.authorization !== `Bearer ${options.secretKey}`) {
        return send(401, { error: { type: 'invalid_request_error', message: 'Invalid API Key provided' } });
      }
      const status = server.takeFailure();
      if (status !== null) {
        return send(status, {
          error:
            status === 429
              ? { type: 'invalid_request_error', code: 'rate_limit', message: 'Too many requests' }
              : { type: 'api_error', message: 'Stand-in outage' },
        });
      }
      const url = new URL(req.url ?? '/', 'http://stand-in');
      const method = req.method ?? 'GET';
      const key = req.headers['idempotency-key'];
      const fingerprint = `${method} ${url.pathname} ${raw}`;
      if (method === 'POST' && typeof key === 'string') {
        const previous = idempotency.get(key);
        if (previous) {
          if (previous.fingerprint !== fingerprint) {
            return send(400, {
              error: {
                type: 'idempotency_error',
                message:
                  'Keys for idempotent requests can only be used with the same parameters they were first used with.',
              },
            });
          }
          return send(previous.status, previous.body, { 'idempotent-replayed': 'true' });
        }
      }
      let answer: { status: number; body: Json };
      try {
        answer = route(method, url.pathname, new URLSearchParams(raw), url.searchParams);
        handled.push(`${method} ${url.pathname}`);
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        answer = { status: error.status, body: error.body };
      }
      // Like Stripe, the first answer to a key is kept (errors included) and replayed.
      if (method === 'POST' && typeof key === 'string') idempotency.set(key, { fingerprint, ...answer });
      send(answer.status, answer.body);
    })().catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { type: 'api_error', message: String(error) } }));
    });
  });

  return {
    url: server.url,
    intents,
    charges,
    handled,
    failNext: server.failNext,
    close: server.close,
  };
}
