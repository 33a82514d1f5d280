import autocannon from 'autocannon';
import { percentile } from './stats.js';

export interface LoadOptions {
  url: string;
  /** A GraphQL request: `{ query, variables }`, sent as a JSON POST body. */
  body: object;
  headers?: Record<string, string>;
  /** Concurrent connections, each with one request in flight (closed-loop virtual users). */
  connections: number;
  durationSeconds: number;
  /** Requests sent before measuring, to warm JIT, connection pools and caches; default 2 per connection. */
  warmupRequests?: number;
}

export interface LoadResult {
  /** Completed requests per second over the run. */
  rps: number;
  /** Latency in milliseconds, computed from every response (autocannon's own summary has no p95). */
  p50: number;
  p95: number;
  p99: number;
  requests: number;
  /** Non-2xx answers plus connection errors and timeouts: a healthy run has 0. */
  errors: number;
  /** Mean response body size in bytes. */
  meanBytes: number;
}

/** Drives constant-concurrency load at one endpoint with autocannon and summarises it. */
export async function loadTest(options: LoadOptions): Promise<LoadResult> {
  const common = {
    url: options.url,
    method: 'POST' as const,
    headers: { 'content-type': 'application/json', ...options.headers },
    body: JSON.stringify(options.body),
    connections: options.connections,
  };
  const warmup = options.warmupRequests ?? options.connections * 2;
  if (warmup > 0) await autocannon({ ...common, amount: warmup });

  const latencies: number[] = [];
  let bytes = 0;
  // The callback form returns the instance, whose response events carry each latency.
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({ ...common, duration: options.durationSeconds }, (error, done) =>
      error ? reject(error as Error) : resolve(done),
    );
    instance.on('response', (_client, _status, resBytes, responseTime) => {
      latencies.push(responseTime);
      bytes += resBytes;
    });
  });
  const seconds = result.duration;
  return {
    rps: Math.round((latencies.length / seconds) * 10) / 10,
    p50: round2(percentile(latencies, 50)),
    p95: round2(percentile(latencies, 95)),
    p99: round2(percentile(latencies, 99)),
    requests: latencies.length,
    errors: result.non2xx + result.errors + result.timeouts,
    meanBytes: latencies.length ? Math.round(bytes / latencies.length) : 0,
  };
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/** The run whose throughput is the median of several (an odd count gives an actual run). */
export function medianRun(runs: readonly LoadResult[]): LoadResult {
  const sorted = [...runs].sort((a, b) => a.rps - b.rps);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}
