import { withTimeout } from '../timeout.js';

/**
 * Runs one readiness check with a time budget: a check that throws, or has not answered within
 * `ms`, counts as failed. A probe then gets a prompt 503 naming the slow dependency (a database
 * pool busy with a replay, a Redis that does not answer) instead of a request that hangs until
 * the prober gives up.
 */
export async function checkWithin(check: () => Promise<boolean>, ms = 2_000): Promise<boolean> {
  return withTimeout(check(), ms, 'readiness check').catch(() => false);
}
