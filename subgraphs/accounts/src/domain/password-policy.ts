import { domainError, err, ok, type Result } from '@marketplace/shared-kernel';

/**
 * What a password must satisfy, after NIST SP 800-63B: a length floor and ceiling instead of
 * composition rules, and refusal of passwords an attacker tries first (well-known ones, runs
 * of one character, the account's own email or name). The ceiling bounds the hashing cost.
 */
export const PASSWORD_LIMITS = { min: 10, max: 128, minDistinct: 5 } as const;

// The most common passwords that survive the length floor (from public breach top lists).
const COMMON = new Set([
  '1234567890',
  '0123456789',
  '12345678910',
  '123456789a',
  '1234567890a',
  '1q2w3e4r5t',
  '1q2w3e4r5t6y',
  'qwertyuiop',
  'qwerty1234',
  'qwerty12345',
  'qwerty123456',
  'asdfghjkl1',
  'zxcvbnm123',
  'password12',
  'password123',
  'password1234',
  'passw0rd123',
  'iloveyou123',
  'letmein1234',
  'welcome123',
  'welcome1234',
  'football123',
  'baseball123',
  'princess123',
  'sunshine123',
  'monkey12345',
  'dragon12345',
  'abc1234567',
  'abcdefghij',
  'administrator',
  'changeme123',
  'trustno1234',
  'marketplace',
  'marketplace123',
]);

const fail = (code: string, message: string) => err(domainError(code, message, 'password'));

/** Checks a new password; `personal` are the account's email and display name. */
export function checkPassword(
  password: string,
  personal: { email?: string; name?: string } = {},
): Result<void> {
  const chars = [...password];
  if (chars.length < PASSWORD_LIMITS.min)
    return fail('PASSWORD.TOO_SHORT', `A password needs at least ${PASSWORD_LIMITS.min} characters`);
  if (chars.length > PASSWORD_LIMITS.max)
    return fail('PASSWORD.TOO_LONG', `A password allows at most ${PASSWORD_LIMITS.max} characters`);
  const lower = password.toLowerCase();
  if (COMMON.has(lower.trim())) return fail('PASSWORD.TOO_COMMON', 'This password is too well known');
  if (new Set(chars).size < PASSWORD_LIMITS.minDistinct)
    return fail(
      'PASSWORD.TOO_SIMPLE',
      `A password needs at least ${PASSWORD_LIMITS.minDistinct} different characters`,
    );
  const emailLocal = personal.email?.split('@')[0]?.toLowerCase() ?? '';
  const name = personal.name?.trim().toLowerCase() ?? '';
  const contains = (part: string) => part.length >= 4 && lower.includes(part);
  if (contains(emailLocal) || contains(name))
    return fail('PASSWORD.CONTAINS_PERSONAL_DATA', 'A password must not contain your email or name');
  return ok(undefined);
}
