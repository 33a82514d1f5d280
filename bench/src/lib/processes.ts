import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { startProcess, stopProcess, waitReady, type Process } from '@marketplace/platform/testing';

export { startProcess, stopProcess, waitReady, type Process };
/** The whole marketplace as separate built processes on free ports with fresh databases (Kafka, Postgres, Redis and Elasticsearch must be running). */
export {
  startMarketplace,
  SUBGRAPHS,
  uniqueSuffix,
  type Marketplace,
  type ProcessName,
  type SubgraphName,
} from '@marketplace/platform/testing';

/**
 * Gateway settings for load from one machine: the per-caller cost budgets stay on (their
 * Redis round trip is part of what is measured) but are too large to refuse anything, since
 * every virtual user shares one anonymous client address.
 */
export const BENCH_GATEWAY_ENV: Record<string, string> = {
  GATEWAY_BUDGET_ANONYMOUS_CAPACITY: '1000000000',
  GATEWAY_BUDGET_ANONYMOUS_LEAK_PER_SECOND: '1000000000',
};

/** A port the OS reports free right now on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
      .once('error', reject)
      .listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
  });
}

/** Waits until a GraphQL endpoint answers `{ __typename }` (servers without a health route). */
export async function waitForGraphQL(proc: Process, url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.child.exitCode !== null) {
      throw new Error(
        `${proc.name} exited with ${proc.child.exitCode}:\n${proc.output.join('').slice(-4000)}`,
      );
    }
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    }).catch(() => null);
    if (res?.ok) return;
    if (Date.now() > deadline)
      throw new Error(`${proc.name} not ready at ${url}:\n${proc.output.join('').slice(-4000)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Resident set size of a process in MiB, from /proc/<pid>/status (Linux); NaN if it is gone. */
export async function rssMiB(pid: number): Promise<number> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kib = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1]);
    return Math.round((kib / 1024) * 10) / 10;
  } catch {
    return Number.NaN;
  }
}

/**
 * CPU time a process has used so far (user + system), in seconds, from /proc/<pid>/stat
 * (Linux; clock ticks of 1/100 s). The difference across a run, divided by its requests, is
 * a cost per request that other load on a shared machine does not distort as much as req/s.
 */
export async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start at state, field 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export interface RssSummary {
  /** MiB per name: the mean and the peak over the samples taken. */
  [name: string]: { mean: number; peak: number };
}

/**
 * Samples the RSS of named processes every `intervalMs` until `stop()` is called, which
 * returns each one's mean and peak. One sample is taken at once, so a short window still counts.
 */
export function sampleRss(pids: Record<string, number>, intervalMs = 250): { stop(): Promise<RssSummary> } {
  const samples = new Map<string, number[]>(Object.keys(pids).map((name) => [name, []]));
  const take = async () => {
    await Promise.all(
      Object.entries(pids).map(async ([name, pid]) => {
        const rss = await rssMiB(pid);
        if (!Number.isNaN(rss)) samples.get(name)!.push(rss);
      }),
    );
  };
  let pending = take();
  const timer = setInterval(() => {
    pending = pending.then(take);
  }, intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      await pending;
      return Object.fromEntries(
        [...samples].map(([name, values]) => [
          name,
          {
            mean: Math.round((values.reduce((a, b) => a + b, 0) / Math.max(1, values.length)) * 10) / 10,
            peak: Math.max(...values, 0),
          },
        ]),
      );
    },
  };
}
