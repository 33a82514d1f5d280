import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, NoSchemaIntrospectionCustomRule, validate, type GraphQLSchema } from 'graphql';
import type { ComplexityEstimator } from 'graphql-query-complexity';
import { callerOf, type CostBudgets } from './budget.js';
import { costEstimator, operationCost, OperationVariablesError } from './cost.js';
import type { GatewayContext } from './subgraph-data-source.js';

/** What every priced response carries in `extensions.cost`. */
export interface CostReport {
  /** The operation's estimated cost (the cost model in cost.ts). */
  requested: number;
  /** The most one operation may cost for this caller. */
  maximum: number;
  /** The caller's bucket after this operation; absent when budgets are off or unavailable. */
  budget?: { capacity: number; remaining: number; refillPerSecond: number; retryAfterSeconds?: number };
}

export interface OperationGuardOptions {
  /** Per-operation cost ceiling (also capped by the caller's bucket capacity). */
  maxCost: number;
  budgets: CostBudgets;
  /** Production: introspection only for admins. */
  production: boolean;
}

export const GUARD_CODES = {
  tooCostly: 'QUERY_TOO_COMPLEX',
  rateLimited: 'RATE_LIMITED',
  introspectionDisabled: 'GRAPHQL_VALIDATION_FAILED',
  badInput: 'BAD_USER_INPUT',
} as const;

/**
 * Runs the cost computation, answering a failure as Apollo answers bad variables without the
 * guard (status 400, BAD_USER_INPUT) rather than as a masked server error: the document is
 * valid by now, so only the request's input can make pricing fail.
 */
function priced(cost: () => number): number {
  try {
    return cost();
  } catch (error) {
    const message =
      error instanceof OperationVariablesError || error instanceof GraphQLError
        ? error.message
        : 'The operation could not be priced with these variables.';
    throw new GraphQLError(message, {
      extensions: { code: GUARD_CODES.badInput, http: { status: 400 } },
      ...(error instanceof Error ? { originalError: error } : {}),
    });
  }
}

/**
 * Runs once the operation is parsed and validated and before the query planner calls any
 * subgraph: refuses introspection from non-admins in production, prices the operation,
 * refuses it over the maximum, and charges the caller's budget (HTTP 429 when empty).
 * Every response of a priced operation carries the figures in `extensions.cost`.
 */
export function operationGuard(options: OperationGuardOptions): ApolloServerPlugin<GatewayContext> {
  // The estimator depends on the schema only; the gateway's schema is static.
  const estimators = new WeakMap<GraphQLSchema, ComplexityEstimator>();
  const estimatorFor = (schema: GraphQLSchema) => {
    let estimator = estimators.get(schema);
    if (!estimator) estimators.set(schema, (estimator = costEstimator(schema)));
    return estimator;
  };

  return {
    async requestDidStart() {
      let report: CostReport | undefined;
      return {
        async didResolveOperation({ schema, document, request, operationName, contextValue }) {
          const actor = contextValue.actor ?? null;
          if (options.production && actor?.role !== 'admin') {
            if (validate(schema, document, [NoSchemaIntrospectionCustomRule]).length > 0) {
              throw new GraphQLError('GraphQL introspection is not allowed here (admins only).', {
                extensions: { code: GUARD_CODES.introspectionDisabled, http: { status: 400 } },
              });
            }
          }
          const caller = callerOf(actor, contextValue.clientIp);
          const requested = priced(() =>
            operationCost(
              schema,
              estimatorFor(schema),
              document,
              request.variables,
              operationName ?? undefined,
            ),
          );
          const maximum = Math.min(options.maxCost, options.budgets.bucketOf(caller).capacity);
          report = { requested, maximum };
          if (requested > maximum) {
            throw new GraphQLError(`Operation cost ${requested} exceeds the maximum of ${maximum}.`, {
              extensions: { code: GUARD_CODES.tooCostly, http: { status: 400 } },
            });
          }
          const decision = await options.budgets.charge(caller, requested);
          if (!decision) return;
          report.budget = {
            capacity: decision.capacity,
            remaining: decision.remaining,
            refillPerSecond: decision.leakPerSecond,
          };
          if (!decision.admitted) {
            const retryAfter = decision.retryAfterSeconds ?? 1;
            report.budget.retryAfterSeconds = retryAfter;
            throw new GraphQLError(`Cost budget used up: retry after ${retryAfter} s.`, {
              extensions: {
                code: GUARD_CODES.rateLimited,
                // The error masking shows messages of errors that carry a correlation id.
                correlationId: contextValue.correlationId,
                http: { status: 429, headers: new HeaderMap([['retry-after', String(retryAfter)]]) },
              },
            });
          }
        },
        async willSendResponse({ response }) {
          if (!report || response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          result.extensions = { ...result.extensions, cost: report };
        },
      };
    },
  };
}
