import { describe, expect, it } from '@jest/globals';
import { isKnownContract } from '@marketplace/event-contracts';
import { TEMPLATES } from '../../domain/templates.js';
import { contactConsumer, eventNotificationConsumer } from './notification-consumers.js';

describe('notification consumers', () => {
  it('handle exactly the contracts the templates name, each one a released event', () => {
    const types = Object.keys(TEMPLATES);
    expect(types.filter((type) => !isKnownContract(type, 1))).toEqual([]);
    const consumer = eventNotificationConsumer({ channels: (() => undefined) as never });
    expect(Object.keys(consumer.handlers).sort()).toEqual(types.map((t) => `${t}@1`).sort());
    expect(Object.keys(contactConsumer({ channels: (() => undefined) as never }).handlers)).toEqual([
      'accounts.user-contact-changed@1',
    ]);
  });
});
