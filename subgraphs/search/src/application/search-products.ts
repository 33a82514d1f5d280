import type { Result } from '@marketplace/shared-kernel';
import { searchRequest, type SearchInput, type SearchPage } from '../domain/search-request.js';
import type { ProductSearcher, SearchState } from './ports.js';

export interface SearchDeps {
  state: Pick<SearchState, 'suspendedSellerIds'>;
  searcher: ProductSearcher;
}

/**
 * Validates the search, then asks the index for published products of sellers that are not
 * suspended (read from search's own database on every search, so a suspension applies at once).
 */
export async function searchProducts(
  input: SearchInput,
  options: { withFacets: boolean },
  deps: SearchDeps,
): Promise<Result<SearchPage>> {
  const request = searchRequest(input);
  if (!request.ok) return request;
  const excludedSellerIds = await deps.state.suspendedSellerIds();
  return deps.searcher.search(request.value, { excludedSellerIds, withFacets: options.withFacets });
}
