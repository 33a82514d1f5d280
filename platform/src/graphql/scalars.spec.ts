import { describe, expect, it } from '@jest/globals';
import { buildSchema, getVariableValues, parse, validate, type OperationDefinitionNode } from 'graphql';
import { SafeIntScalar, withScalarCoercion } from './scalars.js';

// What the gateway builds from the supergraph: a custom scalar without an implementation.
const fromSdl = buildSchema(`
  scalar SafeInt
  input MoneyInput { amount: SafeInt!, currency: String! }
  input PriceInput { price: MoneyInput! }
  type Query { ok(input: PriceInput, min: SafeInt): Boolean }
`);
const schema = withScalarCoercion(fromSdl);

function variableErrors(variables: Record<string, unknown>) {
  const operation = parse('query($input: PriceInput) { ok(input: $input) }')
    .definitions[0] as OperationDefinitionNode;
  const { errors } = getVariableValues(schema, operation.variableDefinitions ?? [], variables);
  return errors?.map((e) => e.message);
}

const price = (amount: unknown) => ({ input: { price: { amount, currency: 'EUR' } } });

describe('SafeInt coercion', () => {
  it('a schema built from SDL accepts 25.99; with the coercion, validation refuses it', () => {
    const literal = parse('{ ok(min: 25.99) }');
    expect(validate(fromSdl, literal)).toEqual([]);
    expect(validate(schema, literal).map((e) => e.message)).toEqual([
      'Expected value of type "SafeInt", found 25.99; amount must be a whole number of minor units (cents): 2599 for 25.99',
    ]);
  });

  it.each([
    [25.99, 'amount must be a whole number of minor units (cents): 2599 for 25.99'],
    [10.5, 'amount must be a whole number of minor units (cents): 1050 for 10.5'],
    [2 ** 53, 'is beyond the safe integer range'],
    ['100', 'amount must be a number, not the string "100"'],
  ])('names the path to %j and says amounts are minor units', (amount, says) => {
    const [message] = variableErrors(price(amount)) ?? [];
    expect(message).toContain(`at "input.price.amount"; `);
    expect(message).toContain(says);
  });

  it('serializes amounts read as digit strings (bigint columns), never a fraction', () => {
    expect(SafeIntScalar.serialize('2599')).toBe(2599);
    expect(() => SafeIntScalar.serialize(25.99)).toThrow(/2599 for 25.99/);
  });

  it('accepts safe integers', () => {
    expect(variableErrors(price(2599))).toBeUndefined();
    expect(validate(schema, parse('{ ok(min: 9007199254740991) }'))).toEqual([]);
  });
});
