import { percentile } from './stats.js';
import type { LoadResult } from './load.js';

export interface ClosedLoopOptions {
  /** Virtual users, each running `iteration` back to back. */
  concurrency: number;
  durationSeconds: number;
  /** One unit of work (one or several requests); it throws if the answer is wrong. */
  iteration: () => Promise<unknown>;
  /** Iterations per virtual user before measuring (JIT, pools, caches); default 5. */
  warmupIterations?: number;
}

/**
 * Constant-concurrency load where one "request" may be a whole client-side flow (several
 * dependent HTTP calls), which autocannon cannot express. Use the same driver for both
 * sides of a comparison so the client's own cost is the same on both.
 */
export async function closedLoop(options: ClosedLoopOptions): Promise<LoadResult> {
  const users = Array.from({ length: options.concurrency });
  // Failures count in the report (errors), during warm-up too, rather than ending the run.
  let errors = 0;
  await Promise.all(
    users.map(async () => {
      for (let i = 0; i < (options.warmupIterations ?? 5); i++)
        await options.iteration().catch(() => errors++);
    }),
  );
  const latencies: number[] = [];
  const started = performance.now();
  const deadline = started + options.durationSeconds * 1000;
  await Promise.all(
    users.map(async () => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        try {
          await options.iteration();
          latencies.push(performance.now() - t0);
        } catch {
          errors++;
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const round2 = (n: number) => Math.round(n * 100) / 100;
  return {
    rps: Math.round((latencies.length / seconds) * 10) / 10,
    p50: round2(percentile(latencies, 50)),
    p95: round2(percentile(latencies, 95)),
    p99: round2(percentile(latencies, 99)),
    requests: latencies.length,
    errors,
    meanBytes: 0,
  };
}
