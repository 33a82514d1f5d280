import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
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
