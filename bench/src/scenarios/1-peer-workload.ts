import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { loadTest, medianRun, type LoadResult } from '../lib/load.js';
import { PEER_BENCH_SUBGRAPHS } from '@marketplace/platform';
import { REPO_ROOT } from '../lib/machine.js';
import { table, verdict } from '../lib/markdown.js';
import {
  BENCH_GATEWAY_ENV,
  cpuSeconds,
  freePort,
  startProcess,
  stopProcess,
  waitForGraphQL,
  type Process,
} from '../lib/processes.js';
import type { Scenario } from '../lib/scenario.js';
import { median as medianOf, ratio } from '../lib/stats.js';

/** The registry's peerBench entries (platform/src/registry.ts). */
const SUBGRAPHS = PEER_BENCH_SUBGRAPHS;
const VIRTUAL_USERS = 50;
/** Above the peer query's cost in our model (about 23,000). */
const PEER_MAX_COST = 100_000;
const GATEWAYS = [
  { key: 'ours', label: 'our gateway (startGateway)', entry: 'bench/dist/peer/our-gateway-main.js' },
  {
    key: 'stock',
    label: 'stock @apollo/gateway + @apollo/server',
    entry: 'bench/dist/peer/stock-gateway-main.js',
  },
] as const;
type GatewayKey = (typeof GATEWAYS)[number]['key'];

/**
 * The shape of The Guild's federation gateway benchmark, with our own four subgraphs: the
 * deeply nested test query at a constant 50 virtual users, against our gateway and a stock
 * Apollo gateway in turn (alternating the order each run) over the same subgraph processes.
 */
export const scenario: Scenario = {
  id: '1-peer-workload',
  title: 'Peer workload (federation gateway benchmark shape)',
  async run({ runs, durationSeconds, log }) {
    const dir = await mkdtemp(join(tmpdir(), 'bench-peer-'));
    const supergraphPath = join(dir, 'supergraph.graphql');
    execFileSync(
      process.execPath,
      ['gateway/dist/compose.js', '--config', 'bench/peer/supergraph.yaml', '--out', supergraphPath],
      { cwd: REPO_ROOT, stdio: 'pipe' },
    );
    const query = await readFile(`${REPO_ROOT}bench/peer/query.graphql`, 'utf8');
    const processes: Process[] = [];
    try {
      const routing: Record<string, string> = {};
      await Promise.all(
        SUBGRAPHS.map(async (name) => {
          const port = await freePort();
          const proc = startProcess(`peer-${name}`, 'bench/dist/peer/subgraph-main.js', {
            PEER_SUBGRAPH: name,
            PORT: String(port),
            NODE_ENV: 'production',
          });
          processes.push(proc);
          routing[`${name.toUpperCase()}_URL`] = `http://127.0.0.1:${port}/`;
          await waitForGraphQL(proc, routing[`${name.toUpperCase()}_URL`]!);
        }),
      );
      // Both in production mode with the same secrets, as they would be deployed. Our cost
      // ceiling refuses this query by default (cost above GATEWAY_MAX_COST's 5,000: ten
      // assumed items per nested list), so it is raised here to compare the same work.
      const env = {
        ...routing,
        ...BENCH_GATEWAY_ENV,
        GATEWAY_MAX_COST: String(PEER_MAX_COST),
        NODE_ENV: 'production',
        LOG_LEVEL: 'warn',
        AUTH_JWT_SECRET: randomBytes(32).toString('hex'),
        GATEWAY_SHARED_SECRET: randomBytes(32).toString('hex'),
        SUPERGRAPH_PATH: supergraphPath,
      };
      const urls = {} as Record<GatewayKey, string>;
      const pids = {} as Record<GatewayKey, number>;
      for (const gateway of GATEWAYS) {
        const port = await freePort();
        const proc = startProcess(gateway.key, gateway.entry, { ...env, PORT: String(port) });
        processes.push(proc);
        urls[gateway.key] = `http://127.0.0.1:${port}/graphql`;
        pids[gateway.key] = proc.child.pid!;
        await waitForGraphQL(proc, urls[gateway.key]);
      }

      // Both must give the same, error-free data before their speed means anything (ours adds
      // `extensions.cost`).
      const [ours, stock] = await Promise.all(GATEWAYS.map((g) => post(urls[g.key], query)));
      if (ours!.body.errors || stock!.body.errors || !isDeepStrictEqual(ours!.body.data, stock!.body.data)) {
        throw new Error(`gateways disagree: ${ours!.text.slice(0, 500)} vs ${stock!.text.slice(0, 500)}`);
      }
      const responseBytes = stock!.text.length;
      log(`response ${(responseBytes / 1024).toFixed(1)} KB; ${runs} alternating run(s) per gateway`);

      const results: Record<GatewayKey, LoadResult[]> = { ours: [], stock: [] };
      /** The gateway process's own CPU milliseconds per request, per run. */
      const cpuPerRequest: Record<GatewayKey, number[]> = { ours: [], stock: [] };
      for (let i = 0; i < runs; i++) {
        const order = i % 2 === 0 ? GATEWAYS : [...GATEWAYS].reverse();
        for (const gateway of order) {
          const cpuBefore = await cpuSeconds(pids[gateway.key]);
          const result = await loadTest({
            url: urls[gateway.key],
            body: { query },
            connections: VIRTUAL_USERS,
            durationSeconds,
          });
          if (result.errors > 0) throw new Error(`${gateway.key}: ${result.errors} failed requests`);
          results[gateway.key].push(result);
          // Includes the warm-up requests, which loadTest sends first: 2 per virtual user.
          const cpuMs = ((await cpuSeconds(pids[gateway.key])) - cpuBefore) * 1000;
          cpuPerRequest[gateway.key].push(round1(cpuMs / (result.requests + VIRTUAL_USERS * 2)));
          log(
            `run ${i + 1} ${gateway.key}: ${result.rps} rps, p95 ${result.p95} ms, ${cpuPerRequest[gateway.key].at(-1)} CPU ms/request`,
          );
        }
      }
      const median = { ours: medianRun(results.ours), stock: medianRun(results.stock) };
      const throughputRatio = ratio(median.ours.rps, median.stock.rps);
      const p95Ratio = ratio(median.ours.p95, median.stock.p95);
      const cpu = { ours: medianOf(cpuPerRequest.ours), stock: medianOf(cpuPerRequest.stock) };
      const cpuRatio = ratio(cpu.ours, cpu.stock);
      const met = { throughput: throughputRatio >= 1, p95: median.ours.p95 <= median.stock.p95 };
      const markdown = [
        `Four subgraphs of ours (accounts, inventory, products, reviews; @apollo/subgraph over static data, one process each), the nested test query (${(responseBytes / 1024).toFixed(1)} KB per response), ${VIRTUAL_USERS} constant virtual users, ${durationSeconds} s per run, median of ${runs} alternating runs.`,
        '',
        table(
          ['Gateway', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'requests', 'gateway CPU ms/request'],
          GATEWAYS.map((g) => {
            const r = median[g.key];
            return [g.label, r.rps, r.p50, r.p95, r.p99, r.requests, cpu[g.key]];
          }),
        ),
        '',
        `Ours / stock: throughput ${throughputRatio}x, p95 ${p95Ratio}x, gateway CPU per request ${cpuRatio}x (median of the runs; CPU time of the gateway process alone, the figure least disturbed by other load on the machine).`,
        '',
        `Our gateway runs as deployed (limits, cost budgets in Redis, error masking, response cache: these responses carry no cache hints, so each is computed), except that its per-operation cost ceiling is raised to ${PEER_MAX_COST.toLocaleString('en')}: by default it refuses this query (cost about 23,000 > 5,000) before planning.`,
        '',
        `- Target throughput ≥ 1.0x stock: ${verdict(met.throughput)}`,
        `- Target p95 no worse than stock: ${verdict(met.p95)}`,
      ].join('\n');
      return {
        markdown,
        data: {
          responseBytes,
          virtualUsers: VIRTUAL_USERS,
          results,
          median,
          cpuPerRequest,
          cpu,
          throughputRatio,
          p95Ratio,
          cpuRatio,
          met,
        },
      };
    } finally {
      await Promise.all(processes.map(stopProcess));
      await rm(dir, { recursive: true, force: true });
    }
  },
};

const round1 = (n: number) => Math.round(n * 10) / 10;

async function post(url: string, query: string) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  });
  const text = await res.text();
  return { text, body: JSON.parse(text) as { data?: unknown; errors?: unknown[] } };
}
