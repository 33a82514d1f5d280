import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';
import type { Logger } from '../logger.js';

/** Codes whose messages are meant for the caller; anything else is masked. */
const PUBLIC_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'AUTH.INVALID_TOKEN',
  'AUTH.FORBIDDEN',
  'QUERY_TOO_COMPLEX',
  'RATE_LIMITED',
  // A subgraph the gateway could not reach in time: retryable, its cause only in the gateway's log.
  'SERVICE_UNAVAILABLE',
]);

/** Extensions a public error keeps besides its code: how a client should retry it. */
const RETRY_EXTENSIONS = ['retryable', 'retryAfterSeconds'] as const;

export interface ErrorMaskingOptions {
  /**
   * Whether answers keep `extensions.serviceName` (which subgraph failed, as the gateway labels
   * a subgraph's error). It maps the internal topology, so production keeps it to logs and traces.
   */
  exposeServiceName?: boolean;
}

/**
 * Masks unexpected errors: the caller sees a generic message that keeps `extensions.code`
 * and the request's correlation id (to find the full error in the logs), never a stack.
 */
export function errorMaskingPlugin<TContext extends BaseContext & { correlationId: string }>(
  logger: Logger,
  { exposeServiceName = true }: ErrorMaskingOptions = {},
): ApolloServerPlugin<TContext> {
  const mask = (error: GraphQLFormattedError, correlationId: string): GraphQLFormattedError => {
    const code = typeof error.extensions?.code === 'string' ? error.extensions.code : 'INTERNAL_SERVER_ERROR';
    // Gateway-side: errors already masked by a subgraph carry its correlation id; keep them as they are.
    const visible =
      PUBLIC_CODES.has(code) || code.startsWith('DOWNSTREAM_') || 'correlationId' in (error.extensions ?? {});
    const message = visible ? error.message : 'Internal server error';
    const extensions: Record<string, unknown> = { code, correlationId };
    if (PUBLIC_CODES.has(code))
      for (const key of RETRY_EXTENSIONS)
        if (error.extensions?.[key] !== undefined) extensions[key] = error.extensions[key];
    if (exposeServiceName && error.extensions?.serviceName)
      extensions.serviceName = error.extensions.serviceName;
    return {
      message,
      ...(error.locations ? { locations: error.locations } : {}),
      ...(error.path ? { path: error.path } : {}),
      extensions,
    };
  };
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue }) {
          for (const error of errors) {
            const code = error.extensions?.code;
            if (typeof code !== 'string' || !PUBLIC_CODES.has(code)) {
              logger.error(
                {
                  err: error.originalError ?? error,
                  correlationId: contextValue.correlationId,
                  path: error.path,
                  ...(error.extensions?.serviceName ? { serviceName: error.extensions.serviceName } : {}),
                },
                'request failed',
              );
            }
          }
        },
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind === 'single' && response.body.singleResult.errors) {
            response.body.singleResult.errors = response.body.singleResult.errors.map((e) =>
              mask(e, contextValue.correlationId),
            );
          }
        },
      };
    },
  };
}
