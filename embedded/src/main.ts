#!/usr/bin/env node
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EmbeddedSecrets } from './secrets.js';

/*
 * `npm start`: the marketplace in this process, on embedded databases under .data/embedded.
 * Settings come from the environment like in the services profile (see embeddedEnv); logs
 * below `warn` stay quiet unless LOG_LEVEL says otherwise, so the progress stays readable.
 */
process.env.LOG_LEVEL ??= 'warn';
const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const dataDir = process.env.EMBEDDED_DATA_DIR ?? resolve(root, '.data/embedded');
const started = Date.now();
process.stdout.write(`Starting the marketplace (embedded profile, data in ${dataDir})\n`);

// The first start's initdb runs on a worker thread while this one loads the marketplace.
const { claimDataDir, ensureTemplateInWorker } = await import('./data-dir.js');
let release: () => void;
try {
  release = claimDataDir(dataDir);
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
}
const template = ensureTemplateInWorker(dataDir);
template.catch(() => undefined);
const { embeddedSecrets, SECRETS_FILE } = await import('./secrets.js');
let secrets: EmbeddedSecrets;
try {
  secrets = embeddedSecrets(dataDir);
} catch (error) {
  release();
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
}
const { embeddedEnv, startEmbedded } = await import('./embedded.js');
const { createLogger, shutdownSettings, stopOnSignals } = await import('@marketplace/platform');
const env = embeddedEnv(process.env, secrets);
// Some services read their settings from process.env itself (accounts' admin bootstrap).
Object.assign(process.env, env);
const port = Number(env.GATEWAY_PORT ?? 4000);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

const marketplace = await startEmbedded({
  dataDir,
  env,
  gatewayPort: port,
  claimed: { release, template },
  onProgress: ({ name, done, total, elapsedMs }) => {
    const width = 20;
    const filled = Math.round((done / total) * width);
    process.stdout.write(
      `  [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${name} ready (${seconds(elapsedMs)})\n`,
    );
  },
});
const { gateway } = marketplace;
// Nothing secret is printed (a terminal's scrollback is shared, logged, screenshotted): the
// password is where the secrets are kept, or the caller's own.
const adminPassword =
  env.ACCOUNTS_ADMIN_PASSWORD === secrets.ACCOUNTS_ADMIN_PASSWORD
    ? `password in ${resolve(dataDir, SECRETS_FILE)}`
    : 'password as set in ACCOUNTS_ADMIN_PASSWORD';
process.stdout.write(`
Marketplace is up in ${seconds(Date.now() - started)}.
  GraphQL endpoint : ${gateway.url}
  Schema explorer  : ${gateway.explorerUrl}
  Admin sign-in    : ${env.ACCOUNTS_ADMIN_EMAIL}, ${adminPassword}
  Stop             : Ctrl-C
`);

// An empty store gets the demo data (the seeder's own progress bar), then tokens for the demo
// accounts; a store with products only gets the tokens. EMBEDDED_SEED=off skips both. Two
// requests in flight: each embedded database runs one statement at a time, so more would only
// queue up behind each other inside the subgraphs, past the gateway's subgraph timeout.
let seeder: ChildProcess | undefined;
if (env.EMBEDDED_SEED !== 'off') {
  process.stdout.write(
    '\nDemo data (npm run seed -- --if-empty; the marketplace already answers meanwhile):\n',
  );
  seeder = spawn(
    process.execPath,
    [resolve(root, 'cli/dist/main.js'), 'seed', '--if-empty', '--concurrency', '2'],
    {
      env: { ...env, GATEWAY_URL: gateway.url },
      stdio: 'inherit',
    },
  );
  seeder.once('exit', (code) => {
    seeder = undefined;
    if (code !== 0)
      process.stdout.write(`Demo seeding stopped (exit ${code}); run npm run seed to finish it.\n`);
  });
}

// Ctrl-C or SIGTERM: readiness 503, the requests in flight answered, consumers and relays
// finished (platform's stopOnSignals; SHUTDOWN_DRAIN_DELAY_MS, SHUTDOWN_GRACE_MS). A second
// Ctrl-C exits at once.
stopOnSignals(marketplace, {
  logger: createLogger('embedded'),
  settings: shutdownSettings(env),
  onSignal: (signal) => {
    process.stdout.write(`\n${signal}: stopping the marketplace (again to force)...\n`);
    seeder?.kill('SIGTERM');
  },
});
