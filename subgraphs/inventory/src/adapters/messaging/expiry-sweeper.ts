import { IntervalJob, type Logger, type Orm } from '@marketplace/platform';
import { newId, type Clock } from '@marketplace/shared-kernel';
import type { EntityManager } from '@mikro-orm/postgresql';
import { releaseExpiredReservations } from '../../application/reservations.js';
import { inventoryContext } from '../persistence/inventory-store.js';

export interface ExpirySweeperOptions {
  orm: Orm;
  logger: Logger;
  intervalMs: number;
  clock?: Clock;
  onCommit?: () => void;
}

/** Releases expired reservations every `intervalMs` (started and stopped with the service). */
export function expirySweeper(options: ExpirySweeperOptions): IntervalJob {
  const logger = options.logger.child({ job: 'inventory.reservation-expiry' });
  return new IntervalJob({
    name: 'inventory.reservation-expiry',
    intervalMs: options.intervalMs,
    logger,
    run: async () => {
      const ctx = inventoryContext(
        { actor: null, correlationId: newId(), em: options.orm.em.fork() as EntityManager },
        {
          ...(options.clock ? { clock: options.clock } : {}),
          ...(options.onCommit ? { afterCommit: options.onCommit } : {}),
        },
      );
      const released = await releaseExpiredReservations(ctx);
      if (released > 0) logger.info({ released }, 'released expired reservations');
    },
  });
}
