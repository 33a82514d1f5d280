import {
  context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  isSpanContextValid,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  TracerProvider,
  type SpanExporter,
} from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

export { SpanKind, SpanStatusCode, type Span };

/*
 * W3C trace context end to end: HTTP headers between the gateway and the subgraphs, the
 * envelope's `traceparent` through the outbox, a `traceparent` header on Kafka. The propagator
 * is used directly (not through the global API), so context travels the same way whether or not
 * a tracer provider was installed.
 */
const propagator = new W3CTraceContextPropagator();
const TRACER = '@marketplace/platform';

/** What a carrier of trace context looks like: HTTP request headers, Kafka headers, a plain object. */
export type TraceCarrier = Record<string, string | string[] | undefined>;

let contextManagerInstalled = false;

/**
 * Async context (AsyncLocalStorage) for the active span: without it `context.with` is a no-op and
 * a handler's outbox writes could not see the span they run in. Idempotent; a context manager
 * some other code registered first is kept.
 */
export function ensureContextManager(): void {
  if (contextManagerInstalled) return;
  contextManagerInstalled = true;
  const manager = new AsyncLocalStorageContextManager();
  if (!context.setGlobalContextManager(manager.enable())) manager.disable();
  propagation.setGlobalPropagator(propagator);
}

export interface Tracing {
  /** True when spans are exported (OTLP endpoint configured or an exporter given). */
  readonly exporting: boolean;
  /** Sends the spans still buffered; called when a process stops. */
  flush(): Promise<void>;
}

export interface TracingOptions {
  env?: NodeJS.ProcessEnv;
  /** Tests: collect spans in memory instead of sending them. */
  exporter?: SpanExporter;
}

let installed: Tracing | undefined;

/**
 * Installs tracing for this process once: with OTEL_EXPORTER_OTLP_ENDPOINT (or
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) set, spans go by OTLP/HTTP JSON with `service.name` =
 * `serviceName`; otherwise the API's no-op tracer stays, which still carries an incoming trace
 * context through (a no-op span keeps its parent's ids). Later calls return the first setup:
 * tracer providers are process-wide.
 */
export function initTracing(serviceName: string, options: TracingOptions = {}): Tracing {
  ensureContextManager();
  if (installed) return installed;
  const env = options.env ?? process.env;
  const url = tracesEndpoint(env);
  const exporter = options.exporter ?? (url ? new OTLPTraceExporter({ url }) : undefined);
  if (!exporter) {
    installed = { exporting: false, flush: async () => {} };
    return installed;
  }
  const delay = Number(env.OTEL_BSP_SCHEDULE_DELAY);
  const ratio = Number(env.OTEL_TRACES_SAMPLER_ARG);
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName }),
    // Every trace by default; with a ratio only that share of new traces is recorded, and a
    // trace keeps the decision its first span made (so a checkout is recorded whole or not at all).
    ...(env.OTEL_TRACES_SAMPLER === 'parentbased_traceidratio' && ratio >= 0 && ratio <= 1
      ? { sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) }) }
      : {}),
    spanProcessors: [
      new BatchSpanProcessor({
        exporter,
        ...(Number.isFinite(delay) && delay > 0 ? { scheduledDelayMillis: delay } : {}),
      }),
    ],
  });
  trace.setGlobalTracerProvider(provider);
  installed = { exporting: true, flush: () => provider.forceFlush() };
  return installed;
}

/** The OTLP/HTTP traces URL from the standard variables: the signal-specific one is used as is. */
export function tracesEndpoint(env: NodeJS.ProcessEnv): string | undefined {
  const specific = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  if (specific) return specific;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  return base ? `${base.replace(/\/+$/, '')}/v1/traces` : undefined;
}

const tracer = () => trace.getTracer(TRACER);

/** The context a carrier's `traceparent` (and `tracestate`) describes, on top of `parent`. */
export function extractContext(carrier: TraceCarrier, parent: Context = ROOT_CONTEXT): Context {
  return propagator.extract(parent, carrier, defaultTextMapGetter);
}

/** Writes the context's `traceparent` (and `tracestate`) into `carrier`; nothing without a valid span. */
export function injectContext(carrier: Record<string, string>, ctx: Context = context.active()): void {
  propagator.inject(ctx, carrier, defaultTextMapSetter);
}

/** The W3C `traceparent` of the span active in `ctx`, or undefined when there is none. */
export function traceparentOf(ctx: Context = context.active()): string | undefined {
  const carrier: Record<string, string> = {};
  injectContext(carrier, ctx);
  return carrier.traceparent;
}

/** Trace and span id of the active span, for log lines. */
export function activeTraceIds(): { traceId: string; spanId: string } | undefined {
  const spanContext = trace.getSpan(context.active())?.spanContext();
  return spanContext && isSpanContextValid(spanContext)
    ? { traceId: spanContext.traceId, spanId: spanContext.spanId }
    : undefined;
}

export interface SpanSpec {
  name: string;
  kind: SpanKind;
  attributes?: Attributes;
  /** Defaults to the active context. */
  parent?: Context;
}

/** Starts a span without making it active (for spans that outlive a callback, e.g. a batch send). */
export function startSpan(spec: SpanSpec): { span: Span; context: Context } {
  ensureContextManager();
  const parent = spec.parent ?? context.active();
  const span = tracer().startSpan(spec.name, { kind: spec.kind, attributes: spec.attributes }, parent);
  return { span, context: trace.setSpan(parent, span) };
}

/** Marks a span failed with the error (not ended). */
export function failSpan(span: Span, error: unknown): void {
  if (error instanceof Error) span.recordException(error);
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: error instanceof Error ? error.message : String(error),
  });
}

/**
 * Runs `fn` inside a new span, active for everything `fn` awaits: a thrown error marks the span
 * failed and is rethrown; the span ends when `fn` settles.
 */
export async function inSpan<T>(spec: SpanSpec, fn: (span: Span) => Promise<T>): Promise<T> {
  const { span, context: ctx } = startSpan(spec);
  try {
    return await context.with(ctx, () => fn(span));
  } catch (error) {
    failSpan(span, error);
    throw error;
  } finally {
    span.end();
  }
}
