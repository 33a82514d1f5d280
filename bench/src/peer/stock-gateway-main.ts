import { readFile } from 'node:fs/promises';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';

/**
 * The baseline of the peer workload: a stock @apollo/gateway in a stock @apollo/server
 * standalone server, configured as its documentation shows, with nothing of ours.
 * SUPERGRAPH_PATH, PORT and <NAME>_URL per subgraph come from the environment.
 */
const supergraphSdl = await readFile(process.env.SUPERGRAPH_PATH!, 'utf8');
const gateway = new ApolloGateway({
  supergraphSdl,
  buildService: ({ name, url }) =>
    new RemoteGraphQLDataSource({ url: process.env[`${name.toUpperCase()}_URL`] ?? url }),
});
const server = new ApolloServer({ gateway });
const { url } = await startStandaloneServer(server, {
  listen: { port: Number(process.env.PORT), host: '127.0.0.1' },
});
console.log(`stock gateway listening on ${url}`);
