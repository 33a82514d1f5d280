import { IntervalJob, type Logger, type Orm } from '@marketplace/platform';
import { newId } from '@marketplace/shared-kernel';
import type { EntityManager } from '@mikro-orm/postgresql';
import { sweepTimedOutSteps } from '../../application/checkout.js';
import { checkoutContext, type CheckoutContextOptions } from '../persistence/checkout-store.js';

/** Every `intervalMs`: re-sends (or gives up) saga steps whose deadline passed. */
export function stepTimeoutJob(
  options: CheckoutContextOptions & { orm: Orm; logger: Logger; intervalMs: number },
): IntervalJob {
  const logger = options.logger.child({ job: 'checkout.step-timeouts' });
  return new IntervalJob({
    name: 'checkout.step-timeouts',
    intervalMs: options.intervalMs,
    logger,
    run: async () => {
      const ctx = checkoutContext(
        { actor: null, correlationId: newId(), em: options.orm.em.fork() as EntityManager },
        options,
      );
      const swept = await sweepTimedOutSteps(ctx);
      if (swept.ok && swept.value > 0) logger.info({ swept: swept.value }, 'handled timed-out saga steps');
    },
  });
}
