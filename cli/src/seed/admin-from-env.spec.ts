import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_ADMIN, adminFromEnv } from './index.js';

describe('adminFromEnv', () => {
  it("signs in as the embedded profile's admin with the password its data directory made", () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cli-admin-'));
    try {
      writeFileSync(
        join(dataDir, 'secrets.json'),
        JSON.stringify({ ACCOUNTS_ADMIN_PASSWORD: 'r4nd0m-made' }),
      );
      expect(adminFromEnv({ EMBEDDED_DATA_DIR: dataDir })).toEqual({
        email: DEFAULT_ADMIN.email,
        password: 'r4nd0m-made',
      });
      // What is set in the environment wins over the file.
      expect(adminFromEnv({ EMBEDDED_DATA_DIR: dataDir, ACCOUNTS_ADMIN_PASSWORD: 'given' }).password).toBe(
        'given',
      );
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('falls back to the development admin where no embedded data directory is', () => {
    expect(adminFromEnv({ EMBEDDED_DATA_DIR: join(tmpdir(), 'no-such-dir-for-cli-admin') })).toEqual(
      DEFAULT_ADMIN,
    );
  });
});
