import { IntervalJob, type Logger } from '@marketplace/platform';
import { releaseExpiredReservations } from '../../application/reservations.js';
import type { InventoryUseCases } from '../persistence/inventory-store.js';

export interface ExpirySweeperOptions {
  logger: Logger;
  intervalMs: number;
}

/**
 * Releases expired reservations every `intervalMs` (started and stopped with the service); each
 * run is a job of the kit (no actor, its own unit of work, the relay woken after each commit).
 */
export function expirySweeper(uc: InventoryUseCases, options: ExpirySweeperOptions): IntervalJob {
  const logger = options.logger.child({ job: 'inventory.reservation-expiry' });
  return new IntervalJob({
    name: 'inventory.reservation-expiry',
    intervalMs: options.intervalMs,
    logger,
    run: async () => {
      const released = await releaseExpiredReservations(uc.forJob());
      if (released > 0) logger.info({ released }, 'released expired reservations');
    },
  });
}
