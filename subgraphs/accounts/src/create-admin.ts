// Creates or updates the admin account from ACCOUNTS_ADMIN_EMAIL / ACCOUNTS_ADMIN_PASSWORD
// (and optional ACCOUNTS_ADMIN_NAME), exactly as the service does at start:
//   ACCOUNTS_ADMIN_EMAIL=ops@example.com ACCOUNTS_ADMIN_PASSWORD=... node subgraphs/accounts/dist/create-admin.js
// The password comes from the environment, never from argv, so it does not show in `ps`.
import { MemoryStore, createLogger, createOrm, loadConfig, migrate } from '@marketplace/platform';
import { accountsService, bootstrapAdmin } from './service.js';
import { accountsSettings } from './config.js';

const logger = createLogger('accounts.create-admin');
if (!accountsSettings().admin) {
  logger.error('Set ACCOUNTS_ADMIN_EMAIL and ACCOUNTS_ADMIN_PASSWORD');
  process.exit(2);
}
const config = loadConfig();
const orm = await createOrm({
  postgresUrl: config.postgresUrl,
  dbName: process.env.ACCOUNTS_DB ?? 'mp_accounts',
  entities: accountsService.entities,
  migrations: accountsService.migrations,
});
// The bootstrap never counts sign-ins (only the throttle uses the store), so it needs no Redis.
const store = new MemoryStore();
try {
  await migrate(orm);
  await bootstrapAdmin({ config, orm, logger, store });
} catch (error) {
  logger.error({ err: error }, 'admin bootstrap failed');
  process.exitCode = 1;
} finally {
  await orm.close(true);
  await store.close();
}
