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
import { SafeIntResolver } from 'graphql-scalars';
import { ErrorResult } from '@marketplace/platform';
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

@Directive('@shareable')
@ObjectType({ description: 'An amount in integer minor units (cents) of an ISO-4217 currency.' })
export class Money {
  @Field(() => SafeIntResolver, { description: 'Minor units, e.g. 1999 for 19.99 EUR.' })
  amount!: number;

  @Field(() => String, { description: 'ISO-4217 code, e.g. EUR.' })
  currency!: string;
}

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

@InputType({ description: 'Money in minor units.' })
export class MoneyInput {
  @Field(() => SafeIntResolver)
  amount!: number;

  @Field(() => String)
  currency!: string;
}

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
