import { ApolloArmor } from '@escape.tech/graphql-armor';
import {
  GraphQLError,
  Kind,
  type ASTVisitor,
  type FragmentDefinitionNode,
  type ParseOptions,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';

/**
 * Operation limits. All are checked before the query planner or any subgraph sees the
 * operation: the token count while parsing, the others as validation rules. The cost limit
 * (our own model, `cost.ts`) is checked right after validation, in `operation-guard.ts`.
 */
export const OPERATION_LIMITS = {
  maxTokens: 2000,
  maxDepth: 12,
  maxAliases: 15,
  /** Fields selected in total, each fragment counted every time it is spread. */
  maxFields: 500,
  maxDirectives: 50,
} as const;

export function operationLimits(production: boolean) {
  const armor = new ApolloArmor({
    maxDepth: { n: OPERATION_LIMITS.maxDepth },
    maxAliases: { n: OPERATION_LIMITS.maxAliases },
    // The gateway prices operations with its own model (cost.ts), which it also reports.
    costLimit: { enabled: false },
    maxDirectives: { n: OPERATION_LIMITS.maxDirectives },
    // graphql-js enforces the token limit itself (parseOptions below): a parse error is a 400
    // that goes through error masking, where armor's parser plugin answers with a bare 500.
    maxTokens: { enabled: false },
    // Suggestions ("Did you mean ...?") let anyone map a schema that has introspection off.
    blockFieldSuggestion: { enabled: production },
  }).protect();
  const parseOptions: ParseOptions = { maxTokens: OPERATION_LIMITS.maxTokens };
  return {
    ...armor,
    validationRules: [...armor.validationRules, maxFieldsRule(OPERATION_LIMITS.maxFields)],
    parseOptions,
  };
}

/**
 * Refuses an operation selecting more than `max` fields in total. Fragments are expanded where
 * they are spread, so a few fragments spread into each other (a "fragment bomb") count as the
 * fields they would make the gateway resolve. Counting stops at `max + 1`; a fragment cycle is
 * left to graphql-js's own rule (NoFragmentCycles), so this one only guards against looping.
 */
export function maxFieldsRule(max: number) {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const definition of context.getDocument().definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    }
    const count = (set: SelectionSetNode, visiting: Set<string>, budget: number): number => {
      let fields = 0;
      for (const selection of set.selections) {
        if (fields > budget) break;
        if (selection.kind === Kind.FIELD) {
          fields += 1;
          if (selection.selectionSet) fields += count(selection.selectionSet, visiting, budget - fields);
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          fields += count(selection.selectionSet, visiting, budget - fields);
        } else {
          const name = selection.name.value;
          const fragment = fragments.get(name);
          if (!fragment || visiting.has(name)) continue;
          visiting.add(name);
          fields += count(fragment.selectionSet, visiting, budget - fields);
          visiting.delete(name);
        }
      }
      return fields;
    };
    return {
      OperationDefinition(operation) {
        const fields = count(operation.selectionSet, new Set(), max);
        if (fields > max) {
          context.reportError(
            new GraphQLError(`Field limit of ${max} exceeded: the operation selects more fields.`, {
              nodes: [operation],
              extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
            }),
          );
        }
      },
    };
  };
}
