import { GraphQLError, GraphQLScalarType, Kind, print, type GraphQLSchema, type ValueNode } from 'graphql';
import { mapSchema, MapperKind } from '@graphql-tools/utils';
import { minorUnitsHint } from '@marketplace/shared-kernel';

const EXAMPLE = 'amounts are whole numbers of minor units (cents), e.g. 2599 for 25.99';

/**
 * Every `SafeInt` in this graph is an amount in minor units (money amounts, the search price
 * filter, ledger lines), so a value that is not a safe integer is refused with the hint a client
 * needs: 25.99 is "2599". graphql-js prefixes the message with the argument or variable path
 * (`Variable "$input" got invalid value 25.99 at "input.price.amount"; ...`).
 */
function safeInt(value: unknown): number {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  if (typeof value === 'number' && Number.isFinite(value) && !Number.isInteger(value))
    throw new GraphQLError(minorUnitsHint('amount', value));
  if (typeof value === 'number' && Number.isInteger(value))
    throw new GraphQLError(
      `${value} is beyond the safe integer range (±${Number.MAX_SAFE_INTEGER}); ${EXAMPLE}`,
    );
  const given =
    typeof value === 'string' ? `the string "${value}"` : (JSON.stringify(value) ?? String(value));
  throw new GraphQLError(`amount must be a number, not ${given}; ${EXAMPLE}`);
}

/**
 * A literal's error is a plain Error, so graphql-js's validation says where it is:
 * `Expected value of type "SafeInt!", found 25.99; amount must be ...` with its location.
 */
function safeIntLiteral(node: ValueNode): number {
  try {
    if (node.kind === Kind.INT || node.kind === Kind.FLOAT) return safeInt(Number(node.value));
    if (node.kind === Kind.STRING) return safeInt(node.value);
    throw new Error(`amount must be a number, not ${print(node)}; ${EXAMPLE}`);
  } catch (error) {
    throw new Error((error as Error).message, { cause: error });
  }
}

export const SafeIntScalar = new GraphQLScalarType<number, number>({
  name: 'SafeInt',
  specifiedByURL: 'https://www.ecma-international.org/ecma-262/#sec-number.issafeinteger',
  description:
    'A whole number between -(2^53 - 1) and 2^53 - 1. In this graph, always an amount in minor units (2599 for 25.99 EUR).',
  // Output is our own data: a bigint column may arrive as a string of digits (as graphql-scalars
  // accepted); input is the caller's and must be a number.
  serialize: (value) => safeInt(typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value),
  parseValue: (value) => safeInt(value),
  parseLiteral: (node) => safeIntLiteral(node),
});

/** The graph's custom scalars with their coercion; the supergraph SDL carries only their names. */
export const SCALARS: readonly GraphQLScalarType[] = [SafeIntScalar];

/**
 * The same schema with the custom scalars' real coercion. A schema built from SDL (the
 * gateway's, from the supergraph) accepts any value for a custom scalar, so 25.99 for an
 * amount would travel to a subgraph and fail there; with this, validation and variable
 * coercion refuse it where the operation arrives.
 */
export function withScalarCoercion(schema: GraphQLSchema): GraphQLSchema {
  const byName = new Map(SCALARS.map((s) => [s.name, s]));
  return mapSchema(schema, {
    [MapperKind.SCALAR_TYPE]: (type) => {
      const scalar = byName.get(type.name);
      return scalar
        ? new GraphQLScalarType({
            ...type.toConfig(),
            serialize: scalar.serialize,
            parseValue: scalar.parseValue,
            parseLiteral: scalar.parseLiteral,
          })
        : type;
    },
  });
}
