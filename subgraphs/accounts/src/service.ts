import { Topics } from '@marketplace/event-contracts';
import type { ServiceDefinition, ServiceDeps, ServiceFactory, UseCases } from '@marketplace/platform';
import type { AccountsContext } from './application/ports.js';
import { ensureAdmin } from './application/bootstrap-admin.js';
import { accountsEntities, accountsMigrations } from './adapters/persistence/accounts.schema.js';
import { accountsUseCases, withoutRelay, type ToolDeps } from './adapters/persistence/accounts-store.js';
import { SellerNode } from './adapters/graphql/account.types.js';
import {
  createAccountsResolvers,
  sellerReference,
  userReference,
} from './adapters/graphql/account.resolver.js';
import { accountsSettings } from './config.js';

const kit = accountsUseCases();

/**
 * Creates or updates the operator's admin from ACCOUNTS_ADMIN_EMAIL / ACCOUNTS_ADMIN_PASSWORD
 * (idempotent). Used at service start and by the create-admin CLI (which runs without a relay).
 */
export async function bootstrapAdmin(deps: ServiceDeps | ToolDeps): Promise<void> {
  const { admin } = accountsSettings();
  if (!admin) {
    deps.logger.info('ACCOUNTS_ADMIN_EMAIL not set: no admin bootstrap');
    return;
  }
  const uc = kit.bind('relay' in deps ? deps : withoutRelay(deps));
  const result = await ensureAdmin(admin, uc.forJob());
  if (!result.ok) {
    throw new Error(`Admin bootstrap refused: ${result.error.code}: ${result.error.message}`);
  }
  deps.logger.info({ userId: result.value.user.id, outcome: result.value.outcome }, 'admin account ensured');
}

/** The accounts subgraph: users, sellers' stores, sessions and address books. */
export const accountsService: ServiceDefinition = {
  name: 'accounts',
  entities: accountsEntities,
  migrations: accountsMigrations,
  // Keyed by store id (= seller id) and user id.
  publishes: [Topics.store, Topics.user],
  init: (deps) => bootstrapAdmin(deps),
  graphql: (deps) => {
    // Bound at the first request: printing the schema builds the resolvers without any deps.
    let uc: UseCases<AccountsContext> | undefined;
    return {
      resolvers: [...createAccountsResolvers(() => (uc ??= kit.bind(deps)))],
      orphanedTypes: [SellerNode],
      referenceResolvers: { Seller: sellerReference, User: userReference },
    };
  },
};

export const createService: ServiceFactory = () => accountsService;
