import type { EntityManager } from '@mikro-orm/postgresql';
import type { Orm, ServiceMetrics } from '@marketplace/platform';
import { checkoutStatus, STEPS, type CheckoutStatus } from '../../domain/checkout-saga.js';

/** Sagas still under way; finished ones (COMPLETED, FAILED) are history and grow without bound. */
const ACTIVE_STATES = (Object.keys(checkoutStatus.table) as CheckoutStatus[]).filter(
  (state) => state === 'RUNNING' || state === 'COMPENSATING',
);

/**
 * Saga states on checkout's `/metrics`, read from the database when scraped:
 * `checkout_sagas{state}` counts sagas per status, and `checkout_sagas_running{step}` the
 * running ones per step in flight (a saga waiting on two steps counts for both), where a stuck step shows (a state or step without sagas reports 0,
 * so a drop to zero is a sample, not a gap).
 */
export function observeSagaStates(metrics: ServiceMetrics, orm: Orm): void {
  const counts = async (sql: string) => {
    const rows = await (orm.em.fork() as EntityManager).execute<{ key: string; count: string | number }[]>(
      sql,
    );
    return new Map(rows.map((row) => [row.key, Number(row.count)]));
  };
  metrics.scrapedGauge({
    name: 'checkout_sagas',
    help: 'Checkout sagas under way per state (RUNNING, COMPENSATING)',
    labelNames: ['state'],
    read: async () => {
      const byState = await counts(
        "select status as key, count(*) as count from checkout_saga where status in ('RUNNING', 'COMPENSATING') group by status",
      );
      return ACTIVE_STATES.map((state) => ({ labels: { state }, value: byState.get(state) ?? 0 }));
    },
  });
  metrics.scrapedGauge({
    name: 'checkout_sagas_running',
    help: 'Running checkout sagas per step in flight',
    labelNames: ['step'],
    read: async () => {
      const byStep = await counts(
        "select f.step as key, count(*) as count from checkout_saga, jsonb_to_recordset(in_flight) as f(step text) where status = 'RUNNING' group by f.step",
      );
      return STEPS.map((step) => ({ labels: { step }, value: byStep.get(step) ?? 0 }));
    },
  });
}
