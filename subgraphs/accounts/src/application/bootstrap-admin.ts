import { combine, domainError, err, ok, type Result } from '@marketplace/shared-kernel';
import { checkPassword } from '../domain/password-policy.js';
import { User, displayName, normalizeEmail } from '../domain/user.js';
import type { AccountsContext } from './ports.js';

export interface AdminCredentials {
  email: string;
  password: string;
  name?: string | null;
}

export type AdminBootstrap = { user: User; outcome: 'created' | 'updated' | 'unchanged' };

/**
 * Makes sure the operator's admin account exists with the given password (idempotent: run
 * at every start and by the create-admin CLI). Admins are never self-registered, and an
 * existing buyer or seller is never promoted: that email is refused instead.
 */
export async function ensureAdmin(
  input: AdminCredentials,
  ctx: AccountsContext,
): Promise<Result<AdminBootstrap>> {
  const checked = combine(normalizeEmail(input.email), displayName(input.name ?? 'Administrator'));
  if (!checked.ok) return checked;
  const [email, name] = checked.value;
  const policy = checkPassword(input.password, { email, name });
  if (!policy.ok) return policy;
  return ctx.transaction(async (tx) => {
    const now = ctx.clock.now();
    const existing = await tx.users.byEmailForUpdate(email);
    if (existing && !existing.isAdmin()) {
      return err(
        domainError('ACCOUNT.EMAIL_TAKEN', 'This email belongs to a buyer or seller account', 'email'),
      );
    }
    if (!existing) {
      const admin = User.createAdmin(
        { email, name, passwordHash: await ctx.passwords.hash(input.password) },
        now,
      );
      if (!admin.ok) return admin;
      const added = await tx.users.add(admin.value);
      if (!added.ok) return added;
      tx.track(admin.value);
      return ok<AdminBootstrap>({ user: admin.value, outcome: 'created' });
    }
    const version = existing.version;
    // Rehash only when the password changed, so a restart leaves the row alone.
    if (!(await ctx.passwords.verify(existing.passwordHash, input.password))) {
      const changed = existing.changePassword(await ctx.passwords.hash(input.password), now);
      if (!changed.ok) return changed;
    }
    const renamed = existing.rename(name, now);
    if (!renamed.ok) return renamed;
    return ok<AdminBootstrap>({
      user: existing,
      outcome: existing.version === version ? 'unchanged' : 'updated',
    });
  });
}
