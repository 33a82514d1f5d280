import { describe, expect, it } from '@jest/globals';
import { contractKey, isKnownContract } from '@marketplace/event-contracts';
import type { ServiceDeps } from '@marketplace/platform';
import { TEMPLATES } from '../../domain/templates.js';
import { notificationUseCases } from '../persistence/notifications-store.js';
import { contactConsumer, eventNotificationConsumer } from './notification-consumers.js';

/** The kit bound without a running service: enough to list the handler maps. */
const uc = notificationUseCases(() => {
  throw new Error('no channel in this test');
}).bind({} as ServiceDeps);

describe('notification consumers', () => {
  it('handle the contracts the templates name (order events in v1 and v2), each one a released event', () => {
    const types = Object.keys(TEMPLATES);
    const expected: [string, number][] = [
      ...types.map((t): [string, number] => [t, 1]),
      ...types.filter((t) => t.startsWith('orders.')).map((t): [string, number] => [t, 2]),
      ['orders.order-created', 2],
    ];
    expect(expected.filter(([type, version]) => !isKnownContract(type, version))).toEqual([]);
    const consumer = eventNotificationConsumer(uc);
    expect(Object.keys(consumer.handlers).sort()).toEqual(
      expected.map(([type, version]) => contractKey(type, version)).sort(),
    );
    expect(Object.keys(contactConsumer(uc).handlers)).toEqual(['accounts.user-contact-changed@1']);
  });
});
