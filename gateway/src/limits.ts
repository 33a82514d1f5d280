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
  /**
   * Depth of introspection (`__schema`, which graphql-armor's depth rule skips, and `__type`).
   * GraphiQL's introspection query, the one the explorer sends, is 15 deep (`__schema { types {
   * fields { args { type { ...TypeRef } } } } }`, TypeRef nesting `ofType` nine times;
   * limits.spec.ts measures it); anything deeper only makes the gateway walk the schema.
   */
  maxIntrospectionDepth: 16,
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
    validationRules: [
      ...armor.validationRules,
      maxFieldsRule(OPERATION_LIMITS.maxFields),
      maxIntrospectionDepthRule(OPERATION_LIMITS.maxIntrospectionDepth),
    ],
    parseOptions,
  };
}

const INTROSPECTION_ROOTS = new Set(['__schema', '__type']);

/**
 * The depth of the deepest introspection field (`__schema` or `__type`, counted as level 1, as
 * graphql-armor counts an operation's fields) of an operation, fragments expanded where they
 * are spread. 0 when it introspects nothing. A fragment already being expanded is not entered
 * again (cycles are graphql-js's NoFragmentCycles error).
 */
export function introspectionDepth(
  set: SelectionSetNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
): number {
  const depthOf = (selections: SelectionSetNode, visiting: Set<string>, within: boolean): number => {
    let deepest = 0;
    for (const selection of selections.selections) {
      if (selection.kind === Kind.FIELD) {
        const inside = within || INTROSPECTION_ROOTS.has(selection.name.value);
        const below = selection.selectionSet ? depthOf(selection.selectionSet, visiting, inside) : 0;
        // Outside introspection a field only leads to one: it adds a level only above one found.
        deepest = Math.max(deepest, inside || below > 0 ? 1 + below : 0);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        deepest = Math.max(deepest, depthOf(selection.selectionSet, visiting, within));
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (!fragment || visiting.has(name)) continue;
        visiting.add(name);
        deepest = Math.max(deepest, depthOf(fragment.selectionSet, visiting, within));
        visiting.delete(name);
      }
    }
    return deepest;
  };
  return depthOf(set, new Set(), false);
}

/**
 * Refuses an introspection selection deeper than `max`. graphql-armor's depth rule leaves
 * `__schema` out so that tools can load the schema, which also let `types { fields { type {
 * ofType { ofType ... } } } }` go as deep as the token limit allows.
 */
export function maxIntrospectionDepthRule(max: number) {
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(operation) {
      const depth = introspectionDepth(operation.selectionSet, fragmentsOf(context));
      if (depth > max) {
        context.reportError(
          new GraphQLError(`Introspection depth limit of ${max} exceeded, found ${depth}.`, {
            nodes: [operation],
            extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
          }),
        );
      }
    },
  });
}

function fragmentsOf(context: ValidationContext): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of context.getDocument().definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  return fragments;
}

/**
 * Refuses an operation selecting more than `max` fields in total. Fragments are expanded where
 * they are spread, so a few fragments spread into each other (a "fragment bomb") count as the
 * fields they would make the gateway resolve. Counting stops at `max + 1`; a fragment cycle is
 * left to graphql-js's own rule (NoFragmentCycles), so this one only guards against looping.
 */
export function maxFieldsRule(max: number) {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = fragmentsOf(context);
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
