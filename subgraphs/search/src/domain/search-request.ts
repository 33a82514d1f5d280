import { Guard, combine, domainError, err, isCurrency, ok, type Result } from '@marketplace/shared-kernel';
import { SORTS, decodeCursor, type CursorPosition, type SearchSort } from './cursor.js';

export const SEARCH_LIMITS = {
  text: 200,
  first: 50,
  /** Ids per list filter (categories, sellers). */
  ids: 20,
  attributeFilters: 10,
  valuesPerAttribute: 20,
  attributeName: 60,
  attributeValue: 200,
} as const;

/**
 * Price facet bucket edges in minor units, the same for every currency: [0, 1000), [1000, 2500),
 * [2500, 5000), [5000, 10000), [10000, 25000), [25000, 50000), [50000, ∞). With two-digit
 * currencies that is 0–10, 10–25, 25–50, 50–100, 100–250, 250–500, 500+.
 */
export const PRICE_BUCKET_EDGES = [0, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000] as const;

export interface PriceFilter {
  currency: string;
  /** Inclusive bounds in minor units; a product matches when any variant price is within. */
  min: number | null;
  max: number | null;
}

export interface AttributeFilter {
  name: string;
  /** Any of these values (OR); several attribute filters combine with AND. */
  values: string[];
}

export interface SearchFilter {
  /** Any of these categories or their descendants. */
  categoryIds: string[];
  sellerIds: string[];
  price: PriceFilter | null;
  /** true: only in stock; false: only out of stock; null: either. */
  inStock: boolean | null;
  attributes: AttributeFilter[];
}

export interface SearchRequest {
  text: string;
  first: number;
  sort: SearchSort;
  after: CursorPosition | null;
  filter: SearchFilter;
}

/** What the GraphQL edge hands over, before validation. */
export interface SearchInput {
  text: string;
  first: number;
  sort?: string | null;
  after?: string | null;
  filter?: {
    categoryIds?: readonly string[] | null;
    sellerIds?: readonly string[] | null;
    price?: { currency: string; min?: number | null; max?: number | null } | null;
    inStock?: boolean | null;
    attributes?: readonly { name: string; values: readonly string[] }[] | null;
  } | null;
}

export const NO_FILTER: SearchFilter = {
  categoryIds: [],
  sellerIds: [],
  price: null,
  inStock: null,
  attributes: [],
};

/** Validates a search at the edge of the domain: every rejection has a stable code and field. */
export function searchRequest(input: SearchInput): Result<SearchRequest> {
  const basics = combine(
    Guard.text('query', input.text, { min: 0, max: SEARCH_LIMITS.text }),
    Guard.integer('first', input.first, { min: 1, max: SEARCH_LIMITS.first }),
  );
  if (!basics.ok) return basics;
  const sort = (input.sort ?? 'RELEVANCE') as SearchSort;
  if (!SORTS.includes(sort))
    return err(domainError('VALIDATION.UNKNOWN_VALUE', `sort must be one of ${SORTS.join(', ')}`, 'sort'));
  let after: CursorPosition | null = null;
  if (input.after !== undefined && input.after !== null) {
    const decoded = decodeCursor(input.after, sort);
    if (!decoded.ok) return decoded;
    after = decoded.value;
  }
  const filter = searchFilter(input.filter ?? {});
  if (!filter.ok) return filter;
  return ok({ text: basics.value[0], first: basics.value[1], sort, after, filter: filter.value });
}

function searchFilter(input: NonNullable<SearchInput['filter']>): Result<SearchFilter> {
  const categoryIds = idList('filter.categoryIds', input.categoryIds ?? []);
  if (!categoryIds.ok) return categoryIds;
  const sellerIds = idList('filter.sellerIds', input.sellerIds ?? []);
  if (!sellerIds.ok) return sellerIds;
  const price = input.price ? priceFilter(input.price) : ok(null);
  if (!price.ok) return price;
  const attributes = attributeFilters(input.attributes ?? []);
  if (!attributes.ok) return attributes;
  return ok({
    categoryIds: categoryIds.value,
    sellerIds: sellerIds.value,
    price: price.value,
    inStock: input.inStock ?? null,
    attributes: attributes.value,
  });
}

function idList(field: string, ids: readonly string[]): Result<string[]> {
  if (ids.length > SEARCH_LIMITS.ids)
    return err(domainError('VALIDATION.TOO_MANY', `${field} allows at most ${SEARCH_LIMITS.ids} ids`, field));
  const out: string[] = [];
  for (const id of ids) {
    const checked = Guard.uuid(field, id);
    if (!checked.ok) return checked;
    out.push(checked.value);
  }
  return ok([...new Set(out)]);
}

function priceFilter(input: {
  currency: string;
  min?: number | null;
  max?: number | null;
}): Result<PriceFilter> {
  if (!isCurrency(input.currency))
    return err(
      domainError(
        'MONEY.UNKNOWN_CURRENCY',
        `Unknown ISO-4217 currency "${input.currency}"`,
        'filter.price.currency',
      ),
    );
  const bound = (name: 'min' | 'max'): Result<number | null> => {
    const value = input[name];
    if (value === undefined || value === null) return ok(null);
    return Guard.integer(`filter.price.${name}`, value, { min: 0 });
  };
  const bounds = combine(bound('min'), bound('max'));
  if (!bounds.ok) return bounds;
  const [min, max] = bounds.value;
  if (min !== null && max !== null && min > max)
    return err(
      domainError('VALIDATION.OUT_OF_RANGE', 'filter.price.min must not exceed max', 'filter.price.min'),
    );
  return ok({ currency: input.currency, min, max });
}

function attributeFilters(
  input: readonly { name: string; values: readonly string[] }[],
): Result<AttributeFilter[]> {
  if (input.length > SEARCH_LIMITS.attributeFilters)
    return err(
      domainError(
        'VALIDATION.TOO_MANY',
        `filter.attributes allows at most ${SEARCH_LIMITS.attributeFilters} attributes`,
        'filter.attributes',
      ),
    );
  const byName = new Map<string, Set<string>>();
  for (const attribute of input) {
    const name = Guard.text('filter.attributes.name', attribute.name, { max: SEARCH_LIMITS.attributeName });
    if (!name.ok) return name;
    if (attribute.values.length === 0 || attribute.values.length > SEARCH_LIMITS.valuesPerAttribute)
      return err(
        domainError(
          'VALIDATION.OUT_OF_RANGE',
          `filter.attributes.values needs 1 to ${SEARCH_LIMITS.valuesPerAttribute} values`,
          'filter.attributes.values',
        ),
      );
    const values = byName.get(name.value) ?? new Set<string>();
    for (const raw of attribute.values) {
      const value = Guard.text('filter.attributes.values', raw, { max: SEARCH_LIMITS.attributeValue });
      if (!value.ok) return value;
      values.add(value.value);
    }
    byName.set(name.value, values);
  }
  return ok([...byName].map(([name, values]) => ({ name, values: [...values] })));
}

/** The facets of a search: what the matching products offer, with counts of products. */
export interface SearchFacets {
  categories: { id: string; name: string; slug: string; depth: number; count: number }[];
  /** Per currency, the non-empty buckets of PRICE_BUCKET_EDGES; `to` is exclusive, null = open. */
  priceRanges: { currency: string; from: number; to: number | null; count: number }[];
  attributes: { name: string; values: { value: string; count: number }[] }[];
}

export interface SearchPage {
  total: number;
  productIds: string[];
  endCursor: CursorPosition | null;
  hasNextPage: boolean;
  facets: SearchFacets | null;
}
