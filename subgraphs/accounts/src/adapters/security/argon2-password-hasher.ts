import { Algorithm, hash, verify } from '@node-rs/argon2';
import type { PasswordHasher } from '../../application/ports.js';

/**
 * argon2id with the OWASP Password Storage Cheat Sheet's baseline (19 MiB, 2 passes, 1 lane),
 * through @node-rs/argon2 (Rust, prebuilt binaries, no node-gyp). The PHC string it returns
 * carries its parameters and salt, so they can be raised later without breaking old hashes.
 */
export const ARGON2_OPTIONS = {
  algorithm: Algorithm.Argon2id,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

export class Argon2PasswordHasher implements PasswordHasher {
  private dummy?: Promise<string>;

  hash(password: string): Promise<string> {
    return hash(password, ARGON2_OPTIONS);
  }

  async verify(stored: string, password: string): Promise<boolean> {
    try {
      return await verify(stored, password);
    } catch {
      // A hash this library cannot parse never matches.
      return false;
    }
  }

  async verifyAgainstDummy(password: string): Promise<false> {
    this.dummy ??= hash('not a real account password', ARGON2_OPTIONS);
    await verify(await this.dummy, password);
    return false;
  }
}
