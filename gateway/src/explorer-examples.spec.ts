import { readFile } from 'node:fs/promises';
import { describe, expect, it } from '@jest/globals';
import { ApolloGateway } from '@apollo/gateway';
import { parse, validate, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { costEstimator, operationCost } from './cost.js';
import { EXAMPLE_TABS } from './explorer-examples.js';
import { SUPERGRAPH_SDL_PATH } from './supergraph-config.js';

/** The public (API) schema the gateway serves, from the committed supergraph, without any subgraph. */
async function apiSchema(): Promise<GraphQLSchema> {
  const gateway = new ApolloGateway({ supergraphSdl: await readFile(SUPERGRAPH_SDL_PATH, 'utf8') });
  const { schema } = await gateway.load();
  await gateway.stop();
  return schema;
}

describe('the explorer example tabs', () => {
  it('cover the storefront, buyer, seller and admin', () => {
    expect(EXAMPLE_TABS.map((t) => t.role)).toEqual(['storefront', 'buyer', 'seller', 'admin']);
  });

  it('are valid against the supergraph and each operation fits the cost ceiling', async () => {
    const schema = await apiSchema();
    const estimator = costEstimator(schema);
    for (const tab of EXAMPLE_TABS) {
      const document = parse(tab.query);
      expect({ role: tab.role, errors: validate(schema, document).map((e) => e.message) }).toEqual({
        role: tab.role,
        errors: [],
      });
      for (const operation of document.definitions as OperationDefinitionNode[]) {
        const name = operation.name!.value;
        expect(name.toLowerCase().startsWith(tab.role)).toBe(true);
        // Every variable an operation declares has an example value in the tab.
        for (const v of operation.variableDefinitions ?? [])
          expect([name, v.variable.name.value in tab.variables]).toEqual([name, true]);
        // Priced alone, as the explorer sends the whole tab but the gateway runs the one picked.
        const alone = { ...document, definitions: [operation] };
        expect(operationCost(schema, estimator, alone, tab.variables, name)).toBeLessThan(5000);
      }
    }
  });
});
