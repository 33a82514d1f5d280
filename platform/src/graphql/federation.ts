import { buildSubgraphSchema } from '@apollo/subgraph';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import { buildSchema, createResolversMap, type NonEmptyArray } from 'type-graphql';
import { parse, type GraphQLSchema } from 'graphql';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import type { RequestContext } from './context.js';

const FEDERATION_LINK =
  'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable", "@external", "@requires", "@provides", "@inaccessible"])';

/**
 * Apollo's cache-hint directive (read by the cache-control plugin in subgraph.ts); defined in
 * every subgraph so types can carry it. Composition drops the directive; the enum stays out of the API.
 */
const CACHE_CONTROL = `enum CacheControlScope @inaccessible {
  PUBLIC
  PRIVATE
}

directive @cacheControl(maxAge: Int, scope: CacheControlScope, inheritMaxAge: Boolean) on FIELD_DEFINITION | OBJECT | INTERFACE | UNION`;

/** Resolves an entity from its key fields: `{ __typename, id }` -> the object or null. */
export type ReferenceResolver<T = unknown> = (
  reference: { __typename: string } & Record<string, unknown>,
  context: RequestContext,
) => Promise<T | null> | T | null;

export interface FederatedSchemaOptions {
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  resolvers: NonEmptyArray<Function>;
  /** Types that no resolver returns but the subgraph contributes to (e.g. an extended entity). */
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  orphanedTypes?: Function[];
  /** Per entity type name; each must batch through a per-request DataLoader. */
  referenceResolvers: Record<string, ReferenceResolver>;
}

/**
 * Code-first subgraph: type-graphql builds the schema; its printed SDL keeps the federation
 * directives from the types' AST nodes (type-graphql's own printer drops them) and gets the
 * Federation 2 `@link`; @apollo/subgraph then adds `_entities` and `_service`.
 */
export async function buildFederatedSchema(
  options: FederatedSchemaOptions,
): Promise<{ schema: GraphQLSchema; sdl: string }> {
  const base = await buildSchema({
    resolvers: options.resolvers,
    orphanedTypes: options.orphanedTypes,
    validate: false,
    emitSchemaFile: false,
  });
  const sdl = `${FEDERATION_LINK}\n\n${CACHE_CONTROL}\n\n${printSchemaWithDirectives(base)}`;
  const resolvers = createResolversMap(base) as GraphQLResolverMap<RequestContext>;
  for (const [typeName, resolveReference] of Object.entries(options.referenceResolvers)) {
    const existing = (resolvers[typeName] ?? {}) as Record<string, unknown>;
    resolvers[typeName] = { ...existing, __resolveReference: resolveReference } as never;
  }
  const schema = buildSubgraphSchema({
    typeDefs: parse(sdl),
    resolvers: resolvers as GraphQLResolverMap<unknown>,
  });
  return { schema, sdl };
}
