import { SEARCHABLE_STATUS } from '../../domain/product-document.js';
import type { SearchSort } from '../../domain/cursor.js';
import { PRICE_BUCKET_EDGES, type SearchFilter, type SearchRequest } from '../../domain/search-request.js';
import type { SearchOptions } from '../../application/ports.js';

/** The facet sizes of the Elasticsearch adapter, so both engines cut the lists at the same length. */
export const FACET_SIZES = {
  categories: 100,
  currencies: 10,
  attributeNames: 30,
  attributeValues: 50,
} as const;

/** A piece of SQL with its `?` parameters in order. Lists travel as one JSON parameter. */
export interface Fragment {
  sql: string;
  params: unknown[];
}

const isFragment = (value: unknown): value is Fragment =>
  typeof value === 'object' && value !== null && 'sql' in value && 'params' in value;

/** Tagged template: interpolated fragments are inlined, anything else becomes a `?` parameter. */
export function sql(strings: TemplateStringsArray, ...values: unknown[]): Fragment {
  let text = strings[0]!;
  const params: unknown[] = [];
  values.forEach((value, i) => {
    if (isFragment(value)) {
      text += value.sql;
      params.push(...value.params);
    } else {
      text += '?';
      params.push(value);
    }
    text += strings[i + 1]!;
  });
  return { sql: text, params };
}

export const raw = (text: string): Fragment => ({ sql: text, params: [] });

export function join(fragments: readonly Fragment[], separator: string, empty = 'true'): Fragment {
  if (fragments.length === 0) return raw(empty);
  return {
    sql: fragments.map((f) => `(${f.sql})`).join(separator),
    params: fragments.flatMap((f) => f.params),
  };
}

const concat = (fragments: readonly Fragment[]): Fragment => ({
  sql: fragments.map((f) => f.sql).join(''),
  params: fragments.flatMap((f) => f.params),
});

/** A JSON list parameter as a Postgres uuid array (em.execute would expand a JS array). */
const uuids = (ids: readonly string[]): Fragment =>
  sql`array(select x::uuid from jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb) as x)`;

/** The physical index behind an alias; with no alias row yet, the alias name is the index. */
export const physicalIndex = (alias: string): Fragment =>
  sql`coalesce((select index_name from search_index_alias where alias = ${alias}), ${alias})`;

/** The user's filters by key (the same keys as the Elasticsearch adapter), as boolean SQL. */
export function filterClauses(filter: SearchFilter): Map<string, Fragment> {
  const clauses = new Map<string, Fragment>();
  if (filter.categoryIds.length > 0)
    clauses.set('category', sql`d.category_ids && ${uuids(filter.categoryIds)}`);
  if (filter.sellerIds.length > 0) clauses.set('seller', sql`d.seller_id = any(${uuids(filter.sellerIds)})`);
  if (filter.price) {
    const { currency, min, max } = filter.price;
    const bounds = [
      ...(min !== null ? [sql`p >= ${min}::bigint`] : []),
      ...(max !== null ? [sql`p <= ${max}::bigint`] : []),
    ];
    clauses.set(
      'price',
      bounds.length === 0
        ? sql`d.currency = ${currency}`
        : sql`d.currency = ${currency} and exists (select 1 from unnest(d.prices) as p where ${join(bounds, ' and ')})`,
    );
  }
  if (filter.inStock !== null) clauses.set('inStock', sql`d.in_stock = ${filter.inStock}`);
  for (const attribute of filter.attributes) {
    clauses.set(
      `attribute:${attribute.name}`,
      sql`exists (select 1 from jsonb_array_elements(d.document -> 'attributes') as a
                   where a ->> 'name' = ${attribute.name}
                     and a ->> 'value' in (select jsonb_array_elements_text(${JSON.stringify(attribute.values)}::jsonb)))`,
    );
  }
  return clauses;
}

/** Sort value and direction per sort; the product id (ascending) breaks ties, as in Elasticsearch. */
const SORTS: Record<SearchSort, { value: (rank: Fragment) => Fragment; desc: boolean; cast: string }> = {
  RELEVANCE: { value: (rank) => rank, desc: true, cast: 'real' },
  // The same stand-ins for a missing price as the Elasticsearch sort's `missing` values.
  PRICE_ASC: {
    value: () => raw(`coalesce(d.price_min, ${Number.MAX_SAFE_INTEGER})`),
    desc: false,
    cast: 'bigint',
  },
  PRICE_DESC: { value: () => raw('coalesce(d.price_min, -1)'), desc: true, cast: 'bigint' },
  NEWEST: { value: () => raw('d.listed_at'), desc: true, cast: 'bigint' },
};

/**
 * Elasticsearch's `fuzziness: AUTO`: no edit for words of one or two characters, one for three
 * to five, two for longer ones.
 */
export const allowedEdits = (word: string): number => {
  const length = [...word].length;
  return length < 3 ? 0 : length <= 5 ? 1 : 2;
};

/**
 * Optimal string alignment distance (Levenshtein plus adjacent transpositions, each one edit,
 * as Elasticsearch's fuzzy queries count them), giving up once it exceeds `max`.
 */
export function editDistance(a: string, b: string, max: number): number {
  const s = [...a];
  const t = [...b];
  if (Math.abs(s.length - t.length) > max) return max + 1;
  let prevPrev: number[] = [];
  let prev = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1])
        d = Math.min(d, prevPrev[j - 2]! + 1);
      row.push(d);
      best = Math.min(best, d);
    }
    if (best > max) return max + 1;
    prevPrev = prev;
    prev = row;
  }
  return prev[t.length]!;
}

/**
 * Keeps the indexed terms within the allowed edits of a query word. Like Elasticsearch's
 * `prefix_length: 1`, the first character must match (the candidates are fetched that way).
 */
export function fuzzyAlternatives(word: string, candidates: readonly string[]): string[] {
  const max = allowedEdits(word);
  const close = candidates.filter((term) => term !== word && editDistance(word, term, max) <= max);
  return [word, ...new Set(close)];
}

const lexeme = (word: string): string => `'${word.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;

/** Every word must match (AND), each through any of its alternatives (OR): a tsquery literal. */
export const toTsQuery = (alternatives: readonly (readonly string[])[]): string =>
  alternatives.map((words) => `(${words.map(lexeme).join(' | ')})`).join(' & ');

export interface PlannedSearch {
  /** `select … from search_document d` with the visible, text-matching rows and a flag per filter. */
  base: Fragment;
  /** The flag column of each filter, by the filter's key. */
  flags: Map<string, string>;
}

/**
 * The rows every part of a search starts from: visible products (published, seller not
 * suspended) of the alias's index that match the words, with their sort value and one boolean
 * column per user filter. The page applies every flag; each facet every flag but its own.
 * `tsQuery` null matches everything; an empty string (no words left after parsing) nothing.
 */
export function planSearch(
  alias: string,
  request: SearchRequest,
  options: SearchOptions,
  tsQuery: string | null,
): PlannedSearch {
  const clauses = filterClauses(request.filter);
  const flags = new Map<string, string>();
  const flagColumns = concat(
    [...clauses].map(([key, clause], i) => {
      flags.set(key, `f${i}`);
      return sql`, (${clause}) as ${raw(`f${i}`)}`;
    }),
  );
  const text =
    tsQuery === null
      ? raw('true')
      : tsQuery === ''
        ? raw('false')
        : sql`d.search_vector @@ ${tsQuery}::tsquery`;
  const rank = tsQuery ? sql`ts_rank(d.search_vector, ${tsQuery}::tsquery)` : raw('0::real');
  const excluded =
    options.excludedSellerIds.length > 0
      ? sql`not (d.seller_id = any(${uuids(options.excludedSellerIds)}))`
      : raw('true');
  const base = sql`select d.product_id, d.document, d.currency, d.prices,
                          ${SORTS[request.sort].value(rank)} as sort_value
                          ${flagColumns}
                     from search_document d
                    where d.index_name = ${physicalIndex(alias)}
                      and d.status = ${SEARCHABLE_STATUS}
                      and ${excluded}
                      and ${text}`;
  return { base, flags };
}

/** Every flag but the given keys, ANDed. */
export function flagsExcept(plan: PlannedSearch, ...keys: string[]): Fragment {
  return raw(
    [...plan.flags]
      .filter(([key]) => !keys.includes(key))
      .map(([, column]) => column)
      .join(' and ') || 'true',
  );
}

/** One page (one row more than asked, telling whether another follows) and the total, in one statement. */
export function pageQuery(plan: PlannedSearch, request: SearchRequest): Fragment {
  const sort = SORTS[request.sort];
  const after = request.after?.after;
  const cursor = after
    ? sort.desc
      ? sql`(h.sort_value < ${after[0]}::${raw(sort.cast)} or (h.sort_value = ${after[0]}::${raw(sort.cast)} and h.product_id > ${after[1]}::uuid))`
      : sql`(h.sort_value > ${after[0]}::${raw(sort.cast)} or (h.sort_value = ${after[0]}::${raw(sort.cast)} and h.product_id > ${after[1]}::uuid))`
    : raw('true');
  return sql`with base as (${plan.base}),
                  hits as (select product_id, sort_value from base where ${flagsExcept(plan)})
             select t.total, p.product_id, p.sort_value
               from (select count(*)::int as total from hits) as t
               left join lateral (
                 select h.product_id, h.sort_value from hits h
                  where ${cursor}
                  order by h.sort_value ${raw(sort.desc ? 'desc' : 'asc')}, h.product_id asc
                  limit ${request.first + 1}
               ) as p on true`;
}

export function categoryFacetQuery(plan: PlannedSearch): Fragment {
  return sql`with base as (${plan.base})
             select c ->> 'id' as id, min(c ->> 'name') as name, min(c ->> 'slug') as slug,
                    min((c ->> 'depth')::int) as depth, count(*)::int as count
               from base cross join lateral jsonb_array_elements(base.document -> 'categories') as c
              where ${flagsExcept(plan, 'category')}
              group by c ->> 'id'
              order by count desc, (c ->> 'id') collate "C"
              limit ${FACET_SIZES.categories}`;
}

/** Products per (currency, price bucket); a null bucket row is the currency's product count. */
export function priceFacetQuery(plan: PlannedSearch): Fragment {
  const edges = raw(`array[${PRICE_BUCKET_EDGES.join(', ')}]::bigint[]`);
  return sql`with base as (${plan.base})
             select base.currency, width_bucket(p, ${edges}) as bucket, count(distinct base.product_id)::int as count
               from base cross join lateral unnest(base.prices) as p
              where base.currency is not null and ${flagsExcept(plan, 'price')}
              group by grouping sets ((base.currency, width_bucket(p, ${edges})), (base.currency))`;
}

/**
 * Products per attribute (name, value), the top values of each name, with the name's total
 * (what Elasticsearch orders names by: its number of (product, value) pairs). `only` restricts
 * it to one name, counted under every filter but that attribute's own.
 */
export function attributeFacetQuery(plan: PlannedSearch, only: string | null): Fragment {
  const restrict = only === null ? raw('true') : sql`a ->> 'name' = ${only}`;
  const flags = only === null ? flagsExcept(plan) : flagsExcept(plan, `attribute:${only}`);
  return sql`with base as (${plan.base}),
                  pairs as (
                    select a ->> 'name' as name, a ->> 'value' as value, count(*)::int as count
                      from base cross join lateral jsonb_array_elements(base.document -> 'attributes') as a
                     where ${flags} and ${restrict}
                     group by 1, 2),
                  ranked as (
                    select name, value, count, sum(count) over (partition by name)::int as name_count,
                           row_number() over (partition by name order by count desc, value collate "C") as n
                      from pairs)
             select name, value, count, name_count from ranked
              where n <= ${FACET_SIZES.attributeValues}
              order by name_count desc, name collate "C", count desc, value collate "C"`;
}
