import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { ParseOptions } from 'graphql';

/**
 * Operation limits. All are checked before the query planner or any subgraph sees the
 * operation: the token count while parsing, the others as validation rules.
 */
export const OPERATION_LIMITS = {
  maxTokens: 2000,
  maxDepth: 12,
  maxAliases: 15,
  /** graphql-armor's cost model: 2 per object, 1 per scalar, times 1.5 per level of depth. */
  maxCost: 5000,
  maxDirectives: 50,
} as const;

export function operationLimits(production: boolean) {
  const armor = new ApolloArmor({
    maxDepth: { n: OPERATION_LIMITS.maxDepth },
    maxAliases: { n: OPERATION_LIMITS.maxAliases },
    costLimit: { maxCost: OPERATION_LIMITS.maxCost },
    maxDirectives: { n: OPERATION_LIMITS.maxDirectives },
    // graphql-js enforces the token limit itself (parseOptions below): a parse error is a 400
    // that goes through error masking, where armor's parser plugin answers with a bare 500.
    maxTokens: { enabled: false },
    // Suggestions ("Did you mean ...?") let anyone map a schema that has introspection off.
    blockFieldSuggestion: { enabled: production },
  }).protect();
  const parseOptions: ParseOptions = { maxTokens: OPERATION_LIMITS.maxTokens };
  return { ...armor, parseOptions };
}
