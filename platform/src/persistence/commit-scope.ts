import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Work to run once the outermost transaction has committed (waking the outbox relay,
 * invalidating a cache). A nested transaction (a use case inside a consumer's transaction, or a
 * savepoint) hands its hooks to the enclosing one when it succeeds and drops them when it rolls
 * back, so a hook never runs for a change that was not committed, and runs once however deep
 * the nesting. Hooks are a set: the same function added twice (the relay's `wake`) runs once.
 */
class CommitScope {
  readonly hooks = new Set<() => unknown>();
}

const scopes = new AsyncLocalStorage<CommitScope>();

export interface CommitHookErrors {
  (error: unknown): void;
}

/**
 * Runs `work` as one level of transaction nesting. When `committed(result)` says it took effect,
 * its hooks move to the enclosing level, or run now if this level is the outermost.
 */
export async function withCommitScope<T>(
  work: () => Promise<T>,
  committed: (result: T) => boolean = () => true,
  onHookError: CommitHookErrors = () => {},
): Promise<T> {
  const parent = scopes.getStore();
  const scope = new CommitScope();
  const result = await scopes.run(scope, work);
  if (!committed(result)) return result;
  if (parent) {
    for (const hook of scope.hooks) parent.hooks.add(hook);
  } else {
    await runHooks(scope.hooks, onHookError);
  }
  return result;
}

/**
 * True while a transaction unit (`withCommitScope`, so every `inTransaction` and every consumer's
 * inbox transaction) is open in this async context; false in its commit hooks. Code that must
 * never run while a connection and row locks are held (a call to an outside service) checks it.
 */
export function insideTransaction(): boolean {
  return scopes.getStore() !== undefined;
}

/** Adds a hook to the transaction in progress; outside any transaction it runs at once. */
export async function afterCommit(hook: () => unknown, onHookError: CommitHookErrors = () => {}) {
  const scope = scopes.getStore();
  if (scope) scope.hooks.add(hook);
  else await runHooks(new Set([hook]), onHookError);
}

/** Hooks are best effort: the change is committed, so a failing hook must not report it as failed. */
async function runHooks(hooks: Set<() => unknown>, onHookError: CommitHookErrors) {
  await Promise.all(
    [...hooks].map(async (hook) => {
      try {
        await hook();
      } catch (error) {
        onHookError(error);
      }
    }),
  );
}
