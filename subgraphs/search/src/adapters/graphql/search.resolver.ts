// type-graphql reads decorator metadata through this polyfill.
import 'reflect-metadata';
import { Arg, Ctx, Info, Int, Query, Resolver } from 'type-graphql';
import type { GraphQLResolveInfo, SelectionSetNode } from 'graphql';
import { ErrorResult, MoneyType, type RequestContext } from '@marketplace/platform';
import { encodeCursor } from '../../domain/cursor.js';
import { SEARCH_LIMITS, type SearchFacets } from '../../domain/search-request.js';
import { searchProducts } from '../../application/search-products.js';
import type { ProductSearcher } from '../../application/ports.js';
import { SqlSearchState } from '../persistence/search-state.js';
import {
  ProductRef,
  ProductSearchFacets,
  ProductSearchFilter,
  ProductSearchPageInfo,
  ProductSearchResult,
  ProductSearchSort,
  SearchProductsResult,
} from './search.types.js';

/** Whether the query selects `field` directly under the resolved field (through fragments too). */
function selects(info: GraphQLResolveInfo, field: string): boolean {
  const visit = (set: SelectionSetNode | undefined): boolean =>
    (set?.selections ?? []).some((selection) => {
      if (selection.kind === 'Field') return selection.name.value === field;
      if (selection.kind === 'InlineFragment') return visit(selection.selectionSet);
      return visit(info.fragments[selection.name.value]?.selectionSet);
    });
  return info.fieldNodes.some((node) => visit(node.selectionSet));
}

function toGraphQL(facets: SearchFacets): ProductSearchFacets {
  return Object.assign(new ProductSearchFacets(), {
    categories: facets.categories,
    priceRanges: facets.priceRanges.map((range) => ({
      min: MoneyType.of({ amount: range.from, currency: range.currency }),
      max: range.to === null ? null : MoneyType.of({ amount: range.to, currency: range.currency }),
      count: range.count,
    })),
    attributes: facets.attributes,
  });
}

/** `searcher` gets the request's entity manager (the Postgres engine reads through it). */
export function createSearchResolver(searcher: (em: RequestContext['em']) => ProductSearcher) {
  @Resolver()
  class SearchResolver {
    @Query(() => SearchProductsResult, {
      description:
        `Full-text product search with typo tolerance over published products, with filters, facets, ` +
        `sorting and cursor pagination (at most ${SEARCH_LIMITS.first} per page). Bad input returns an ErrorResult.`,
    })
    async searchProducts(
      @Ctx() ctx: RequestContext,
      @Info() info: GraphQLResolveInfo,
      @Arg('query', () => String, { defaultValue: '', description: 'Words to match; empty matches all.' })
      query: string,
      @Arg('first', () => Int, { defaultValue: 20 }) first: number,
      @Arg('after', () => String, {
        nullable: true,
        description:
          'The endCursor of the previous page. SEARCH.CURSOR_EXPIRED: the results it paged through ' +
          'are no longer kept (a few minutes after the last page); search again without it.',
      })
      after: string | null,
      @Arg('sort', () => ProductSearchSort, { defaultValue: ProductSearchSort.RELEVANCE })
      sort: ProductSearchSort,
      @Arg('filter', () => ProductSearchFilter, { nullable: true }) filter: ProductSearchFilter | null,
    ): Promise<typeof SearchProductsResult> {
      const result = await searchProducts(
        { text: query, first, after, sort, filter },
        // Aggregations cost more than the hits: computed only when the client asks for them.
        { withFacets: selects(info, 'facets') },
        { state: new SqlSearchState(ctx.em), searcher: searcher(ctx.em) },
      );
      if (!result.ok) return ErrorResult.of(result.error);
      const page = result.value;
      return Object.assign(new ProductSearchResult(), {
        total: page.total,
        products: page.productIds.map((id) => Object.assign(new ProductRef(), { id })),
        pageInfo: Object.assign(new ProductSearchPageInfo(), {
          endCursor: page.endCursor ? encodeCursor(page.endCursor) : null,
          hasNextPage: page.hasNextPage,
        }),
        facets: page.facets ? toGraphQL(page.facets) : null,
      });
    }
  }
  return SearchResolver;
}
