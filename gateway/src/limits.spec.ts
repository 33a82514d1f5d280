import { describe, expect, it } from '@jest/globals';
import { buildSchema, getIntrospectionQuery, Kind, parse, specifiedRules, validate } from 'graphql';
import { introspectionDepth, operationLimits, OPERATION_LIMITS } from './limits.js';

const schema = buildSchema(`
  type Category { id: ID! name: String! children: [Category!]! }
  type Query { categories: [Category!]! }
`);

const depthOf = (query: string) => {
  const document = parse(query);
  const fragments = new Map(
    document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d]] : [])),
  );
  const operation = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION)!;
  return introspectionDepth(operation.selectionSet, fragments);
};

/** The gateway's validation rules (graphql-armor's and ours) on top of graphql-js's own. */
const refusals = (query: string) =>
  validate(schema, parse(query), [...specifiedRules, ...operationLimits(false).validationRules]).map(
    (e) => e.message,
  );

// The explorer is GraphiQL 4 with its defaults: it sends graphql-js's getIntrospectionQuery with
// inputValueDeprecation and schemaDescription off (@graphiql/react's SchemaContextProvider).
const explorerIntrospection = getIntrospectionQuery({
  inputValueDeprecation: false,
  schemaDescription: false,
});
const nested = (levels: number) =>
  `{ __schema { types { fields { type { ${'ofType { '.repeat(levels)}name${' }'.repeat(levels)} } } } } }`;

describe('the introspection depth limit', () => {
  it("sits just above the depth of GraphiQL's introspection query, with or without its options", () => {
    const depths = [
      depthOf(explorerIntrospection),
      depthOf(getIntrospectionQuery({ inputValueDeprecation: true, schemaDescription: true })),
      depthOf(getIntrospectionQuery({ oneOf: true, specifiedByUrl: true, directiveIsRepeatable: true })),
    ];
    expect(depths).toEqual([15, 15, 15]);
    expect(OPERATION_LIMITS.maxIntrospectionDepth).toBeGreaterThan(Math.max(...depths));
    expect(OPERATION_LIMITS.maxIntrospectionDepth).toBeLessThanOrEqual(Math.max(...depths) + 2);
  });

  it("lets the explorer's introspection query through", () => {
    expect(refusals(explorerIntrospection)).toEqual([]);
  });

  it('refuses a 40-deep introspection query, which the general depth rule does not look at', () => {
    expect(depthOf(nested(40))).toBe(45);
    expect(refusals(nested(40))).toEqual([
      `Introspection depth limit of ${OPERATION_LIMITS.maxIntrospectionDepth} exceeded, found 45.`,
    ]);
  });

  it('counts fragments where they are spread, also under __type', () => {
    const viaFragments = `{ __type(name: "Category") { ...F } }
      fragment F on __Type { fields { type { ...R } } }
      fragment R on __Type { ${'ofType { '.repeat(20)}name${' }'.repeat(20)} }`;
    expect(depthOf(viaFragments)).toBe(24);
    expect(refusals(viaFragments)).toContainEqual(
      expect.stringMatching(/^Introspection depth limit of \d+ exceeded/),
    );
  });

  it('leaves operations without introspection to the general depth limit', () => {
    const deep = `{ categories { ${'children { '.repeat(20)}id${' }'.repeat(20)} } }`;
    expect(depthOf(deep)).toBe(0);
    expect(refusals(deep)).toEqual([expect.stringMatching(/depth limit of 12 exceeded/i)]);
  });
});
