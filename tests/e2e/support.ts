import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '@marketplace/platform';
import { waitFor } from '@marketplace/platform/testing';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

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

export async function waitReady(proc: Process, url: string, timeoutMs = 60_000): Promise<void> {
  try {
    await waitFor(
      async () => {
        if (proc.child.exitCode !== null) throw new Error(`${proc.name} exited with ${proc.child.exitCode}`);
        const res = await fetch(url).catch(() => null);
        return res?.status === 200;
      },
      timeoutMs,
      200,
    );
  } catch (error) {
    throw new Error(
      `${proc.name} not ready: ${(error as Error).message}\n${proc.output.join('').slice(-4000)}`,
      { cause: error },
    );
  }
}

export async function stopProcess(proc: Process): Promise<void> {
  if (proc.child.exitCode !== null) return;
  const exited = new Promise((resolve) => proc.child.once('exit', resolve));
  proc.child.kill('SIGTERM');
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

export const SUBGRAPHS = ['products', 'inventory', 'search', 'accounts', 'cart', 'coupons'] as const;
export type SubgraphName = (typeof SUBGRAPHS)[number];

export interface Marketplace {
  gatewayUrl: string;
  ports: Record<SubgraphName | 'gateway', number>;
  processes: Process[];
  stop(): Promise<void>;
}

/**
 * Starts every subgraph and the gateway as separate processes on free-ish ports, each with
 * its own fresh database, a private search alias and the given extra environment.
 */
export async function startMarketplace(
  suffix: string,
  extraEnv: Record<string, string> = {},
): Promise<Marketplace> {
  const base = await freePortBlock(SUBGRAPHS.length + 1);
  const ports = Object.fromEntries([
    ['gateway', base],
    ...SUBGRAPHS.map((name, i) => [name, base + 1 + i]),
  ]) as Marketplace['ports'];
  const processes: Process[] = [];
  const url = (name: SubgraphName) => `http://127.0.0.1:${ports[name]}/graphql`;
  const routing = Object.fromEntries(SUBGRAPHS.map((name) => [`${name.toUpperCase()}_URL`, url(name)]));
  try {
    const subgraphs = SUBGRAPHS.map((name) =>
      startProcess(name, `subgraphs/${name}/dist/main.js`, {
        [`${name.toUpperCase()}_PORT`]: String(ports[name]),
        [`${name.toUpperCase()}_DB`]: `mp_e2e_${name}_${suffix}`,
        SEARCH_INDEX_ALIAS: `products-e2e-${suffix}`,
        CONSUMER_GROUP_SUFFIX: `e2e-${suffix}`,
        ...routing,
        ...extraEnv,
      }),
    );
    processes.push(...subgraphs);
    await Promise.all(
      subgraphs.map((p) => waitReady(p, `http://127.0.0.1:${ports[p.name as SubgraphName]}/ready`)),
    );
    const gateway = startProcess('gateway', 'gateway/dist/main.js', {
      GATEWAY_PORT: String(ports.gateway),
      ...routing,
    });
    processes.push(gateway);
    await waitReady(gateway, `http://127.0.0.1:${ports.gateway}/ready`);
  } catch (error) {
    await Promise.all(processes.map(stopProcess));
    throw error;
  }
  return {
    gatewayUrl: `http://127.0.0.1:${ports.gateway}/graphql`,
    ports,
    processes,
    stop: async () => {
      await Promise.all(processes.map(stopProcess));
      await dropSearchIndices(`products-e2e-${suffix}`);
    },
  };
}

const portFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer()
      .once('error', () => resolve(false))
      .listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

/** A run of consecutive free ports (4100-4899), so a second stack on this machine is not hit. */
async function freePortBlock(size: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 4100 + Math.floor(Math.random() * 79) * 10;
    const ports = Array.from({ length: size }, (_, i) => base + i);
    if ((await Promise.all(ports.map(portFree))).every(Boolean)) return base;
  }
  throw new Error('no block of free ports between 4100 and 4899');
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
