// type-graphql reads decorator metadata through this polyfill.
import 'reflect-metadata';
import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { resultUnion } from '@marketplace/platform';

export enum ChannelEnum {
  EMAIL = 'EMAIL',
  SMS = 'SMS',
  PUSH = 'PUSH',
}
registerEnumType(ChannelEnum, { name: 'NotificationChannel' });

export enum CategoryEnum {
  ORDER_UPDATES = 'ORDER_UPDATES',
  PAYMENTS = 'PAYMENTS',
  SHIPPING = 'SHIPPING',
  MARKETING = 'MARKETING',
}
registerEnumType(CategoryEnum, { name: 'NotificationCategory' });

@ObjectType('Notification', { description: 'A message sent to the caller on one channel.' })
export class NotificationNode {
  @Field(() => ID)
  id!: string;

  @Field(() => ChannelEnum)
  channel!: ChannelEnum;

  @Field(() => CategoryEnum)
  category!: CategoryEnum;

  @Field(() => String, { description: 'The event kind, e.g. orders.order-confirmed.' })
  kind!: string;

  @Field(() => ID, {
    nullable: true,
    description:
      'The order it is about (read it with `order(id:)`); null for the payment and parcel notifications sent before notifications recorded it.',
  })
  orderId!: string | null;

  @Field(() => String)
  subject!: string;

  @Field(() => String)
  body!: string;

  @Field(() => String, { description: 'SENT, or NO_ADDRESS when no email address was known.' })
  status!: string;

  @Field(() => String, { description: 'ISO-8601 instant.' })
  createdAt!: string;
}

@ObjectType('NotificationPage')
export class NotificationPage {
  @Field(() => [NotificationNode])
  items!: NotificationNode[];

  @Field(() => String, { nullable: true })
  endCursor!: string | null;

  @Field(() => Boolean)
  hasNextPage!: boolean;
}

@ObjectType('NotificationCategoryPreference')
export class CategoryPreferenceNode {
  @Field(() => CategoryEnum)
  category!: CategoryEnum;

  @Field(() => [ChannelEnum], { description: 'Empty: nothing is sent for this category.' })
  channels!: ChannelEnum[];
}

@ObjectType('NotificationPreferences')
export class NotificationPreferencesNode {
  @Field(() => [CategoryPreferenceNode])
  categories!: CategoryPreferenceNode[];
}

@InputType('NotificationCategoryPreferenceInput')
export class CategoryPreferenceInput {
  @Field(() => CategoryEnum)
  category!: CategoryEnum;

  @Field(() => [ChannelEnum])
  channels!: ChannelEnum[];
}

@InputType('UpdateNotificationPreferencesInput')
export class UpdateNotificationPreferencesInput {
  @Field(() => [CategoryPreferenceInput], { description: 'Categories to change; the others stay.' })
  categories!: CategoryPreferenceInput[];
}

@ObjectType('NotificationPreferencesPayload')
export class NotificationPreferencesPayload {
  @Field(() => NotificationPreferencesNode)
  preferences!: NotificationPreferencesNode;
}
export const NotificationPreferencesResult = resultUnion(NotificationPreferencesPayload, {
  name: 'NotificationPreferencesResult',
});
