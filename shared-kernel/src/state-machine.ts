import { domainError, err, ok, type Result } from './result.js';

/** A state machine written as data: each state lists the states it may move to. */
export type TransitionTable<S extends string> = { readonly [K in S]: readonly S[] };

export class StateMachine<S extends string> {
  constructor(
    /** Prefix of the error code, e.g. `PRODUCT` gives `PRODUCT.INVALID_TRANSITION`. */
    private readonly name: string,
    readonly table: TransitionTable<S>,
  ) {}

  can(from: S, to: S): boolean {
    return this.table[from].includes(to);
  }

  transition(from: S, to: S): Result<S> {
    return this.can(from, to)
      ? ok(to)
      : err(
          domainError(
            `${this.name}.INVALID_TRANSITION`,
            `${this.name.toLowerCase()} cannot go from ${from} to ${to}`,
          ),
        );
  }

  isTerminal(state: S): boolean {
    return this.table[state].length === 0;
  }
}
