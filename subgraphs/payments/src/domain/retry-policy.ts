/**
 * Which provider failures are worth another try, and when. Pure: the caller sleeps.
 * A decline is an answer from the bank; retrying it is how card testing and duplicate charges
 * happen, so it is never retried. Only transient unavailability is, a bounded number of times.
 */
export interface RetryPolicySettings {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const defaultRetryPolicy: RetryPolicySettings = {
  maxAttempts: 3,
  baseDelayMs: 200,
  maxDelayMs: 2_000,
};

const RETRYABLE = new Set(['PAYMENT.PROVIDER_UNAVAILABLE']);

export function isRetryable(code: string): boolean {
  return RETRYABLE.has(code);
}

/** Whether to try again after `attemptsMade` attempts ended with `code`. */
export function shouldRetry(code: string, attemptsMade: number, policy = defaultRetryPolicy): boolean {
  return isRetryable(code) && attemptsMade < policy.maxAttempts;
}

/** Exponential backoff before attempt `attemptsMade + 1`, capped. */
export function backoffMs(attemptsMade: number, policy = defaultRetryPolicy): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attemptsMade - 1));
}
