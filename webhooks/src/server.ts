import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import { extractContext, inSpan, SpanKind, type Logger, type ServiceMetrics } from '@marketplace/platform';
import {
  identify,
  messageKey,
  verifyRazorpay,
  verifyStripeFormat,
  WebhookErrorCode,
  type Verified,
  type WebhookProvider,
} from './verification.js';
import type { ReceivedEvent } from './persistence.js';

export interface WebhookSecrets {
  stripe?: string;
  razorpay?: string;
  sandbox?: string;
}

export interface WebhookServerDeps {
  secrets: WebhookSecrets;
  logger: Logger;
  record(event: ReceivedEvent): Promise<{ stored: boolean }>;
  /** Readiness: resolves when the database answers. */
  checkReady(): Promise<void>;
  /** Called after a new event committed (wakes the relay). */
  onStored?(): void;
  /** Served as `GET /metrics`; webhook requests are timed in it (`operation_type="webhook"`). */
  metrics?: ServiceMetrics;
}

export const BODY_LIMIT_BYTES = 1024 * 1024;

const header = (request: FastifyRequest, name: string): string | undefined => {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
};

/**
 * REST only, no business logic: verify the signature over the raw bytes, store the event once
 * and answer 2xx quickly (providers time out and retry slow endpoints).
 */
export function buildWebhookServer(deps: WebhookServerDeps): FastifyInstance {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: BODY_LIMIT_BYTES,
    disableRequestLogging: true,
  });

  app.get('/health', async () => ({ status: 'ok' }));
  const { metrics } = deps;
  if (metrics) {
    app.get('/metrics', async (_request, reply) =>
      reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
    );
    app.addHook('onResponse', async (request, reply) => {
      if (!request.routeOptions.url?.startsWith('/webhooks/')) return;
      const status = reply.statusCode;
      metrics.observeRequest(
        'webhook',
        status >= 500 ? 'error' : status >= 400 ? 'refused' : 'ok',
        reply.elapsedTime / 1000,
      );
    });
  }
  app.get('/ready', async (_request, reply) => {
    try {
      await deps.checkReady();
      return { status: 'ready' };
    } catch {
      return reply.code(503).send({ status: 'not-ready' });
    }
  });

  // An encapsulated scope: only the webhook routes get the raw Buffer, whatever the content type,
  // because signatures are computed over the exact bytes the provider sent.
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: BODY_LIMIT_BYTES }, (_req, body, done) =>
      done(null, body),
    );

    const receive = async (
      provider: WebhookProvider,
      request: FastifyRequest,
      reply: FastifyReply,
      verify: (raw: Buffer, secret: string) => Verified,
    ) => {
      const secret = deps.secrets[provider];
      if (!secret) {
        return reply.code(503).send({
          error: WebhookErrorCode.ProviderNotConfigured,
          message: `${provider} webhooks are not configured`,
        });
      }
      const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const verified = verify(raw, secret);
      if (!verified.ok) {
        deps.logger.warn({ provider, code: verified.code }, 'webhook refused');
        return reply.code(400).send({ error: verified.code, message: verified.message });
      }
      const identity = identify(provider, verified.event, header(request, 'x-razorpay-event-id'));
      if (!identity) {
        return reply
          .code(400)
          .send({ error: WebhookErrorCode.PayloadInvalid, message: 'event id or type missing' });
      }
      const { stored } = await deps.record({
        provider,
        ...identity,
        messageKey: messageKey(provider, identity),
        receivedAt: new Date(),
        payload: verified.event,
      });
      if (stored) deps.onStored?.();
      return reply.code(200).send(stored ? { received: true } : { received: true, duplicate: true });
    };

    // A server span per webhook (a provider sends no trace context, so usually a new trace): the
    // event's outbox row records it, and payments' handling of the event continues it.
    const handle = (
      provider: WebhookProvider,
      request: FastifyRequest,
      reply: FastifyReply,
      verify: (raw: Buffer, secret: string) => Verified,
    ) =>
      inSpan(
        {
          name: `POST /webhooks/${provider}`,
          kind: SpanKind.SERVER,
          // Providers are outside callers: every webhook starts its own trace (no carrier).
          parent: extractContext({}),
          attributes: { 'http.request.method': 'POST', 'marketplace.webhook.provider': provider },
        },
        () => receive(provider, request, reply, verify),
      );

    scope.post('/webhooks/stripe', (request, reply) =>
      handle('stripe', request, reply, (raw, secret) =>
        verifyStripeFormat(raw, header(request, 'stripe-signature'), secret),
      ),
    );
    scope.post('/webhooks/sandbox', (request, reply) =>
      handle('sandbox', request, reply, (raw, secret) =>
        verifyStripeFormat(raw, header(request, 'sandbox-signature'), secret),
      ),
    );
    scope.post('/webhooks/razorpay', (request, reply) =>
      handle('razorpay', request, reply, (raw, secret) =>
        verifyRazorpay(raw, header(request, 'x-razorpay-signature'), secret),
      ),
    );
  });

  return app;
}
