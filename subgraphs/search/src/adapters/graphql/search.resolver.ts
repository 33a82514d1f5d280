// type-graphql reads decorator metadata through this polyfill.
import 'reflect-metadata';
import { Arg, Directive, Field, ID, Int, ObjectType, Query, Resolver, createUnionType } from 'type-graphql';
import { ErrorResult } from '@marketplace/platform';
import { SEARCH_LIMITS, searchRequest } from '../../domain/product-document.js';
import type { ProductIndex } from '../elasticsearch/product-index.js';

/** Search only points at products; the gateway fills in their fields from products and inventory. */
@Directive('@key(fields: "id", resolvable: false)')
@ObjectType('Product')
export class ProductRef {
  @Field(() => ID)
  id!: string;
}

@ObjectType({ description: 'Published products matching a search, best first.' })
export class ProductSearchResult {
  @Field(() => Int)
  total!: number;

  // Items are nullable: the index can briefly hold a product the catalog no longer shows
  // (unpublished a moment ago); the gateway then returns null for that item, not for the page.
  @Field(() => [ProductRef], { nullable: 'items' })
  products!: ProductRef[];
}

export const SearchProductsResult = createUnionType({
  name: 'SearchProductsResult',
  types: () => [ProductSearchResult, ErrorResult] as const,
  resolveType: (value) => ('code' in value ? ErrorResult : ProductSearchResult),
});

export function createSearchResolver(index: () => ProductIndex) {
  @Resolver()
  class SearchResolver {
    @Query(() => SearchProductsResult, {
      description: `Full-text product search with typo tolerance. At most ${SEARCH_LIMITS.first} results.`,
    })
    async searchProducts(
      @Arg('query', () => String) query: string,
      @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    ): Promise<typeof SearchProductsResult> {
      const request = searchRequest(query, first);
      if (!request.ok) return ErrorResult.of(request.error);
      const { total, productIds } = await index().search(request.value);
      return Object.assign(new ProductSearchResult(), {
        total,
        products: productIds.map((id) => Object.assign(new ProductRef(), { id })),
      });
    }
  }
  return SearchResolver;
}
