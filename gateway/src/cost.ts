import {
  getArgumentValues,
  getNamedType,
  getOperationAST,
  getVariableValues,
  getNullableType,
  isCompositeType,
  isListType,
  Kind,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLError,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';

/**
 * The cost model (documented in the README): what an operation may make the subgraphs do,
 * estimated from the document alone, before anything runs.
 */
export const COST_MODEL = {
  /** A field returning an object (or a list of them): one lookup, however many fields it selects. */
  object: 1,
  /** Scalars and enums come with their object's row; the field-count limit bounds how many. */
  scalar: 0,
  /** Each root mutation field: a write, a transaction and usually events. */
  mutation: 10,
  /** Items assumed for a list field whose size nothing in the operation states. */
  defaultListSize: 10,
  /** Arguments that bound how many items a field returns. */
  sizeArguments: ['first', 'limit'],
} as const;

/** Per operation: the list fields selected directly on a sized page, with the page's size. */
interface CostContext {
  pageItems: Map<FieldNode, number>;
}

/**
 * Builds the estimator for one schema. Introspection is free. Every object field costs 1 plus its selection, scalars
 * nothing, root mutation fields 10 more. A list field multiplies its cost and its selection's by
 * its items: its own `first`/`limit`; for a list selected directly on a sized page (the page's
 * items: `products(first: 20) { items { ... } }`, a connection's `nodes`; every page type here
 * has exactly one) the page's size; else `defaultListSize`. The page's other fields (a cursor,
 * facets) count once.
 */
export function costEstimator(schema: GraphQLSchema): ComplexityEstimator {
  const mutationType = schema.getMutationType();
  return ({ type, field, node, args, childComplexity, context }) => {
    // Introspection (__schema, __type and the meta types under them) is answered by the gateway
    // from the schema it holds, without any subgraph call; depth and token limits bound it, and
    // production allows it to admins only. Priced like data it would cost thousands (the
    // explorer's own schema query: about 16,000) and the explorer could not load the schema.
    if (field.name.startsWith('__') || type.name.startsWith('__')) return 0;
    const composite = isCompositeType(getNamedType(field.type));
    const own =
      (composite ? COST_MODEL.object : COST_MODEL.scalar) + (type === mutationType ? COST_MODEL.mutation : 0);
    if (!isListType(getNullableType(field.type))) return own + childComplexity;
    const pageSize = (context as CostContext | undefined)?.pageItems.get(node);
    const items = sizeArgument(args) ?? pageSize ?? COST_MODEL.defaultListSize;
    return items * (own + childComplexity);
  };
}

/**
 * The size a `first`/`limit` argument asks for, at least 1: the subgraphs answer 0 or a negative
 * size with at least one item, so pricing it lower would let nested lists go unpriced.
 * (No upper clamp: each subgraph caps its own page sizes and the gateway does not know them.)
 */
function sizeArgument(args: Record<string, unknown>): number | undefined {
  for (const name of COST_MODEL.sizeArguments) {
    const value = args[name];
    if (typeof value === 'number' && Number.isFinite(value)) return Math.max(1, value);
  }
  return undefined;
}

/**
 * The operation's variables do not fit its declarations (a wrong type, a missing required one):
 * bad input that prices nothing. `errors` are graphql's own coercion errors, safe to show.
 */
export class OperationVariablesError extends Error {
  constructor(readonly errors: readonly GraphQLError[]) {
    super(errors.map((e) => e.message).join('\n'));
    this.name = 'OperationVariablesError';
  }
}

/**
 * The operation's variables coerced against its declarations, defaults applied, as execution
 * would see them. Throws OperationVariablesError when they do not fit.
 */
function coercedVariables(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | undefined,
): Record<string, unknown> {
  const operation = getOperationAST(document, operationName);
  if (!operation) return {};
  const result = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {});
  if (result.errors) throw new OperationVariablesError(result.errors);
  return result.coerced;
}

/**
 * Finds the sized pages (a non-list field with `first`/`limit`) and maps each list field
 * selected directly on one (through inline fragments and fragment spreads too) to its size.
 */
function pageItems(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown>,
  operationName: string | undefined,
): Map<FieldNode, number> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions)
    if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const items = new Map<FieldNode, number>();
  const directFields = function* (set: SelectionSetNode, seen: Set<string>): Generator<FieldNode> {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) yield selection;
      else if (selection.kind === Kind.INLINE_FRAGMENT) yield* directFields(selection.selectionSet, seen);
      else {
        const fragment = fragments.get(selection.name.value);
        if (!fragment || seen.has(fragment.name.value)) continue;
        yield* directFields(fragment.selectionSet, new Set([...seen, fragment.name.value]));
      }
    }
  };
  // Only the operation that runs (and the fragments): a document may hold other operations
  // (the explorer's saved tabs do) whose variables this request does not carry.
  const operation = getOperationAST(document, operationName);
  if (!operation) return items;
  const typeInfo = new TypeInfo(schema);
  visit(
    { kind: Kind.DOCUMENT, definitions: [operation, ...fragments.values()] },
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const definition = typeInfo.getFieldDef();
        if (!definition || !node.selectionSet || isListType(getNullableType(definition.type))) return;
        const size = sizeOf(() => getArgumentValues(definition, node, variables));
        if (size === undefined) return;
        for (const item of directFields(node.selectionSet, new Set())) {
          items.set(item, Math.max(items.get(item) ?? 0, size));
        }
      },
    }),
  );
  return items;
}

/**
 * The page size of a field's arguments; none when they cannot be read with this request's
 * variables (a fragment that only another operation of the document spreads).
 */
function sizeOf(argumentsOf: () => Record<string, unknown>): number | undefined {
  try {
    return sizeArgument(argumentsOf());
  } catch {
    return undefined;
  }
}

/**
 * The estimated cost of the operation `operationName` in `document` (already validated), with
 * its variables (a size passed as a variable counts at its value; an omitted one at its default).
 * Throws OperationVariablesError when the variables do not fit the operation's declarations.
 */
export function operationCost(
  schema: GraphQLSchema,
  estimator: ComplexityEstimator,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | undefined,
): number {
  // Coerced first, so bad input is told apart from a failure here, and defaults count.
  const coerced = coercedVariables(schema, document, variables, operationName);
  const context: CostContext = { pageItems: pageItems(schema, document, coerced, operationName) };
  // getComplexity coerces the raw variables itself (coercing coerced ones twice could reject
  // custom scalars); after the check above that cannot fail.
  return getComplexity({
    schema,
    query: document,
    estimators: [estimator],
    context,
    ...(variables ? { variables } : {}),
    ...(operationName ? { operationName } : {}),
  });
}
