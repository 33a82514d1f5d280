import { Migration } from '@mikro-orm/migrations';
import type { EntityManager } from '@mikro-orm/postgresql';
import { appendToOutbox } from '@marketplace/platform';
import { newId } from '@marketplace/shared-kernel';
import type { EventIdentity, WebhookProvider } from './verification.js';

/**
 * The durable inbox of provider events: the primary key (provider, provider_event_id) is what
 * makes a redelivered webhook (providers retry until they get a 2xx) a no-op.
 */
export class Migration20261121100000WebhookEvents extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table webhook_event (
        provider text not null,
        provider_event_id text not null,
        event_type text not null,
        object_id text null,
        received_at timestamptz not null,
        payload jsonb not null,
        primary key (provider, provider_event_id)
      )`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists webhook_event');
  }
}

export const webhookMigrations = [
  { name: 'Migration20261121100000WebhookEvents', class: Migration20261121100000WebhookEvents },
];

export interface ReceivedEvent extends EventIdentity {
  provider: WebhookProvider;
  messageKey: string;
  receivedAt: Date;
  payload: Record<string, unknown>;
}

/**
 * Stores the event once and, in the same transaction, appends
 * `webhooks.provider-event-received@1` to the outbox. A concurrent duplicate waits on the
 * primary key, then inserts nothing and appends nothing. Returns whether this call stored it.
 */
export async function recordProviderEvent(
  em: EntityManager,
  event: ReceivedEvent,
): Promise<{ stored: boolean }> {
  return em.fork().transactional(async (tx) => {
    const inserted = await tx.execute<{ provider: string }[]>(
      `insert into webhook_event (provider, provider_event_id, event_type, object_id, received_at, payload)
       values (?, ?, ?, ?, ?, ?)
       on conflict (provider, provider_event_id) do nothing
       returning provider`,
      [
        event.provider,
        event.providerEventId,
        event.eventType,
        event.objectId,
        event.receivedAt,
        JSON.stringify(event.payload),
      ],
    );
    if (inserted.length === 0) return { stored: false };
    appendToOutbox(
      tx,
      [
        {
          type: 'webhooks.provider-event-received',
          version: 1,
          aggregateType: 'ProviderEvent',
          aggregateId: event.messageKey,
          occurredAt: event.receivedAt,
          payload: {
            provider: event.provider,
            providerEventId: event.providerEventId,
            eventType: event.eventType,
            objectId: event.objectId,
            receivedAt: event.receivedAt.toISOString(),
            payload: event.payload,
          },
        },
      ],
      // Each webhook starts its own causal chain; payments correlates by provider reference.
      { producer: 'webhooks', correlationId: newId() },
    );
    return { stored: true };
  });
}
