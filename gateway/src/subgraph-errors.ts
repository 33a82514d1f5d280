import { GraphQLError } from 'graphql';

/**
 * The code a client gets when a subgraph a request needs cannot answer now: it refused the
 * connection, the connection broke, it did not answer within `SUBGRAPH_TIMEOUT_MS`, or it answered
 * with 502, 503 or 504 (starting, overloaded, going down). Stable; the cause (address, errno,
 * status) goes to the gateway's log, never to the client.
 */
export const SERVICE_UNAVAILABLE = 'SERVICE_UNAVAILABLE';

/** How long a client should wait before retrying, in seconds: a subgraph restart or a burst passes in about that. */
export const SERVICE_UNAVAILABLE_RETRY_AFTER_SECONDS = 1;

/** The fetcher's error when a subgraph did not answer in time. */
export class SubgraphTimeoutError extends Error {
  readonly code = 'SUBGRAPH_TIMEOUT';
}

/** Socket and DNS failures that say "not reachable now", not "the request is wrong". */
const UNREACHABLE_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  // A container not resolvable yet while a stack starts.
  'EAI_AGAIN',
  'ENOTFOUND',
  'SUBGRAPH_TIMEOUT',
]);

/** Of those, the failures before the request reached the subgraph: nothing can have run. */
const NOT_SENT_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
]);

/**
 * Statuses that say "unavailable" rather than "failed": a 503 (a subgraph not ready, or going
 * down, answers it before running anything), a proxy's 502 and 504. A 500 is a failure of the
 * request itself and keeps its ordinary handling.
 */
const UNAVAILABLE_STATUSES: ReadonlySet<number> = new Set([502, 503, 504]);

export interface Unavailability {
  /** For the log: the errno, the timeout or the HTTP status. */
  cause: string;
  /** True when the subgraph cannot have run the operation (refused, unresolvable, a 503). */
  notRun: boolean;
}

/**
 * Why a subgraph fetch means "unavailable", or undefined when it is an ordinary failure that
 * keeps its own handling (a 500 or a 4xx, a body that is not JSON, a GraphQL error).
 */
export function unavailability(error: unknown, response?: { status: number }): Unavailability | undefined {
  if (response)
    return UNAVAILABLE_STATUSES.has(response.status)
      ? { cause: `HTTP ${response.status}`, notRun: response.status === 503 }
      : undefined;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && UNREACHABLE_CODES.has(code)
    ? { cause: code, notRun: NOT_SENT_CODES.has(code) }
    : undefined;
}

/**
 * The error a client sees: no address, no cause, which subgraph only as `serviceName` (masked in
 * production). `retryable` is what a client's code may act on blindly: true for a read, and for a
 * write the subgraph cannot have run; a write that may have run (a timeout, a broken connection,
 * a proxy's 502/504) is not blindly retryable: the client checks its effect first, or retries
 * with the same idempotency key where the mutation takes one.
 */
export function serviceUnavailableError(serviceName: string, retryable: boolean): GraphQLError {
  return new GraphQLError(
    retryable
      ? `Service temporarily unavailable: part of the API did not answer. Retry in ${SERVICE_UNAVAILABLE_RETRY_AFTER_SECONDS} s.`
      : 'Service temporarily unavailable: part of the API did not answer in time; the change may have been made. Check before repeating it.',
    {
      extensions: {
        code: SERVICE_UNAVAILABLE,
        retryable,
        retryAfterSeconds: SERVICE_UNAVAILABLE_RETRY_AFTER_SECONDS,
        serviceName,
      },
    },
  );
}

/** Whether a subgraph operation (as the gateway's query planner wrote it) is a mutation. */
export function isMutation(query: unknown): boolean {
  return typeof query === 'string' && /^\s*mutation\b/.test(query);
}
