import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/*
 * The embedded profile's secrets: made at random on a data directory's first start and kept
 * with its data (`secrets.json`, readable by its owner only), so no two machines share them
 * and nobody can read them from the source. Tokens stay valid across restarts on the same
 * directory; a new directory means new secrets (and new tokens).
 */

/** The settings whose well-known development values would let anyone in. */
export const SECRET_NAMES = [
  // Signs access tokens: whoever knows it can mint an admin's.
  'AUTH_JWT_SECRET',
  // Proves to a subgraph that a call came through the gateway.
  'GATEWAY_SHARED_SECRET',
  // Signs the sandbox payment provider's webhooks: whoever knows it can mark orders paid.
  'SANDBOX_WEBHOOK_SECRET',
  // The local admin's password (admin@marketplace.local).
  'ACCOUNTS_ADMIN_PASSWORD',
] as const;

export type EmbeddedSecrets = Record<(typeof SECRET_NAMES)[number], string>;

export const SECRETS_FILE = 'secrets.json';

const random = (bytes: number) => randomBytes(bytes).toString('base64url');

function generate(): EmbeddedSecrets {
  return {
    AUTH_JWT_SECRET: random(48),
    GATEWAY_SHARED_SECRET: random(32),
    SANDBOX_WEBHOOK_SECRET: `whsec_${random(32)}`,
    ACCOUNTS_ADMIN_PASSWORD: random(18),
  };
}

/**
 * The data directory's secrets: read from `secrets.json`, or made and written there (mode 0600)
 * on the first start; a name the file lacks (one added since it was written) is made and added.
 * `memory://` keeps nothing, so every start gets new ones. Call after `claimDataDir`, which makes
 * the folder and keeps a second process off it.
 */
export function embeddedSecrets(dataDir: string): EmbeddedSecrets {
  if (dataDir.startsWith('memory:')) return generate();
  const file = join(dataDir, SECRETS_FILE);
  const stored = existsSync(file) ? readSecrets(file) : {};
  const secrets = { ...generate(), ...stored };
  if (SECRET_NAMES.some((name) => !(name in stored))) {
    // Written under a temporary name and renamed: an interrupted write leaves no half a file.
    const partial = `${file}.partial-${process.pid}`;
    writeFileSync(partial, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600, flag: 'w' });
    chmodSync(partial, 0o600);
    renameSync(partial, file);
  }
  return secrets;
}

function readSecrets(file: string): Partial<EmbeddedSecrets> {
  // Copied in with looser permissions (or by an older version): only the owner reads secrets.
  chmodSync(file, 0o600);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new Error(
      `${file} is not a JSON object of secrets: delete it to make new ones (tokens signed with the old ones stop working)`,
    );
  const secrets: Partial<EmbeddedSecrets> = {};
  for (const name of SECRET_NAMES) {
    const value = (parsed as Record<string, unknown>)[name];
    if (typeof value === 'string' && value.length >= 16) secrets[name] = value;
  }
  return secrets;
}
