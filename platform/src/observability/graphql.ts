import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import type { ServiceMetrics } from './metrics.js';

/**
 * Names the request's server span after the operation (`mutation placeOrder`) and records
 * `request_duration_seconds` by operation type and outcome (`error` when the response carries
 * GraphQL errors; business errors returned as data are `ok`). Requests refused before Apollo
 * runs (gateway secret, token, body size) are recorded by the HTTP server as `refused`.
 */
export function graphqlObservabilityPlugin<TContext extends BaseContext>(
  metrics?: ServiceMetrics,
): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      const started = performance.now();
      const span = trace.getActiveSpan();
      return {
        async didResolveOperation({ operation, operationName }) {
          if (!operation) return;
          span?.updateName(`${operation.operation} ${operationName ?? '(anonymous)'}`);
          span?.setAttribute('graphql.operation.type', operation.operation);
          if (operationName) span?.setAttribute('graphql.operation.name', operationName);
        },
        async willSendResponse({ response, operation }) {
          const errors = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
          const failed = (errors?.length ?? 0) > 0;
          if (failed) span?.setStatus({ code: SpanStatusCode.ERROR, message: errors![0]!.message });
          metrics?.observeRequest(
            operation?.operation ?? 'unknown',
            failed ? 'error' : 'ok',
            (performance.now() - started) / 1000,
          );
        },
      };
    },
  };
}
