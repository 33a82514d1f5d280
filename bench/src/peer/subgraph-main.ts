import { readFile } from 'node:fs/promises';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { parse } from 'graphql';
import type { PeerBenchSubgraph } from '@marketplace/platform';
import { PRODUCTS, REVIEWS, USERS, shippingEstimate, type PeerReview } from './data.js';

/**
 * One peer-workload subgraph per process (PEER_SUBGRAPH=accounts|inventory|products|reviews,
 * PORT), schema-first from bench/peer/<name>.graphql over the static data in data.ts.
 */
type Ref = Record<string, unknown>;
const byId = <T extends Record<K, string>, K extends keyof T>(rows: T[], key: K) =>
  new Map(rows.map((row) => [row[key], row]));
const users = byId(USERS, 'id');
const products = byId(PRODUCTS, 'upc');
const reviews = byId(REVIEWS, 'id');
const reviewView = (r: PeerReview) => ({
  id: r.id,
  body: r.body,
  authorId: r.authorId,
  productUpc: r.productUpc,
});

/** One stand-in per peerBench entry of the registry: the compiler refuses a missing one. */
const RESOLVERS: Record<PeerBenchSubgraph, GraphQLResolverMap<unknown>> = {
  accounts: {
    Query: {
      me: () => USERS[0],
      user: (_: unknown, { id }: { id: string }) => users.get(id) ?? null,
      users: () => USERS,
    },
    User: { __resolveReference: (ref: Ref) => users.get(ref.id as string) ?? null },
  },
  inventory: {
    Product: {
      __resolveReference: (ref: Ref) => ({
        ...ref,
        inStock: products.get(ref.upc as string)?.inStock ?? false,
      }),
      shippingEstimate: (p: Ref) => shippingEstimate(p.price as number, p.weight as number),
    },
  },
  products: {
    Query: { topProducts: (_: unknown, { first }: { first: number }) => PRODUCTS.slice(0, first) },
    Product: { __resolveReference: (ref: Ref) => products.get(ref.upc as string) ?? null },
  },
  reviews: {
    Review: {
      __resolveReference: (ref: Ref) => {
        const review = reviews.get(ref.id as string);
        return review ? reviewView(review) : null;
      },
      product: (r: PeerReview) => ({ upc: r.productUpc }),
      // The reviews subgraph keeps its own copy of usernames, which lets it provide them.
      author: (r: PeerReview) => ({ id: r.authorId, username: users.get(r.authorId)!.username }),
    },
    User: {
      __resolveReference: (ref: Ref) => ({ id: ref.id }),
      reviews: (u: Ref) => REVIEWS.filter((r) => r.authorId === u.id),
    },
    Product: {
      __resolveReference: (ref: Ref) => ({ upc: ref.upc }),
      reviews: (p: Ref) => REVIEWS.filter((r) => r.productUpc === p.upc),
    },
  },
};

const name = process.env.PEER_SUBGRAPH ?? '';
const resolvers = Object.hasOwn(RESOLVERS, name) ? RESOLVERS[name as PeerBenchSubgraph] : undefined;
if (!resolvers) throw new Error(`PEER_SUBGRAPH must be one of ${Object.keys(RESOLVERS).join(', ')}`);
const sdl = await readFile(new URL(`../../peer/${name}.graphql`, import.meta.url), 'utf8');
const server = new ApolloServer({
  schema: buildSubgraphSchema({ typeDefs: parse(sdl), resolvers }),
  // No gateway here reports usage, so no trace is asked for.
  plugins: [ApolloServerPluginInlineTraceDisabled()],
});
const { url } = await startStandaloneServer(server, {
  listen: { port: Number(process.env.PORT), host: '127.0.0.1' },
});
console.log(`peer ${name} subgraph listening on ${url}`);
