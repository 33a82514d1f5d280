// type-graphql reads decorator metadata through this polyfill.
import 'reflect-metadata';
import { Arg, Ctx, Int, Mutation, Query, Resolver, type NonEmptyArray } from 'type-graphql';
import { GraphQLError } from 'graphql';
import { isUuid } from '@marketplace/shared-kernel';
import { ErrorResult, type RequestContext, type UseCases } from '@marketplace/platform';
import type { NotificationContext } from '../../application/ports.js';
import type { ChannelsByCategory } from '../../domain/preferences.js';
import { CATEGORIES } from '../../domain/templates.js';
import type { Notification } from '../../domain/notification.js';
import { changePreferences, myPreferences } from '../../application/notify.js';
import { notificationsOf } from '../persistence/notifications-store.js';
import {
  CategoryPreferenceNode,
  NotificationNode,
  NotificationPage,
  NotificationPreferencesNode,
  NotificationPreferencesPayload,
  NotificationPreferencesResult,
  UpdateNotificationPreferencesInput,
  type CategoryEnum,
  type ChannelEnum,
} from './notifications.types.js';

const node = (n: Notification) =>
  Object.assign(new NotificationNode(), {
    id: n.id,
    channel: n.channel as ChannelEnum,
    category: n.category as CategoryEnum,
    kind: n.kind,
    orderId: n.orderId ?? null,
    subject: n.subject,
    body: n.body,
    status: n.status,
    createdAt: n.createdAt.toISOString(),
  });

const preferencesNode = (p: ChannelsByCategory) =>
  Object.assign(new NotificationPreferencesNode(), {
    categories: CATEGORIES.map((category) =>
      Object.assign(new CategoryPreferenceNode(), {
        category: category as CategoryEnum,
        channels: p[category] as ChannelEnum[],
      }),
    ),
  });

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export function createNotificationResolvers(uc: UseCases<NotificationContext>): NonEmptyArray<Function> {
  @Resolver()
  class NotificationResolver {
    @Query(() => NotificationPage, { description: "The caller's notifications, newest first." })
    async myNotifications(
      @Arg('first', () => Int, { defaultValue: 20 }) first: number,
      @Arg('after', () => String, { nullable: true }) after: string | null,
      @Ctx() ctx: RequestContext,
    ): Promise<NotificationPage> {
      const page = Object.assign(new NotificationPage(), { items: [], endCursor: null, hasNextPage: false });
      if (!ctx.actor) return page;
      // An omitted variable arrives as undefined, not null.
      if (after != null && !isUuid(after))
        throw new GraphQLError('after is not a cursor from this list', {
          extensions: { code: 'BAD_USER_INPUT' },
        });
      const size = Math.min(Math.max(first, 1), 100);
      const rows = await notificationsOf(ctx.em, ctx.actor.userId, after ?? null, size + 1);
      const items = rows.slice(0, size);
      return Object.assign(page, {
        items: items.map(node),
        endCursor: items.at(-1)?.id ?? null,
        hasNextPage: rows.length > size,
      });
    }

    @Query(() => NotificationPreferencesNode, {
      nullable: true,
      description: "The caller's channels per category (defaults until changed); null when signed out.",
    })
    async myNotificationPreferences(@Ctx() ctx: RequestContext): Promise<NotificationPreferencesNode | null> {
      const r = await myPreferences(uc.forRequest(ctx));
      return r.ok ? preferencesNode(r.value) : null;
    }

    @Mutation(() => NotificationPreferencesResult, {
      description: 'Sets the channels of the given categories for the caller.',
    })
    async updateNotificationPreferences(
      @Arg('input', () => UpdateNotificationPreferencesInput) input: UpdateNotificationPreferencesInput,
      @Ctx() ctx: RequestContext,
    ): Promise<typeof NotificationPreferencesResult> {
      const r = await changePreferences(input.categories, uc.forRequest(ctx));
      if (!r.ok) return ErrorResult.of(r.error);
      return Object.assign(new NotificationPreferencesPayload(), { preferences: preferencesNode(r.value) });
    }
  }

  return [NotificationResolver];
}
