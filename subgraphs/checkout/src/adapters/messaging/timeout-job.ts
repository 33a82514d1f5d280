import { IntervalJob, type Logger } from '@marketplace/platform';
import { sweepTimedOutSteps } from '../../application/checkout.js';
import type { CheckoutUseCases } from '../persistence/checkout-store.js';

/**
 * Every `intervalMs`: re-sends (or gives up) saga steps whose deadline passed; each run is a job
 * of the kit (no actor, its own unit of work, the relay woken after the commit).
 */
export function stepTimeoutJob(
  uc: CheckoutUseCases,
  options: { logger: Logger; intervalMs: number },
): IntervalJob {
  const logger = options.logger.child({ job: 'checkout.step-timeouts' });
  return new IntervalJob({
    name: 'checkout.step-timeouts',
    intervalMs: options.intervalMs,
    logger,
    run: async () => {
      const swept = await sweepTimedOutSteps(uc.forJob());
      if (swept.ok && swept.value > 0) logger.info({ swept: swept.value }, 'handled timed-out saga steps');
    },
  });
}
