/** The value below which `p` percent of the samples fall (nearest rank); NaN for no samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export const median = (samples: readonly number[]): number => percentile(samples, 50);

/** a / b rounded to two decimals, as reports print ratios. */
export const ratio = (a: number, b: number): number => Math.round((a / b) * 100) / 100;
