import { domainError, err, ok, type DomainError, type Result } from './result.js';

/** A state machine written as data: each state lists the states it may move to. */
export type TransitionTable<S extends string> = { readonly [K in S]: readonly S[] };

/**
 * A rule that depends on more than the current state ("cancel only before dispatch"): given the
 * subject, it returns the rejection, or null when the move is allowed.
 */
export type TransitionGuard<T, G extends string = string> = (subject: T) => DomainError<G> | null;

/**
 * Guards as data, keyed by target state (`CANCELLED`) or by edge (`PAID->CANCELLED`); an edge's
 * guard runs after its target's.
 */
export type TransitionGuards<S extends string, T, G extends string = string> = {
  readonly [K in S | `${S}->${S}`]?: TransitionGuard<T, G>;
};

/**
 * `N` (the name) and `G` (the guards' codes) type the codes a transition can return; with their
 * defaults they are any code. A machine that spells them (`StateMachine<Status, void, 'CART',
 * never>`) lets its callers' results say which codes they return.
 */
export class StateMachine<S extends string, T = void, N extends string = string, G extends string = string> {
  constructor(
    /** Prefix of the error code, e.g. `PRODUCT` gives `PRODUCT.INVALID_TRANSITION`. */
    private readonly name: N,
    readonly table: TransitionTable<S>,
    readonly guards: TransitionGuards<S, T, G> = {},
  ) {}

  /** Whether the table lists the move (guards are not consulted). */
  can(from: S, to: S): boolean {
    return this.table[from].includes(to);
  }

  /**
   * The only way a status changes: the table must list the move and its guards (if any) must
   * pass for `subject`. Returns the new state, or `<NAME>.INVALID_TRANSITION` / the guard's error.
   */
  transition(
    from: S,
    to: S,
    ...subject: T extends void ? [] : [T]
  ): Result<S, DomainError<`${N}.INVALID_TRANSITION` | G>> {
    if (!this.can(from, to))
      return err(
        domainError(
          `${this.name}.INVALID_TRANSITION` as const,
          `${this.name.toLowerCase()} cannot go from ${from} to ${to}`,
        ),
      );
    const target = this.guards[to];
    const edge = this.guards[`${from}->${to}` as `${S}->${S}`];
    for (const guard of [target, edge]) {
      const refused = guard?.(subject[0] as T);
      if (refused) return err(refused);
    }
    return ok(to);
  }

  /** The states reachable in one move from `from` (guards not consulted). */
  next(from: S): readonly S[] {
    return this.table[from];
  }

  isTerminal(state: S): boolean {
    return this.table[state].length === 0;
  }
}
