import { GraphQLError } from 'graphql';

/**
 * The code a client gets when a subgraph a request needs cannot answer now: it refused the
 * connection, the connection broke, it did not answer within `SUBGRAPH_TIMEOUT_MS`, or it answered
 * with an HTTP 5xx (starting, overloaded, going down). Stable and retryable; the cause (address,
 * errno, status) goes to the gateway's log, never to the client.
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

/**
 * Why a subgraph fetch means "unavailable" (for the log), or undefined when it is an ordinary
 * failure that keeps its own handling (a 4xx, a body that is not JSON, a GraphQL error).
 */
export function unavailability(error: unknown, response?: { status: number }): string | undefined {
  if (response && response.status >= 500) return `HTTP ${response.status}`;
  if (response) return undefined;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && UNREACHABLE_CODES.has(code) ? code : undefined;
}

/** The error a client sees: no address, no cause, which subgraph only as `serviceName` (masked in production). */
export function serviceUnavailableError(serviceName: string): GraphQLError {
  return new GraphQLError(
    `Service temporarily unavailable: part of the API did not answer. Retry in ${SERVICE_UNAVAILABLE_RETRY_AFTER_SECONDS} s.`,
    {
      extensions: {
        code: SERVICE_UNAVAILABLE,
        retryable: true,
        retryAfterSeconds: SERVICE_UNAVAILABLE_RETRY_AFTER_SECONDS,
        serviceName,
      },
    },
  );
}
