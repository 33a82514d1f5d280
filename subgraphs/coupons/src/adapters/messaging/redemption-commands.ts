import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '@marketplace/shared-kernel';
import type { RedemptionCommands } from '../../application/ports.js';
import { redemptionCommands } from '../../application/redemption.js';
import { couponsContext } from '../persistence/coupon-store.js';

export interface CommandMeta {
  correlationId: string;
  /** The id of the command message being handled: becomes the events' causationId. */
  causationId?: string;
  traceparent?: string;
}

/**
 * RedeemCoupon / ReleaseRedemption for the checkout saga. A Kafka command handler (run by the
 * platform ConsumerRunner) passes the entity manager it was given, so the redemption, its
 * outbox rows and the handler's inbox record commit in one transaction.
 */
export function redemptionCommandsFor(
  em: EntityManager,
  meta: CommandMeta,
  options: { clock?: Clock; onCommit?: () => void } = {},
): RedemptionCommands {
  return redemptionCommands(
    couponsContext(
      {
        actor: null,
        em,
        correlationId: meta.correlationId,
        ...(meta.causationId ? { causationId: meta.causationId } : {}),
        ...(meta.traceparent ? { traceparent: meta.traceparent } : {}),
      },
      options,
    ),
  );
}
