import type { ServiceDefinition, ServiceFactory } from '@marketplace/platform';
import { Topics } from '@marketplace/event-contracts';
import { notificationEntities, notificationMigrations } from './adapters/persistence/notifications.schema.js';
import { notificationUseCases, type ChannelFactory } from './adapters/persistence/notifications-store.js';
import { DatabaseChannel } from './adapters/channels/database-channel.js';
import { createNotificationResolvers } from './adapters/graphql/notifications.resolver.js';
import { contactConsumer, eventNotificationConsumer } from './adapters/messaging/notification-consumers.js';

/**
 * The notifications subgraph: tells buyers about their orders, payments and parcels on the
 * channels they chose. Every channel uses the development adapter (messages stored in
 * `dev_mailbox`); an SMTP email adapter is not written yet (see README).
 */
export function createNotificationsService(): ServiceDefinition {
  const channels: ChannelFactory = (channel, em) => new DatabaseChannel(channel, em);
  const kit = notificationUseCases(channels);
  return {
    name: 'notifications',
    entities: notificationEntities,
    migrations: notificationMigrations,
    publishes: [Topics.notification],
    graphql: (deps) => ({
      resolvers: createNotificationResolvers(kit.bind(deps)),
      referenceResolvers: {},
    }),
    consumers: (deps) => {
      const uc = kit.bind(deps);
      return [eventNotificationConsumer(uc), contactConsumer(uc)];
    },
  };
}

export const notificationsService = createNotificationsService();

export const createService: ServiceFactory = () => createNotificationsService();
