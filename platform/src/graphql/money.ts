// type-graphql reads decorator metadata through this polyfill.
import 'reflect-metadata';
import { Directive, Field, InputType, ObjectType } from 'type-graphql';
import { SafeIntScalar } from './scalars.js';
import type { Money } from '@marketplace/shared-kernel';

/** The one GraphQL shape of money, shared by every subgraph (identical definitions compose). */
@Directive('@shareable')
// A value: as cacheable as the object it belongs to.
@Directive('@cacheControl(inheritMaxAge: true)')
@ObjectType('Money', { description: 'An amount in integer minor units (cents) of an ISO-4217 currency.' })
export class MoneyType {
  @Field(() => SafeIntScalar, { description: 'Minor units, e.g. 1999 for 19.99 EUR.' })
  amount!: number;

  @Field(() => String, { description: 'ISO-4217 code, e.g. EUR.' })
  currency!: string;

  static of(money: Money | { amount: number; currency: string }): MoneyType {
    const json = 'toJSON' in money ? money.toJSON() : money;
    return Object.assign(new MoneyType(), { amount: json.amount, currency: json.currency });
  }
}

@InputType('MoneyInput', { description: 'Money in minor units.' })
export class MoneyInput {
  @Field(() => SafeIntScalar)
  amount!: number;

  @Field(() => String)
  currency!: string;
}
