#!/usr/bin/env node
// The marketplace command line: one binary, one sub-command per concern. Each sub-command lives in
// its own module and exports `run(args): Promise<number>` (the process exit code), so this file only
// dispatches and stays easy to extend: add a line to `commands` for a new one.
import { runAdmin } from './admin.js';
import { runSeed } from './seed/index.js';

type Command = { describe: string; run: (args: string[]) => Promise<number> };

const commands: Record<string, Command> = {
  admin: {
    describe: 'operations for admins: dead letters, replays, read-model rebuilds, saga steps',
    run: runAdmin,
  },
  seed: {
    describe: 'demo data: sellers, products, stock, coupons, buyers, orders',
    run: (args) => runSeed(args),
  },
};

function usage(): string {
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(8)} ${c.describe}`);
  return ['usage: marketplace <command> [args]', '', 'commands:', ...lines].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const command = name === undefined ? undefined : commands[name];
  if (!command) {
    process.stderr.write(`${usage()}\n`);
    return name === undefined || name === '--help' || name === '-h' ? 0 : 2;
  }
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
