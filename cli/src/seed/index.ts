// `marketplace seed`: fills a marketplace with believable demo data through the gateway, and
// prints (and saves) signed-in tokens for the demo buyer, seller and admin.
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { GatewayClient, signIn } from './gateway-client.js';
import {
  buildPlan,
  DEFAULT_OPTIONS,
  buyerEmail,
  sellerEmail,
  DEMO_PASSWORD,
  type SeedOptions,
} from './plan.js';
import { consoleReporter, type Reporter } from './progress.js';
import { Seeder, type SeedSummary } from './seeder.js';

export { buildPlan, DEFAULT_OPTIONS, type SeedOptions } from './plan.js';
export { Seeder, type SeedSummary } from './seeder.js';
export { silentReporter, consoleReporter } from './progress.js';

/** The defaults scripts/up.sh gives the accounts service. */
export const DEFAULT_ADMIN = { email: 'admin@marketplace.local', password: 'local-dev-passphrase-2026' };
// cli/src/seed and cli/dist/seed alike are three levels below the repository root.
export const DEMO_TOKENS_FILE = fileURLToPath(new URL('../../../.data/demo-tokens.json', import.meta.url));

const USAGE = `usage: marketplace seed [options]

Seeds demo sellers, products, stock, coupons, buyers and orders through the gateway. Repeatable:
what exists is skipped. Prints tokens for the demo accounts and writes them to .data/demo-tokens.json.

  --seed N          generator seed (default ${DEFAULT_OPTIONS.seed}); one store holds one seed's data
  --products N      products (default ${DEFAULT_OPTIONS.products}), spread over the sellers, 1-4 variants each
  --sellers N       sellers (default ${DEFAULT_OPTIONS.sellers})
  --buyers N        buyers (default ${DEFAULT_OPTIONS.buyers})
  --orders N        orders placed through checkout (default ${DEFAULT_OPTIONS.orders}, at most one per buyer)
  --concurrency N   requests in flight (default 8)
  --key-prefix P    starts SKUs and coupon codes (default ${DEFAULT_OPTIONS.keyPrefix}); a store per prefix on one broker
  --if-empty        seed only when the marketplace has no products yet; always print tokens
  --check           write nothing: count what exists and exit 1 when something planned is missing
  --tokens          only sign in the demo accounts and print their tokens

env: GATEWAY_URL (default http://127.0.0.1:4000/graphql), ACCOUNTS_ADMIN_EMAIL / ACCOUNTS_ADMIN_PASSWORD
(default the values scripts/up.sh starts accounts with)`;

export interface DemoAccount {
  role: 'buyer' | 'seller' | 'admin';
  email: string;
  password: string;
  accessToken: string;
  accessTokenExpiresAt: string;
  refreshToken: string;
}

export interface DemoTokens {
  gatewayUrl: string;
  createdAt: string;
  accounts: DemoAccount[];
}

/** Signs in the first demo buyer and seller and the admin; accounts that do not exist are left out. */
export async function demoTokens(gatewayUrl: string, admin = adminFromEnv()): Promise<DemoTokens> {
  const client = new GatewayClient(gatewayUrl);
  const wanted: Omit<DemoAccount, 'accessToken' | 'accessTokenExpiresAt' | 'refreshToken'>[] = [
    { role: 'buyer', email: buyerEmail(1), password: DEMO_PASSWORD },
    { role: 'seller', email: sellerEmail(1), password: DEMO_PASSWORD },
    { role: 'admin', ...admin },
  ];
  const accounts: DemoAccount[] = [];
  for (const account of wanted) {
    const auth = await signIn(client, account.email, account.password).catch(() => undefined);
    if (auth) accounts.push({ ...account, ...pickTokens(auth) });
  }
  return { gatewayUrl, createdAt: new Date().toISOString(), accounts };
}

const pickTokens = (a: { accessToken: string; accessTokenExpiresAt: string; refreshToken: string }) => ({
  accessToken: a.accessToken,
  accessTokenExpiresAt: a.accessTokenExpiresAt,
  refreshToken: a.refreshToken,
});

/**
 * The admin to sign in as: ACCOUNTS_ADMIN_EMAIL / ACCOUNTS_ADMIN_PASSWORD when set; else the
 * embedded profile's admin, whose password was made at random on its data directory's first
 * start (`secrets.json`, embedded README), when that file is there; else the development admin
 * `scripts/up.sh` creates.
 */
export function adminFromEnv(env: NodeJS.ProcessEnv = process.env) {
  return {
    email: env.ACCOUNTS_ADMIN_EMAIL?.trim() || DEFAULT_ADMIN.email,
    password: env.ACCOUNTS_ADMIN_PASSWORD || embeddedAdminPassword(env) || DEFAULT_ADMIN.password,
  };
}

function embeddedAdminPassword(env: NodeJS.ProcessEnv): string | undefined {
  const dataDir = env.EMBEDDED_DATA_DIR || fileURLToPath(new URL('../../../.data/embedded', import.meta.url));
  try {
    const secrets = JSON.parse(readFileSync(join(dataDir, 'secrets.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    return typeof secrets.ACCOUNTS_ADMIN_PASSWORD === 'string' ? secrets.ACCOUNTS_ADMIN_PASSWORD : undefined;
  } catch {
    return undefined; // no embedded data directory (the services profile), or not readable by this user
  }
}

/** The tokens as a block to paste: one line per account, and the explorer's Headers JSON. */
export function formatTokens(tokens: DemoTokens): string {
  if (!tokens.accounts.length) return 'No demo account could sign in (run: npm run seed).';
  const lines = ['Demo accounts (password for buyer and seller: ' + DEMO_PASSWORD + '):'];
  for (const a of tokens.accounts) {
    lines.push(`  ${a.role.padEnd(6)} ${a.email}  (access token valid until ${a.accessTokenExpiresAt})`);
    lines.push(`         { "Authorization": "Bearer ${a.accessToken}" }`);
  }
  lines.push(
    'Paste a line into the explorer Headers tab; renew with `npm run seed -- --tokens` or the refresh mutation.',
  );
  return lines.join('\n');
}

export async function writeDemoTokens(tokens: DemoTokens, file = DEMO_TOKENS_FILE): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(tokens, null, 2)}\n`, { mode: 0o600 });
}

function positive(value: string | undefined, name: string, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min) throw new Error(`--${name} must be a whole number >= ${min}`);
  return n;
}

/** Whether the marketplace has no products at all (the admin's catalog export is empty). */
async function marketplaceIsEmpty(gatewayUrl: string, admin: { email: string; password: string }) {
  const client = new GatewayClient(gatewayUrl);
  const { accessToken } = await signIn(client, admin.email, admin.password);
  const data = await client.call(
    `{ adminProductSnapshots(first: 1) { items { productId } } }`,
    {},
    accessToken,
  );
  return data.adminProductSnapshots.items.length === 0;
}

/**
 * The command: `args` as on the command line, settings from `env` (GATEWAY_URL, ACCOUNTS_ADMIN_*).
 * A start command can call it in-process, e.g. `runSeed(['--if-empty'], consoleReporter(), env)`.
 */
export async function runSeed(
  args: string[],
  reporter: Reporter = consoleReporter(),
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      seed: { type: 'string' },
      'key-prefix': { type: 'string' },
      products: { type: 'string' },
      sellers: { type: 'string' },
      buyers: { type: 'string' },
      orders: { type: 'string' },
      concurrency: { type: 'string' },
      'if-empty': { type: 'boolean' },
      check: { type: 'boolean' },
      tokens: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    reporter.line(USAGE);
    return 0;
  }
  const options: SeedOptions = {
    seed: positive(values.seed, 'seed', DEFAULT_OPTIONS.seed),
    keyPrefix: values['key-prefix']?.toUpperCase() ?? DEFAULT_OPTIONS.keyPrefix,
    products: positive(values.products, 'products', DEFAULT_OPTIONS.products),
    sellers: positive(values.sellers, 'sellers', DEFAULT_OPTIONS.sellers, 1),
    buyers: positive(values.buyers, 'buyers', DEFAULT_OPTIONS.buyers),
    orders: positive(values.orders, 'orders', DEFAULT_OPTIONS.orders),
  };
  const gatewayUrl = env.GATEWAY_URL ?? 'http://127.0.0.1:4000/graphql';
  const admin = adminFromEnv(env);

  let summary: SeedSummary | undefined;
  if (!values.tokens) {
    if (values['if-empty'] && !(await marketplaceIsEmpty(gatewayUrl, admin))) {
      reporter.line('The marketplace already has products: not seeding (run npm run seed to top it up).');
    } else {
      const started = Date.now();
      reporter.line(
        `${values.check ? 'Checking' : 'Seeding'} ${gatewayUrl}: seed ${options.seed}, ${options.sellers} sellers, ` +
          `${options.products} products, ${options.buyers} buyers, ${options.orders} orders`,
      );
      summary = await new Seeder({
        gatewayUrl,
        admin,
        plan: buildPlan(options),
        check: Boolean(values.check),
        concurrency: positive(values.concurrency, 'concurrency', 8, 1),
        reporter,
      }).seed();
      reporter.line(formatSummary(summary, Date.now() - started));
    }
  }
  if (!values.check) {
    const tokens = await demoTokens(gatewayUrl, admin);
    await writeDemoTokens(tokens);
    reporter.line(formatTokens(tokens));
    reporter.line(`Saved to ${DEMO_TOKENS_FILE}`);
  }
  return summary?.failures.length ? 1 : 0;
}

export function formatSummary(summary: SeedSummary, ms: number): string {
  const rows = summary.phases.map(
    (p) =>
      `  ${p.phase.padEnd(10)} ${String(p.total).padStart(6)} planned ${String(p.created).padStart(6)} new ` +
      `${String(p.existing).padStart(6)} existing ${String(p.failed).padStart(4)} failed`,
  );
  const failures = summary.failures.slice(0, 20).map((f) => `  ! ${f}`);
  if (summary.failures.length > 20) failures.push(`  ... and ${summary.failures.length - 20} more`);
  return [`Done in ${(ms / 1000).toFixed(1)} s:`, ...rows, ...failures].join('\n');
}
