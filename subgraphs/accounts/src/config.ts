import { intFromEnv } from '@marketplace/platform';

/** The accounts service's own settings, from the environment (platform settings come from loadConfig). */
export interface AccountsSettings {
  accessTtlSeconds: number;
  refreshTtlMs: number;
  maxFailuresPerEmail: number;
  maxFailuresPerClient: number;
  throttleWindowSeconds: number;
  /** Accounts one client address may register within `registrationWindowSeconds`. */
  registrationsPerClient: number;
  registrationWindowSeconds: number;
  /** Store key prefix of the registration counts: instances of one deployment share it, separate stacks must not. */
  registrationPrefix: string;
  admin: { email: string; password: string; name: string | null } | null;
}

export function accountsSettings(env: NodeJS.ProcessEnv = process.env): AccountsSettings {
  const email = env.ACCOUNTS_ADMIN_EMAIL?.trim();
  const password = env.ACCOUNTS_ADMIN_PASSWORD;
  if (!!email !== !!password) {
    throw new Error('Set both ACCOUNTS_ADMIN_EMAIL and ACCOUNTS_ADMIN_PASSWORD, or neither');
  }
  return {
    accessTtlSeconds: intFromEnv('ACCOUNTS_ACCESS_TOKEN_TTL_SECONDS', 900, env),
    refreshTtlMs: intFromEnv('ACCOUNTS_REFRESH_TOKEN_TTL_DAYS', 30, env) * 24 * 60 * 60 * 1000,
    maxFailuresPerEmail: intFromEnv('ACCOUNTS_LOGIN_MAX_FAILURES', 5, env),
    maxFailuresPerClient: intFromEnv('ACCOUNTS_LOGIN_MAX_FAILURES_PER_CLIENT', 50, env),
    throttleWindowSeconds: intFromEnv('ACCOUNTS_LOGIN_WINDOW_SECONDS', 900, env),
    registrationsPerClient: intFromEnv('ACCOUNTS_REGISTRATIONS_PER_CLIENT', 8, env),
    registrationWindowSeconds: intFromEnv('ACCOUNTS_REGISTRATION_WINDOW_SECONDS', 60, env),
    // Test stacks share one Redis and one client address (127.0.0.1): each stack counts its own.
    registrationPrefix: `accounts:registrations${env.CONSUMER_GROUP_SUFFIX ? `:${env.CONSUMER_GROUP_SUFFIX}` : ''}`,
    admin: email && password ? { email, password, name: env.ACCOUNTS_ADMIN_NAME?.trim() || null } : null,
  };
}
