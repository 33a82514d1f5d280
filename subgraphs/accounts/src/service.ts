import { Topics } from '@marketplace/event-contracts';
import { newId, systemClock } from '@marketplace/shared-kernel';
import type { ServiceDefinition, ServiceDeps, ServiceFactory } from '@marketplace/platform';
import { ensureAdmin } from './application/bootstrap-admin.js';
import { accountsEntities, accountsMigrations } from './adapters/persistence/accounts.schema.js';
import { accountsContext, type AccountsAdapters } from './adapters/persistence/accounts-store.js';
import { Argon2PasswordHasher } from './adapters/security/argon2-password-hasher.js';
import { StoreLoginThrottle, StoreRegistrationThrottle } from './adapters/security/login-throttle.js';
import { JwtTokenIssuer } from './adapters/security/tokens.js';
import { SellerNode } from './adapters/graphql/account.types.js';
import {
  createAccountsResolvers,
  sellerReference,
  userReference,
} from './adapters/graphql/account.resolver.js';
import { accountsSettings } from './config.js';

/** The ports' adapters for one running service (its store, its JWT secret, its relay). */
export function accountsAdapters(
  deps: Pick<ServiceDeps, 'config' | 'store'> & Partial<ServiceDeps>,
): AccountsAdapters {
  const settings = accountsSettings();
  return {
    clock: systemClock,
    passwords: new Argon2PasswordHasher(),
    tokens: new JwtTokenIssuer({
      jwtSecret: deps.config.jwtSecret,
      accessTtlSeconds: settings.accessTtlSeconds,
      refreshTtlMs: settings.refreshTtlMs,
    }),
    throttle: new StoreLoginThrottle(deps.store, {
      maxFailuresPerEmail: settings.maxFailuresPerEmail,
      maxFailuresPerClient: settings.maxFailuresPerClient,
      windowSeconds: settings.throttleWindowSeconds,
    }),
    registrations: new StoreRegistrationThrottle(deps.store, {
      maxPerClient: settings.registrationsPerClient,
      windowSeconds: settings.registrationWindowSeconds,
      prefix: settings.registrationPrefix,
    }),
    onCommit: () => deps.relay?.nudge(),
  };
}

/**
 * Creates or updates the operator's admin from ACCOUNTS_ADMIN_EMAIL / ACCOUNTS_ADMIN_PASSWORD
 * (idempotent). Used at service start and by the create-admin CLI.
 */
export async function bootstrapAdmin(
  deps: Pick<ServiceDeps, 'config' | 'store' | 'orm' | 'logger'> & Partial<ServiceDeps>,
): Promise<void> {
  const { admin } = accountsSettings();
  if (!admin) {
    deps.logger.info('ACCOUNTS_ADMIN_EMAIL not set: no admin bootstrap');
    return;
  }
  const ctx = accountsContext(
    { actor: null, correlationId: newId(), em: deps.orm.em.fork() as never },
    accountsAdapters(deps),
  );
  const result = await ensureAdmin(admin, ctx);
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
    let adapters: AccountsAdapters | undefined;
    return {
      resolvers: [...createAccountsResolvers(() => (adapters ??= accountsAdapters(deps)))],
      orphanedTypes: [SellerNode],
      referenceResolvers: { Seller: sellerReference, User: userReference },
    };
  },
};

export const createService: ServiceFactory = () => accountsService;
