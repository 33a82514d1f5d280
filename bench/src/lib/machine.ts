import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem, type as osType } from 'node:os';
import { fileURLToPath } from 'node:url';

/** The repository root, from bench/src/lib and bench/dist/lib alike. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Packages whose versions decide the figures, and the workspace package that depends on each. */
const KEY_PACKAGES: [pkg: string, from: string][] = [
  ['@apollo/gateway', 'bench'],
  ['@apollo/server', 'bench'],
  ['@apollo/subgraph', 'bench'],
  ['@apollo/server-plugin-response-cache', 'gateway'],
  ['graphql', 'bench'],
  ['kafkajs', 'bench'],
  ['ioredis', 'bench'],
  ['pg', 'bench'],
  ['@elastic/elasticsearch', 'bench'],
  ['@mikro-orm/postgresql', 'platform'],
  ['type-graphql', 'platform'],
  ['autocannon', 'bench'],
];

export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  /** The 1-minute load average when the run started: other work competing for the CPUs. */
  loadAverage: number;
  os: string;
  node: string;
  packages: Record<string, string>;
  commit: string;
  dirty: boolean;
}

/** What a reader needs to compare figures: hardware, OS, runtime, versions and the code measured. */
export function machineInfo(): MachineInfo {
  const packages: Record<string, string> = {};
  for (const [pkg, from] of KEY_PACKAGES) {
    try {
      const manifest = readFileSync(`${REPO_ROOT}${from}/node_modules/${pkg}/package.json`, 'utf8');
      packages[pkg] = (JSON.parse(manifest) as { version: string }).version;
    } catch {
      packages[pkg] = 'not installed';
    }
  }
  const git = (...args: string[]) => {
    try {
      return execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
    } catch {
      return '';
    }
  };
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    loadAverage: Math.round(loadavg()[0]! * 10) / 10,
    os: `${prettyOs() ?? osType()} (kernel ${release()})`,
    node: process.version,
    packages,
    commit: git('rev-parse', '--short', 'HEAD') || 'unknown',
    dirty: git('status', '--porcelain') !== '',
  };
}

function prettyOs(): string | undefined {
  try {
    return /^PRETTY_NAME="?([^"\n]*)"?/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1];
  } catch {
    return undefined;
  }
}
