import { afterAll, describe, expect, it } from '@jest/globals';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthError, loadConfig, signAccessToken, verifyAccessToken } from '@marketplace/platform';
import { embeddedEnv } from './embedded.js';
import { embeddedSecrets, SECRET_NAMES, SECRETS_FILE } from './secrets.js';

// What the source printed before: the platform's development defaults and the embedded profile's.
const SOURCE_DEFAULTS = [
  'dev-only-jwt-secret-change-me-0123456789abcdef',
  'dev-only-gateway-secret-change-me',
  'whsec_sandbox_local_development',
  'local-dev-passphrase-2026',
];
const dirs: string[] = [];
const freshDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'embedded-secrets-'));
  dirs.push(dir);
  return dir;
};
const modeOf = (file: string) => statSync(file).mode & 0o777;
const admin = { userId: 'admin-1', role: 'admin', sellerId: null } as const;

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('the embedded profile secrets', () => {
  it('are random per data directory, none of them a value from the source, kept readable by the owner only', () => {
    const [a, b] = [freshDir(), freshDir()];
    const first = embeddedSecrets(a);
    const second = embeddedSecrets(b);

    for (const name of SECRET_NAMES) {
      expect(first[name]).not.toBe(second[name]);
      expect(SOURCE_DEFAULTS).not.toContain(first[name]);
      expect(first[name].length).toBeGreaterThanOrEqual(24);
    }
    expect(modeOf(join(a, SECRETS_FILE))).toBe(0o600);
    expect(JSON.parse(readFileSync(join(a, SECRETS_FILE), 'utf8'))).toEqual(first);
  });

  it('stay the same on a restart on the same directory, so tokens signed before stay valid', async () => {
    const dir = freshDir();
    const before = loadConfig(embeddedEnv({}, embeddedSecrets(dir)));
    const token = await signAccessToken(admin, before.jwtSecret);

    const after = loadConfig(embeddedEnv({}, embeddedSecrets(dir)));

    expect(after.jwtSecret).toBe(before.jwtSecret);
    expect(after.gatewaySecret).toBe(before.gatewaySecret);
    await expect(verifyAccessToken(token, after.jwtSecret)).resolves.toMatchObject({ role: 'admin' });
  });

  it('refuse a token signed with the development default the source prints', async () => {
    const config = loadConfig(embeddedEnv({}, embeddedSecrets(freshDir())));
    const forged = await signAccessToken(admin, SOURCE_DEFAULTS[0]!);

    await expect(verifyAccessToken(forged, config.jwtSecret)).rejects.toBeInstanceOf(AuthError);
  });

  it("give way to the caller's own settings, and production still refuses the development defaults", () => {
    const secrets = embeddedSecrets(freshDir());
    const own = embeddedEnv({ AUTH_JWT_SECRET: 'an-operator-chosen-secret-0123456789abcdef' }, secrets);

    expect(own.AUTH_JWT_SECRET).toBe('an-operator-chosen-secret-0123456789abcdef');
    expect(own.GATEWAY_SHARED_SECRET).toBe(secrets.GATEWAY_SHARED_SECRET);
    expect(() =>
      loadConfig(embeddedEnv({ NODE_ENV: 'production', AUTH_JWT_SECRET: SOURCE_DEFAULTS[0] }, secrets)),
    ).toThrow(/must be set in production/);
  });

  it('tighten a file copied in with loose permissions, and complete one missing a secret', () => {
    const dir = freshDir();
    const file = join(dir, SECRETS_FILE);
    const kept = embeddedSecrets(dir);
    const { SANDBOX_WEBHOOK_SECRET: _dropped, ...older } = kept;
    writeFileSync(file, JSON.stringify(older));
    chmodSync(file, 0o644);

    const completed = embeddedSecrets(dir);

    expect(modeOf(file)).toBe(0o600);
    expect(completed).toMatchObject(older);
    expect(completed.SANDBOX_WEBHOOK_SECRET).toMatch(/^whsec_/);
    expect(embeddedSecrets(dir)).toEqual(completed);
  });

  it('refuse a file that is not a JSON object rather than silently replacing it', () => {
    const dir = freshDir();
    writeFileSync(join(dir, SECRETS_FILE), 'not json');

    expect(() => embeddedSecrets(dir)).toThrow(/delete it to make new ones/);
  });

  it('are new on every start of a memory:// store, which keeps nothing', () => {
    expect(embeddedSecrets('memory://').AUTH_JWT_SECRET).not.toBe(
      embeddedSecrets('memory://').AUTH_JWT_SECRET,
    );
  });
});
