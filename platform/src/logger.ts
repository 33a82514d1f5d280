import { pino, type Logger } from 'pino';
import { currentCorrelationId } from './observability/correlation.js';
import { activeTraceIds } from './observability/tracing.js';

export type { Logger };

/**
 * Structured JSON logs named after the service. Every line written while a request or message
 * is handled carries its `correlationId`, and `trace_id`/`span_id` when a span is active, read
 * from the async context, so no child logger has to be threaded through the code for it.
 */
export function createLogger(service: string): Logger {
  return pino({
    name: service,
    level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'warn' : 'info'),
    mixin: logContext,
  });
}

/** The request or message context of a log line (fields a call passes itself win). */
export function logContext(): Record<string, string> {
  const fields: Record<string, string> = {};
  const correlationId = currentCorrelationId();
  if (correlationId) fields.correlationId = correlationId;
  const ids = activeTraceIds();
  if (ids) {
    fields.trace_id = ids.traceId;
    fields.span_id = ids.spanId;
  }
  return fields;
}
