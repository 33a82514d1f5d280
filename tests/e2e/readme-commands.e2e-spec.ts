import { afterAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventually } from './journey.js';

/*
 * The README's two commands as a newcomer runs them, on a machine that has Node and npm but no
 * pnpm and no global tools: the test command is the one CI runs (.ci/run calls it exactly as
 * written), and the start command brings the marketplace up with no pnpm on PATH.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The commands of the README's "Two commands" block, comments dropped. */
function readmeCommands(): string[] {
  const block = /## Two commands\s+```sh\n([\s\S]*?)```/.exec(readme)?.[1];
  if (!block) throw new Error('README.md has no "Two commands" shell block');
  return block
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter(Boolean);
}

/** This process's PATH without any folder that holds a pnpm: what a fresh machine has. */
function pathWithoutPnpm(): string {
  return (process.env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => dir && !existsSync(join(dir, 'pnpm')))
    .join(delimiter);
}

/** A fresh shell's environment: no variables that npm or pnpm set for the test run itself. */
function freshEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^(npm_|pnpm_|PNPM_)/i.test(key)),
  );
  return { ...env, PATH: pathWithoutPnpm(), ...extra };
}

/** Whether any process of the process group led by `pgid` still runs. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('the README commands', () => {
  const [start = '', test = ''] = readmeCommands();
  let child: ChildProcess | undefined;
  const dataDir = mkdtempSync(join(tmpdir(), 'readme-start-'));

  afterAll(async () => {
    if (child && groupAlive(child.pid!)) process.kill(-child.pid!, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('are two, and need nothing but Node, npm and bash', () => {
    expect(readmeCommands()).toHaveLength(2);
    for (const command of [start, test]) expect(command.split(/\s+/)[0]).toMatch(/^(npm|node|bash)$/);
  });

  it('.ci/run calls the test command exactly as the README writes it', () => {
    const steps = readFileSync(join(ROOT, '.ci/run'), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#') && !/^(set|cd) /.test(line));
    expect(steps).toEqual([test]);
  });

  it('the start command brings the marketplace up with no pnpm on PATH', async () => {
    // The test itself runs with the project's toolchain on PATH; the command must not need it.
    expect(
      pathWithoutPnpm()
        .split(delimiter)
        .some((dir) => existsSync(join(dir, 'npm'))),
    ).toBe(true);
    const output: string[] = [];
    // Its own process group, so the whole tree (npm, bash, node) can be signalled at once.
    const proc = spawn('bash', ['-c', start], {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: freshEnv({
        NODE_ENV: 'development',
        LOG_LEVEL: 'warn',
        EMBEDDED_DATA_DIR: dataDir,
        GATEWAY_PORT: '0',
        EMBEDDED_SEED: 'off',
      }),
    });
    child = proc;
    proc.stdout!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    proc.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    // A command that exits fails at once rather than after the whole wait.
    const exitedEarly = new Promise<never>((_, reject) =>
      proc.once('exit', (code) => reject(new Error(`exited ${code}: ${output.join('').slice(-3000)}`))),
    );
    const gatewayUrl = await Promise.race([
      eventually(
        async () => /GraphQL endpoint\s*:\s*(\S+)/.exec(output.join(''))?.[1],
        'the start command prints the gateway URL',
        240_000,
      ),
      exitedEarly,
    ]);
    const res = await fetch(gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(await res.json()).toMatchObject({ data: { __typename: 'Query' } });

    // Stopped as a terminal's Ctrl-C or a supervisor would: the whole group, and nothing of it
    // (npm, the start script, the marketplace) is left running afterwards.
    const exited = new Promise<string>((resolve) =>
      proc.once('exit', (code, signal) => resolve(signal ?? `exit ${code}`)),
    );
    process.kill(-proc.pid!, 'SIGTERM');
    expect(await exited).toMatch(/^(SIGTERM|exit 0|exit 143)$/);
    await eventually(
      async () => !groupAlive(proc.pid!) || undefined,
      'every process of the start command stops',
      60_000,
    );
  }, 300_000);
});
