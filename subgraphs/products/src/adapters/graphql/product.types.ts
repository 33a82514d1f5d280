// type-graphql reads decorator metadata through this polyfill.
import 'reflect-metadata';
import { Directive, Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { JSONObjectResolver } from 'graphql-scalars';
import { graphqlEnum, resultUnion, MoneyInput, MoneyType as Money } from '@marketplace/platform';
import { PRODUCT_STATUS, type ProductSnapshot, type ProductStatus } from '../../domain/product.js';

export const ProductStatusEnum = graphqlEnum(PRODUCT_STATUS, {
  description: 'Where a product is in its publishing workflow.',
});

@Directive('@cacheControl(inheritMaxAge: true)')
@ObjectType('Attribute', { description: 'A named value such as colour = red.' })
export class AttributeNode {
  @Field(() => String)
  name!: string;

  @Field(() => String)
  value!: string;
}

@Directive('@cacheControl(inheritMaxAge: true)')
@ObjectType('ProductImage', { description: 'An image of a product; position 0 is the main image.' })
export class ImageNode {
  @Field(() => String, { description: 'https URL of the image.' })
  url!: string;

  @Field(() => String)
  alt!: string;

  @Field(() => Int, { nullable: true })
  width!: number | null;

  @Field(() => Int, { nullable: true })
  height!: number | null;

  @Field(() => Int)
  position!: number;
}

@Directive('@key(fields: "id", resolvable: false)')
@Directive('@cacheControl(inheritMaxAge: true)')
@ObjectType('Seller', { description: 'The store selling a product (owned by the accounts subgraph).' })
export class SellerRef {
  @Field(() => ID)
  id!: string;
}

@Directive('@cacheControl(inheritMaxAge: true)')
@ObjectType('CategoryCrumb', { description: 'One step of a category path, root first.' })
export class CategoryCrumb {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String)
  slug!: string;
}

@Directive('@key(fields: "id")')
// Public catalog data: anonymous answers are cached by the gateway (gateway/README.md).
@Directive('@cacheControl(maxAge: 300)')
@ObjectType('Category', { description: 'A node of the category tree.' })
export class CategoryNode {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String, { description: 'Unique across the tree; use it in storefront URLs.' })
  slug!: string;

  @Field(() => ID, { nullable: true })
  parentId!: string | null;

  @Field(() => [CategoryCrumb], { description: 'Ancestors root first, ending with this category.' })
  path!: CategoryCrumb[];
}

@Directive('@cacheControl(inheritMaxAge: true)')
@ObjectType('PriceRange', { description: 'Lowest and highest priced variant.' })
export class PriceRange {
  @Field(() => Money)
  min!: Money;

  @Field(() => Money)
  max!: Money;
}

@Directive('@key(fields: "id")')
@Directive('@cacheControl(maxAge: 60)')
@ObjectType('Product', { description: 'A catalog entry sold by one seller, with its variants.' })
export class ProductNode {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  sellerId!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String, { description: 'Stable URL key; kept when the product is renamed.' })
  slug!: string;

  @Field(() => String)
  description!: string;

  @Field(() => ProductStatusEnum)
  status!: ProductStatus;

  @Field(() => [CategoryCrumb], { description: 'The category path, root first; empty if uncategorised.' })
  categoryPath!: CategoryCrumb[];

  @Field(() => [AttributeNode])
  attributes!: AttributeNode[];

  @Field(() => [ImageNode])
  images!: ImageNode[];

  @Field(() => Int, { description: 'Incremented by every change.' })
  version!: number;

  @Field(() => String, { description: 'ISO-8601 timestamp.' })
  createdAt!: string;

  @Field(() => String, { description: 'ISO-8601 timestamp.' })
  updatedAt!: string;

  @Field(() => String, { nullable: true, description: 'When the product was first published.' })
  publishedAt!: string | null;
}

@Directive('@key(fields: "id")')
@Directive('@cacheControl(maxAge: 60)')
@ObjectType('Variant', { description: 'A purchasable variant of a product, identified by its SKU.' })
export class VariantNode {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { description: 'Unique across the marketplace.' })
  sku!: string;

  @Field(() => String)
  name!: string;

  @Field(() => [AttributeNode])
  attributes!: AttributeNode[];

  @Field(() => Money, { nullable: true, description: 'Null until the seller prices the variant.' })
  price!: Money | null;
}

@Directive('@cacheControl(maxAge: 60)')
@ObjectType({ description: 'A page of products; pass nextCursor as `after` for the next one.' })
export class ProductConnection {
  @Field(() => [ProductNode])
  items!: ProductNode[];

  @Field(() => String, { nullable: true })
  nextCursor!: string | null;
}

@ObjectType({ description: 'A product as the source of truth holds it, for rebuilding read models.' })
export class ProductSnapshotItem {
  @Field(() => ID)
  productId!: string;

  @Field(() => ID)
  sellerId!: string;

  @Field(() => Int)
  version!: number;

  @Field(() => String)
  createdAt!: string;

  @Field(() => JSONObjectResolver, { description: 'Same shape as the snapshot in product events v2.' })
  snapshot!: ProductSnapshot;
}

@ObjectType()
export class ProductSnapshotPage {
  @Field(() => [ProductSnapshotItem])
  items!: ProductSnapshotItem[];

  @Field(() => String, { nullable: true })
  nextCursor!: string | null;
}

@ObjectType({ description: 'The product after a successful change.' })
export class ProductPayload {
  @Field(() => ProductNode)
  product!: ProductNode;
}

export const ProductResult = resultUnion(ProductPayload, {
  name: 'ProductResult',
  description: 'The changed product, or why nothing was changed.',
});

@ObjectType({ description: 'The category after a successful change.' })
export class CategoryPayload {
  @Field(() => CategoryNode)
  category!: CategoryNode;
}

export const CategoryResult = resultUnion(CategoryPayload, {
  name: 'CategoryResult',
  description: 'The created category, or why nothing was changed.',
});

@InputType()
export class AttributeInput {
  @Field(() => String)
  name!: string;

  @Field(() => String)
  value!: string;
}

@InputType()
export class ImageInput {
  @Field(() => String)
  url!: string;

  @Field(() => String, { nullable: true })
  alt?: string | null;

  @Field(() => Int, { nullable: true })
  width?: number | null;

  @Field(() => Int, { nullable: true })
  height?: number | null;
}

@InputType()
export class VariantInput {
  @Field(() => String, { description: 'Letters, digits, dot, dash, underscore; stored upper-case.' })
  sku!: string;

  @Field(() => String)
  name!: string;

  @Field(() => [AttributeInput], { nullable: true })
  attributes?: AttributeInput[] | null;

  @Field(() => MoneyInput, { nullable: true })
  price?: MoneyInput | null;
}

@InputType()
export class CreateProductInput {
  @Field(() => String)
  name!: string;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => ID, { nullable: true })
  categoryId?: string | null;

  @Field(() => [AttributeInput], { nullable: true })
  attributes?: AttributeInput[] | null;

  @Field(() => [ImageInput], { nullable: true })
  images?: ImageInput[] | null;

  @Field(() => [VariantInput], { nullable: true })
  variants?: VariantInput[] | null;
}

@InputType({ description: 'Only the fields given change; images and attributes are replaced as a whole.' })
export class UpdateProductInput {
  @Field(() => ID)
  productId!: string;

  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => ID, { nullable: true })
  categoryId?: string | null;

  @Field(() => [AttributeInput], { nullable: true })
  attributes?: AttributeInput[] | null;

  @Field(() => [ImageInput], { nullable: true })
  images?: ImageInput[] | null;
}

@InputType()
export class AddVariantInput extends VariantInput {
  @Field(() => ID)
  productId!: string;
}

@InputType()
export class UpdateVariantInput {
  @Field(() => ID)
  productId!: string;

  @Field(() => ID)
  variantId!: string;

  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => [AttributeInput], { nullable: true })
  attributes?: AttributeInput[] | null;
}

@InputType()
export class SetVariantPriceInput {
  @Field(() => ID)
  productId!: string;

  @Field(() => ID)
  variantId!: string;

  @Field(() => MoneyInput)
  price!: MoneyInput;
}

@InputType()
export class CreateCategoryInput {
  @Field(() => String)
  name!: string;

  @Field(() => String, { nullable: true, description: 'Derived from the name when omitted.' })
  slug?: string | null;

  @Field(() => ID, { nullable: true })
  parentId?: string | null;
}
