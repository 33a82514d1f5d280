import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../lib/machine.js';
import { table, verdict } from '../lib/markdown.js';
import type { Scenario } from '../lib/scenario.js';
import { median } from '../lib/stats.js';

const TARGET_MS = 30_000;
const MAIN = `${REPO_ROOT}embedded/dist/main.js`;

interface StartRun {
  /** From spawning the start command to the gateway's first GraphQL answer. */
  firstAnswerMs: number;
  /** Resident memory of the one process once it answers. */
  rssMiB: number;
}

/**
 * `pnpm start`'s embedded profile, built and with dependencies installed: from spawning the
 * start command to the gateway answering a GraphQL query, on a fresh data directory (every
 * database created and migrated) and again on the directory the first run left (databases
 * opened). The demo seeding that follows on an empty store is not part of it (EMBEDDED_SEED=off).
 */
export const scenario: Scenario = {
  id: '8-embedded-start',
  title: 'Embedded profile start',
  async run({ runs, log }) {
    const fresh: StartRun[] = [];
    const reopened: StartRun[] = [];
    for (let i = 0; i < runs; i++) {
      const dir = mkdtempSync(join(tmpdir(), 'bench-embedded-'));
      try {
        fresh.push(await startOnce(dir));
        log(`run ${i + 1}: fresh ${fresh.at(-1)!.firstAnswerMs} ms`);
        reopened.push(await startOnce(dir));
        log(`run ${i + 1}: reopened ${reopened.at(-1)!.firstAnswerMs} ms`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    const row = (label: string, list: StartRun[]) => {
      const times = list.map((r) => r.firstAnswerMs);
      return [
        label,
        list.length,
        Math.round(median(times)),
        Math.max(...times),
        Math.round(median(list.map((r) => r.rssMiB))),
      ];
    };
    const worst = Math.max(...fresh.map((r) => r.firstAnswerMs));
    const markdown = [
      `From spawning \`node embedded/dist/main.js\` (what \`pnpm start\` runs once built) to the gateway's first answer to \`{ __typename }\`, with 13 subgraphs, the webhook sidecar and the gateway in one process on PGlite. Target: ${TARGET_MS / 1000} s; worst fresh start ${(worst / 1000).toFixed(1)} s: ${verdict(worst <= TARGET_MS)}.`,
      '',
      table(
        ['Data directory', 'runs', 'p50 ms', 'max ms', 'RSS MiB (p50)'],
        [row('fresh (created, migrated)', fresh), row('reopened', reopened)],
      ),
    ].join('\n');
    return { data: { targetMs: TARGET_MS, fresh, reopened }, markdown };
  },
};

async function startOnce(dataDir: string): Promise<StartRun> {
  const started = Date.now();
  const child = spawn(process.execPath, [MAIN], {
    env: {
      ...process.env,
      EMBEDDED_DATA_DIR: dataDir,
      GATEWAY_PORT: '0',
      EMBEDDED_SEED: 'off',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  try {
    for (;;) {
      if (child.exitCode !== null)
        throw new Error(`start command exited ${child.exitCode}: ${output.slice(-2000)}`);
      if (Date.now() - started > 300_000) throw new Error(`no gateway after 300 s: ${output.slice(-2000)}`);
      const url = /GraphQL endpoint\s*:\s*(\S+)/.exec(output)?.[1];
      if (url) {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: '{ __typename }' }),
        }).catch(() => null);
        if (res?.ok) {
          const firstAnswerMs = Date.now() - started;
          const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
          const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
          return { firstAnswerMs, rssMiB: Math.round(rssKiB / 1024) };
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}
