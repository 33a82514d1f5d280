/**
 * TEST DOUBLE of Razorpay's API — not Razorpay, and not used outside tests.
 *
 * A small in-memory node:http server implementing exactly the endpoints the Razorpay adapter calls
 * (`GET /v1/payments/:id`, `POST /v1/payments/:id/capture`, `POST /v1/payments/:id/refund`,
 * `GET /v1/payments/:id/refunds`) in Razorpay's wire format: JSON bodies, HTTP basic auth with the
 * key id and secret, and `{error: {code, description}}` error answers. Payments are authorized by
 * the buyer in Razorpay's client-side Checkout, which a test stands in for with `addPayment`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { readBody, startStandInServer } from './stand-in-server.js';

type Json = Record<string, unknown>;

export interface StandInPayment {
  id: string;
  entity: 'payment';
  amount: number;
  currency: string;
  status: 'created' | 'authorized' | 'captured' | 'refunded' | 'failed';
  captured: boolean;
  amount_refunded: number;
  refund_status: 'partial' | 'full' | null;
  error_code: string | null;
  error_reason: string | null;
  error_description: string | null;
  created_at: number;
}
interface StandInRefund {
  id: string;
  entity: 'refund';
  amount: number;
  currency: string;
  payment_id: string;
  notes: Json | unknown[];
  status: 'processed';
  created_at: number;
}

const id = (prefix: string) => `${prefix}_${randomBytes(7).toString('hex')}`;

export interface RazorpayStandIn {
  readonly url: string;
  readonly payments: Map<string, StandInPayment>;
  /** Requests that changed state, e.g. `POST /v1/payments/pay_1/capture`. */
  readonly handled: string[];
  /** What the client-side Checkout would leave behind: a payment in the given state. */
  addPayment(input: {
    amount: number;
    currency: string;
    status?: StandInPayment['status'];
    errorReason?: string;
  }): StandInPayment;
  /** The next `times` requests answer this HTTP status. */
  failNext(status: number, times?: number): void;
  close(): Promise<void>;
}

class ApiError {
  constructor(
    readonly status: number,
    readonly description: string,
    readonly code = 'BAD_REQUEST_ERROR',
  ) {}
}

async function readJson(req: IncomingMessage): Promise<Json> {
  const raw = await readBody(req);
  if (raw === '') return {};
  try {
    return JSON.parse(raw) as Json;
  } catch {
    throw new ApiError(400, 'The request body is not valid JSON');
  }
}

export async function startRazorpayStandIn(options: {
  keyId: string;
  keySecret: string;
}): Promise<RazorpayStandIn> {
  const payments = new Map<string, StandInPayment>();
  const refunds = new Map<string, StandInRefund[]>();
  const handled: string[] = [];
  const expectedAuth = `Basic ${Buffer.from(`${options.keyId}:${options.keySecret}`).toString('base64')}`;

  const paymentOr400 = (paymentId: string) => {
    const payment = payments.get(paymentId);
    if (!payment) throw new ApiError(400, 'The id provided does not exist');
    return payment;
  };

  async function route(req: IncomingMessage, path: string): Promise<Json> {
    const method = req.method ?? 'GET';
    let m: RegExpMatchArray | null;
    if (method === 'GET' && (m = /^\/v1\/payments\/([^/]+)$/.exec(path))) return { ...paymentOr400(m[1]!) };
    if (method === 'GET' && (m = /^\/v1\/payments\/([^/]+)\/refunds$/.exec(path))) {
      const items = refunds.get(paymentOr400(m[1]!).id) ?? [];
      return { entity: 'collection', count: items.length, items: items.map((r) => ({ ...r })) };
    }
    if (method === 'POST' && (m = /^\/v1\/payments\/([^/]+)\/capture$/.exec(path))) {
      const payment = paymentOr400(m[1]!);
      const body = await readJson(req);
      if (payment.status !== 'authorized') {
        throw new ApiError(
          400,
          payment.status === 'captured'
            ? 'This payment has already been captured'
            : `Only payments which have been authorized and not yet captured can be captured`,
        );
      }
      if (Number(body.amount) !== payment.amount)
        throw new ApiError(400, 'Capture amount must be equal to the amount authorized');
      if (typeof body.currency === 'string' && body.currency !== payment.currency)
        throw new ApiError(400, 'Currency does not match');
      payment.status = 'captured';
      payment.captured = true;
      handled.push(`${method} ${path}`);
      return { ...payment };
    }
    if (method === 'POST' && (m = /^\/v1\/payments\/([^/]+)\/refund$/.exec(path))) {
      const payment = paymentOr400(m[1]!);
      const body = await readJson(req);
      if (!payment.captured) throw new ApiError(400, 'The payment has not been captured');
      const left = payment.amount - payment.amount_refunded;
      const amount = body.amount === undefined ? left : Number(body.amount);
      if (!Number.isSafeInteger(amount) || amount <= 0 || amount > left) {
        throw new ApiError(400, 'The refund amount provided is greater than amount captured');
      }
      const refund: StandInRefund = {
        id: id('rfnd'),
        entity: 'refund',
        amount,
        currency: payment.currency,
        payment_id: payment.id,
        notes: (body.notes as Json | undefined) ?? [],
        status: 'processed',
        created_at: Math.floor(Date.now() / 1000),
      };
      refunds.set(payment.id, [refund, ...(refunds.get(payment.id) ?? [])]);
      payment.amount_refunded += amount;
      payment.refund_status = payment.amount_refunded === payment.amount ? 'full' : 'partial';
      if (payment.refund_status === 'full') payment.status = 'refunded';
      handled.push(`${method} ${path}`);
      return { ...refund };
    }
    throw new ApiError(404, 'The requested URL was not found on the server.', 'NOT_FOUND');
  }

  const server = await startStandInServer((req: IncomingMessage, res: ServerResponse) => {
    const send = (status: number, body: Json) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    void (async () => {
      if (req.headers.authorization !== expectedAuth) {
        return send(401, { error: { code: 'BAD_REQUEST_ERROR', description: 'Authentication failed' } });
      }
      const failure = server.takeFailure();
      if (failure !== null) {
        return send(failure, { error: { code: 'SERVER_ERROR', description: 'Stand-in outage' } });
      }
      const url = new URL(req.url ?? '/', 'http://stand-in');
      try {
        send(200, await route(req, url.pathname));
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        send(error.status, { error: { code: error.code, description: error.description } });
      }
    })().catch((error: unknown) =>
      send(500, { error: { code: 'SERVER_ERROR', description: String(error) } }),
    );
  });

  return {
    url: server.url,
    payments,
    handled,
    addPayment({ amount, currency, status = 'authorized', errorReason }) {
      const payment: StandInPayment = {
        id: id('pay'),
        entity: 'payment',
        amount,
        currency,
        status,
        captured: status === 'captured',
        amount_refunded: 0,
        refund_status: null,
        error_code: status === 'failed' ? 'BAD_REQUEST_ERROR' : null,
        error_reason: status === 'failed' ? (errorReason ?? 'payment_failed') : null,
        error_description: status === 'failed' ? 'Payment failed' : null,
        created_at: Math.floor(Date.now() / 1000),
      };
      payments.set(payment.id, payment);
      return payment;
    },
    failNext: server.failNext,
    close: server.close,
  };
}
