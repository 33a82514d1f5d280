import { describe, expect, it } from '@jest/globals';
import { buildSchema, getIntrospectionQuery, parse } from 'graphql';
import { costEstimator, operationCost, OperationVariablesError } from './cost.js';

const schema = buildSchema(`
  type Query {
    products(first: Int! = 20, after: String): ProductPage!
    myCoupons(limit: Int! = 50): [Coupon!]!
    categories: [Category!]!
    product(id: ID!): Product
  }
  type Mutation { rename(id: ID!, name: String!): Product }
  type ProductPage { items: [Product!]! nextCursor: String facets: Facets! }
  type Facets { categories: [Facet!]! }
  type Facet { id: ID! }
  type Product { id: ID! name: String! tags: [String!]! seller: Seller variants: [Variant!]! }
  type Seller { id: ID! name: String! }
  type Variant { sku: String! }
  type Coupon { id: ID! code: String! }
  type Category { id: ID! children: [Category!]! }
`);
const estimator = costEstimator(schema);
const cost = (query: string, variables?: Record<string, unknown>) =>
  operationCost(schema, estimator, parse(query), variables, undefined);

describe('the cost model', () => {
  it('charges 1 per object field and nothing for scalars or scalar lists', () => {
    expect(cost('{ product(id: "1") { id name tags seller { id name } } }')).toBe(2);
  });

  it("multiplies a sized page's item list by the page's size, and its other fields not", () => {
    // 1 for the page + 3 x (item 1 + seller 1) + facets once (1 + 10 assumed categories)
    expect(
      cost('{ products(first: 3) { items { id seller { name } } nextCursor facets { categories { id } } } }'),
    ).toBe(18);
    expect(cost('{ products { items { id } } }')).toBe(21); // the default size, 20
    // Through a fragment, too.
    expect(cost('{ products(first: 4) { ...P } } fragment P on ProductPage { items { id } }')).toBe(5);
  });

  it('multiplies a sized list by its size, and an unsized list by 10', () => {
    expect(cost('{ myCoupons(limit: 4) { id code } }')).toBe(4);
    expect(cost('{ categories { id children { id } } }')).toBe(10 * (1 + 10));
    // Unsized lists nest: each product's variants are 10 more lookups.
    expect(cost('{ products(first: 2) { items { variants { sku } } } }')).toBe(1 + 2 * (1 + 10));
  });

  it('lets introspection, which no subgraph answers, cost nothing (the explorer loads the schema so)', () => {
    expect(cost(getIntrospectionQuery())).toBe(0);
    expect(
      cost('{ __type(name: "Product") { fields { name type { name } } } product(id: "1") { id } }'),
    ).toBe(1);
  });

  it('prices the chosen operation of a document with several, whose other variables are absent', () => {
    // As the explorer sends its saved tabs: every operation, the one to run named.
    const document = parse(`
      query Latest($n: Int!) { products(first: $n) { items { id } } }
      query Page($id: ID!, $size: Int!) { product(id: $id) { id } products(first: $size) { items { id } } }
    `);
    expect(operationCost(schema, estimator, document, { n: 3 }, 'Latest')).toBe(4);
    expect(operationCost(schema, estimator, document, { id: '1', size: 2 }, 'Page')).toBe(1 + 3);
  });

  it('counts a size given as a variable at its value, and adds 10 per root mutation field', () => {
    expect(cost('query($n: Int!) { products(first: $n) { items { id } } }', { n: 50 })).toBe(51);
    expect(cost('mutation { rename(id: "1", name: "x") { id seller { id } } }')).toBe(12);
  });

  it("counts an omitted variable at the variable's default, as a literal of that size", () => {
    const items = '{ items { id } }';
    expect(cost(`query($n: Int = 100) { products(first: $n) ${items} }`)).toBe(101);
    expect(cost(`query($n: Int = 100) { products(first: $n) ${items} }`, {})).toBe(
      cost(`{ products(first: 100) ${items} }`),
    );
    expect(cost(`query($n: Int = 100) { myCoupons(limit: $n) { id } }`)).toBe(100);
  });

  it('prices a page size of 0 or below as 1, as the subgraphs clamp it', () => {
    expect(cost('{ products(first: 0) { items { id variants { sku } } } }')).toBe(1 + 1 * (1 + 10));
    expect(cost('query($n: Int!) { products(first: $n) { items { id } } }', { n: -5 })).toBe(2);
    expect(cost('{ myCoupons(limit: -3) { id } }')).toBe(1);
  });

  it('refuses variables that do not fit their declarations with a typed error', () => {
    const query = 'query($n: Int!) { products(first: $n) { items { id } } }';
    for (const variables of [{ n: 'abc' }, {}, undefined]) {
      expect(() => cost(query, variables)).toThrow(OperationVariablesError);
    }
    expect(() => cost(query, { n: 'abc' })).toThrow(/Variable "\$n" got invalid value "abc"/);
  });
});
