/** Exponential backoff: `initialMs`, doubling per attempt (1-based), capped at `maxMs`. */
export const backoffDelay = (attempt: number, initialMs: number, maxMs: number): number =>
  Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt - 1));
