// type-graphql reads decorator metadata through this polyfill.
import 'reflect-metadata';
import { Directive, Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { resultUnion, MoneyType, SafeIntScalar } from '@marketplace/platform';
import { PRICE_BUCKET_EDGES } from '../../domain/search-request.js';

export enum ProductSearchSort {
  RELEVANCE = 'RELEVANCE',
  PRICE_ASC = 'PRICE_ASC',
  PRICE_DESC = 'PRICE_DESC',
  NEWEST = 'NEWEST',
}

registerEnumType(ProductSearchSort, {
  name: 'ProductSearchSort',
  description: 'How results are ordered; ties are broken by product id.',
  valuesConfig: {
    RELEVANCE: { description: 'Best text match first.' },
    PRICE_ASC: { description: 'Lowest variant price first; unpriced products last.' },
    PRICE_DESC: { description: 'Highest "from" price (lowest variant price) first; unpriced products last.' },
    NEWEST: {
      description: 'Most recently published first (creation time when the publication time is unknown).',
    },
  },
});

/** Search only points at products; the gateway fills in their fields from products and inventory. */
@Directive('@key(fields: "id", resolvable: false)')
@ObjectType('Product')
export class ProductRef {
  @Field(() => ID)
  id!: string;
}

@InputType({ description: 'Prices in minor units of one currency; bounds are inclusive.' })
export class ProductSearchPriceFilter {
  @Field(() => String, { description: 'ISO-4217 code; only products priced in it match.' })
  currency!: string;

  @Field(() => SafeIntScalar, { nullable: true })
  min?: number | null;

  @Field(() => SafeIntScalar, { nullable: true })
  max?: number | null;
}

@InputType({ description: 'Products with any of these values of the attribute.' })
export class ProductSearchAttributeFilter {
  @Field(() => String)
  name!: string;

  @Field(() => [String])
  values!: string[];
}

@InputType({ description: 'Every given filter must hold.' })
export class ProductSearchFilter {
  @Field(() => [ID], {
    nullable: true,
    description: 'Any of these categories, including their subcategories.',
  })
  categoryIds?: string[] | null;

  @Field(() => [ID], { nullable: true, description: 'Any of these sellers (store ids).' })
  sellerIds?: string[] | null;

  @Field(() => ProductSearchPriceFilter, {
    nullable: true,
    description: 'At least one variant priced within the range.',
  })
  price?: ProductSearchPriceFilter | null;

  @Field(() => Boolean, { nullable: true, description: 'true: in stock only; false: out of stock only.' })
  inStock?: boolean | null;

  @Field(() => [ProductSearchAttributeFilter], {
    nullable: true,
    description: 'Values of one attribute combine with OR, attributes with AND.',
  })
  attributes?: ProductSearchAttributeFilter[] | null;
}

@ObjectType({ description: 'Where the page ended.' })
export class ProductSearchPageInfo {
  @Field(() => String, { nullable: true, description: 'Pass as `after` for the next page (opaque).' })
  endCursor!: string | null;

  @Field(() => Boolean)
  hasNextPage!: boolean;
}

@ObjectType({ description: 'A category (or an ancestor of one) of matching products.' })
export class SearchCategoryFacet {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String)
  slug!: string;

  @Field(() => Int, { description: '0 for a root category.' })
  depth!: number;

  @Field(() => Int, { description: 'Matching products in it or its subcategories.' })
  count!: number;
}

@ObjectType({
  description: `A price bucket: products with a variant priced from \`min\` (inclusive) to \`max\` (exclusive; open when null). Edges in minor units: ${PRICE_BUCKET_EDGES.join(', ')}.`,
})
export class SearchPriceRangeFacet {
  @Field(() => MoneyType)
  min!: MoneyType;

  @Field(() => MoneyType, { nullable: true })
  max!: MoneyType | null;

  @Field(() => Int)
  count!: number;
}

@ObjectType()
export class SearchAttributeValueFacet {
  @Field(() => String)
  value!: string;

  @Field(() => Int)
  count!: number;
}

@ObjectType({ description: 'The values of one attribute among matching products.' })
export class SearchAttributeFacet {
  @Field(() => String)
  name!: string;

  @Field(() => [SearchAttributeValueFacet])
  values!: SearchAttributeValueFacet[];
}

@ObjectType({
  description:
    'Counts of matching products. Each facet applies every filter except its own, so the alternatives to a chosen value stay visible.',
})
export class ProductSearchFacets {
  @Field(() => [SearchCategoryFacet])
  categories!: SearchCategoryFacet[];

  @Field(() => [SearchPriceRangeFacet], { description: 'Non-empty buckets, per currency.' })
  priceRanges!: SearchPriceRangeFacet[];

  @Field(() => [SearchAttributeFacet])
  attributes!: SearchAttributeFacet[];
}

@ObjectType({ description: 'Published products matching a search, in the requested order.' })
export class ProductSearchResult {
  @Field(() => Int, { description: 'All matches, not just this page.' })
  total!: number;

  // Items are nullable: the index can briefly hold a product the catalog no longer shows
  // (unpublished a moment ago); the gateway then returns null for that item, not for the page.
  @Field(() => [ProductRef], { nullable: 'items' })
  products!: ProductRef[];

  @Field(() => ProductSearchPageInfo)
  pageInfo!: ProductSearchPageInfo;

  @Field(() => ProductSearchFacets, { description: 'Computed only when selected.' })
  facets!: ProductSearchFacets;
}

export const SearchProductsResult = resultUnion(ProductSearchResult, { name: 'SearchProductsResult' });
