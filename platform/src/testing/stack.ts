import { spawn, type ChildProcess } from 'node:child_process';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../config.js';
import { createOrm } from '../persistence/orm.js';
import { SUBGRAPH_NAMES, type SubgraphName } from '../registry.js';
import { waitFor } from './wait.js';

// The repository root, from platform/src/testing (jest) and platform/dist/testing (built) alike.
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface Process {
  name: string;
  child: ChildProcess;
  output: string[];
}

/** Starts one built service (`pnpm build` first) as its own process, as production runs it. */
export function startProcess(name: string, entry: string, env: Record<string, string>): Process {
  const child = spawn(process.execPath, [entry], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(chunk.toString());
    if (output.length > 200) output.shift();
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  return { name, child, output };
}

/**
 * One GET on a connection of its own (no pooled keep-alive socket that an earlier process on the
 * same port left behind), bounded at 5 s; what went wrong is kept for the report.
 */
function probe(url: string): Promise<{ status: number; body: string } | { error: string }> {
  return new Promise((resolve) => {
    const req = get(url, { agent: false, timeout: 5_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', (error) => resolve({ error: `answer cut: ${error.message}` }));
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 5 s')));
    req.on('error', (error) => resolve({ error: (error as NodeJS.ErrnoException).code ?? error.message }));
  });
}

/**
 * Waits until `url` answers 200. Generous by default: thirteen processes starting at once on a
 * two-core machine, each migrating its database and creating its topics, can take over a minute.
 */
export async function waitReady(proc: Process, url: string, timeoutMs = 180_000): Promise<void> {
  const started = Date.now();
  let last = 'no answer';
  try {
    await waitFor(
      async () => {
        if (proc.child.exitCode !== null) throw new Error(`${proc.name} exited with ${proc.child.exitCode}`);
        const answer = await probe(url);
        last = 'status' in answer ? `${answer.status} ${answer.body.slice(0, 300)}` : answer.error;
        return 'status' in answer && answer.status === 200;
      },
      timeoutMs,
      200,
    );
  } catch (error) {
    throw new Error(
      `${proc.name} not ready after ${Date.now() - started} ms (last answer: ${last}): ${(error as Error).message}\n${proc.output.join('').slice(-4000)}`,
      { cause: error },
    );
  }
}

/**
 * Stops a process as a deploy would: SIGTERM, so its graceful stop runs (platform/src/shutdown.ts),
 * and SIGKILL only if it has not exited after 10 s.
 */
export async function stopProcess(proc: Process): Promise<void> {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  const exited = new Promise((resolve) => proc.child.once('exit', resolve));
  proc.child.kill('SIGTERM');
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Every subgraph, in the registry's order (platform/src/registry.ts). */
export const SUBGRAPHS = SUBGRAPH_NAMES;
export type { SubgraphName };
/** Every process of the stack: the subgraphs, the webhook sidecar and the gateway. */
export type ProcessName = SubgraphName | 'webhooks' | 'gateway';

export interface Marketplace {
  gatewayUrl: string;
  /** The webhook sidecar's base URL, e.g. http://127.0.0.1:4112. */
  webhooksUrl: string;
  ports: Record<ProcessName, number>;
  processes: Map<ProcessName, Process>;
  /** SIGKILLs one process, as a crash would: no shutdown hooks run. */
  kill(name: ProcessName): Promise<void>;
  /** Starts a killed or stopped process again with the environment it had, and waits until it is ready. */
  restart(name: ProcessName): Promise<void>;
  stop(): Promise<void>;
}

const entryOf = (name: ProcessName) =>
  name === 'gateway' || name === 'webhooks' ? `${name}/dist/main.js` : `subgraphs/${name}/dist/main.js`;

/**
 * Starts every subgraph, the webhook sidecar and the gateway as separate processes on free
 * ports, each with its own fresh database, a private search alias and the given extra
 * environment (a function of the ports, for settings that point one process at another).
 */
export async function startMarketplace(
  suffix: string,
  extraEnv: Record<string, string> | ((ports: Marketplace['ports']) => Record<string, string>) = {},
  /** The subgraphs to run (the gateway routes to all); the sidecar runs with payments. */
  running: readonly SubgraphName[] = SUBGRAPHS,
): Promise<Marketplace> {
  const names: ProcessName[] = ['gateway', ...SUBGRAPHS, 'webhooks'];
  const base = await freePortBlock(names.length);
  const ports = Object.fromEntries(names.map((name, i) => [name, base + i])) as Marketplace['ports'];
  const url = (name: SubgraphName) => `http://127.0.0.1:${ports[name]}/graphql`;
  const routing = Object.fromEntries(SUBGRAPHS.map((name) => [`${name.toUpperCase()}_URL`, url(name)]));
  const extra = typeof extraEnv === 'function' ? extraEnv(ports) : extraEnv;
  const envOf = (name: ProcessName): Record<string, string> => ({
    [`${name.toUpperCase()}_PORT`]: String(ports[name]),
    [`${name.toUpperCase()}_DB`]: `mp_e2e_${name}_${suffix}`,
    SEARCH_INDEX_ALIAS: `products-e2e-${suffix}`,
    // 13 pools of 5 stay well under Postgres's default 100 connections, with room for the tests.
    DB_POOL_MAX: '5',
    CONSUMER_GROUP_SUFFIX: `e2e-${suffix}`,
    // A graceful stop without the load balancer's delay, and a grace that ends before
    // stopProcess's SIGKILL (the drain, the grace and FINAL_PHASES_MS fit in its 10 s).
    SHUTDOWN_DRAIN_DELAY_MS: '0',
    SHUTDOWN_GRACE_MS: '5000',
    // Every test client registers from 127.0.0.1: the per-address registration throttle would
    // refuse a test's buyers after the tenth (a test that checks it passes its own value).
    ACCOUNTS_REGISTRATIONS_PER_CLIENT: '100000',
    ...routing,
    ...extra,
  });
  const processes = new Map<ProcessName, Process>();
  // The gateway is ready when every subgraph answers; with only some running, it is enough
  // that it serves.
  const gatewayProbe = running.length === SUBGRAPHS.length ? '/ready' : '/health';
  const launch = async (name: ProcessName) => {
    const proc = startProcess(name, entryOf(name), envOf(name));
    processes.set(name, proc);
    await waitReady(proc, `http://127.0.0.1:${ports[name]}${name === 'gateway' ? gatewayProbe : '/ready'}`);
  };
  try {
    const backends: ProcessName[] = running.includes('payments') ? [...running, 'webhooks'] : [...running];
    await Promise.all(backends.map(launch));
    await launch('gateway');
  } catch (error) {
    await Promise.all([...processes.values()].map(stopProcess));
    throw error;
  }
  return {
    gatewayUrl: `http://127.0.0.1:${ports.gateway}/graphql`,
    webhooksUrl: `http://127.0.0.1:${ports.webhooks}`,
    ports,
    processes,
    kill: async (name) => {
      const proc = processes.get(name);
      if (!proc || proc.child.exitCode !== null || proc.child.signalCode !== null) return;
      const exited = new Promise((resolve) => proc.child.once('exit', resolve));
      proc.child.kill('SIGKILL');
      await exited;
    },
    restart: (name) => launch(name),
    stop: async () => {
      await Promise.all([...processes.values()].map(stopProcess));
      await dropSearchIndices(`products-e2e-${suffix}`);
      await dropDatabases(
        names.filter((n) => n !== 'gateway').map((n) => envOf(n)[`${n.toUpperCase()}_DB`]!),
      );
    },
  };
}

const portFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer()
      .once('error', () => resolve(false))
      .listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

/**
 * Ports of 4100-4899 that fetch refuses to connect to ("bad port", the Fetch standard's port
 * blocking: 4190 is ManageSieve). A service given one answers everyone but fetch: the gateway's
 * and the tests' requests fail, which looked like a process that never became ready.
 */
const FETCH_BLOCKED_PORTS = new Set([4190]);

/** A run of consecutive free ports (4100-4899), so a second stack on this machine is not hit. */
async function freePortBlock(size: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 4100 + Math.floor(Math.random() * 39) * 20;
    const ports = Array.from({ length: size }, (_, i) => base + i);
    if (ports.some((port) => FETCH_BLOCKED_PORTS.has(port))) continue;
    if ((await Promise.all(ports.map(portFree))).every(Boolean)) return base;
  }
  throw new Error('no block of free ports between 4100 and 4899');
}

/** Drops a finished stack's (or test's) databases, so repeated runs do not fill the server. */
export async function dropDatabases(names: string[]): Promise<void> {
  const orm = await createOrm({
    postgresUrl: loadConfig().postgresUrl,
    dbName: 'postgres',
    entities: [],
    migrations: [],
    poolMax: 1,
  });
  try {
    for (const name of names) {
      await orm.em.getConnection().execute(`drop database if exists "${name}" with (force)`);
    }
  } finally {
    await orm.close(true);
  }
}

/** Deletes the indices behind a test's private alias, so repeated runs do not pile up shards. */
async function dropSearchIndices(alias: string): Promise<void> {
  const es = loadConfig().elasticsearchUrl;
  const res = await fetch(`${es}/_alias/${alias}`).catch(() => null);
  if (!res?.ok) return;
  for (const index of Object.keys((await res.json()) as object)) {
    await fetch(`${es}/${index}`, { method: 'DELETE' }).catch(() => undefined);
  }
}
