// type-graphql reads decorator metadata through this polyfill.
import 'reflect-metadata';
import {
  Directive,
  Field,
  ID,
  InputType,
  Int,
  ObjectType,
  createUnionType,
  registerEnumType,
} from 'type-graphql';
import { ErrorResult, MoneyInput, MoneyType as Money } from '@marketplace/platform';
import type { ProductStatus } from '../../domain/product.js';

export enum ProductStatusEnum {
  DRAFT = 'DRAFT',
  PUBLISHED = 'PUBLISHED',
  UNPUBLISHED = 'UNPUBLISHED',
  DELETED = 'DELETED',
}
registerEnumType(ProductStatusEnum, {
  name: 'ProductStatus',
  description: 'Where a product is in its publishing workflow.',
});

@Directive('@key(fields: "id")')
@ObjectType('Product', { description: 'A catalog entry sold by one seller.' })
export class ProductNode {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  sellerId!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String)
  description!: string;

  @Field(() => Money)
  price!: Money;

  @Field(() => ProductStatusEnum)
  status!: ProductStatus;

  @Field(() => Int, { description: 'Incremented by every change.' })
  version!: number;

  @Field(() => String, { description: 'ISO-8601 timestamp.' })
  createdAt!: string;

  @Field(() => String, { description: 'ISO-8601 timestamp.' })
  updatedAt!: string;
}

@ObjectType({ description: 'The product after a successful change.' })
export class ProductPayload {
  @Field(() => ProductNode)
  product!: ProductNode;
}

export const ProductResult = createUnionType({
  name: 'ProductResult',
  description: 'The changed product, or why nothing was changed.',
  types: () => [ProductPayload, ErrorResult] as const,
  resolveType: (value) => ('code' in value ? ErrorResult : ProductPayload),
});

@InputType()
export class CreateProductInput {
  @Field(() => String)
  name!: string;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => MoneyInput)
  price!: MoneyInput;
}

@InputType()
export class UpdateProductInput {
  @Field(() => ID)
  productId!: string;

  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => MoneyInput, { nullable: true })
  price?: MoneyInput | null;
}
