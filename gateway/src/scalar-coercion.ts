import type { ApolloServerOptionsWithGateway, BaseContext } from '@apollo/server';
import { withScalarCoercion } from '@marketplace/platform';

type Gateway = ApolloServerOptionsWithGateway<BaseContext>['gateway'];

/**
 * The gateway with the graph's custom scalars coerced where an operation arrives. The
 * supergraph SDL names `SafeInt` but carries no implementation, so on its own the gateway
 * passed 25.99 or "100" for an amount on to a subgraph, which refused the subgraph request
 * (a masked 400 here, INTERNAL_SERVER_ERROR). With the real scalars in the schema Apollo Server
 * validates against, a bad literal is a validation error (GRAPHQL_VALIDATION_FAILED) and a bad
 * variable is refused by the operation guard's coercion as BAD_USER_INPUT (status 400) naming
 * the variable and the path into it (`at "input.price.amount"`). No subgraph is called.
 */
export function coercingScalars(gateway: Gateway): Gateway {
  return {
    onSchemaLoadOrUpdate: (callback) =>
      gateway.onSchemaLoadOrUpdate((loaded) =>
        callback({ ...loaded, apiSchema: withScalarCoercion(loaded.apiSchema) }),
      ),
    load: (options) => gateway.load(options),
    stop: () => gateway.stop(),
  };
}
