/**
 * A domain rejection that survives process boundaries: the `code` is stable, `instanceof` is not.
 * `C` narrows the code to the literals a function can return (inferred from `domainError`); the
 * default, `string`, is any code, and every narrowed error is also a `DomainError`.
 */
export interface DomainError<C extends string = string> {
  readonly code: C;
  readonly message: string;
  /** The input field the error is about, when there is one. */
  readonly field?: string;
}

/** A rejection whose code keeps its literal type, so what a use case can return may be typed. */
export const domainError = <C extends string>(code: C, message: string, field?: string): DomainError<C> =>
  field === undefined ? { code, message } : { code, message, field };

export type Ok<T> = { readonly ok: true; readonly value: T };
export type Err<E = DomainError> = { readonly ok: false; readonly error: E };
export type Result<T, E = DomainError> = Ok<T> | Err<E>;

export const ok = <T>(value: T): Ok<T> => ({ ok: true, value });
export const err = <E = DomainError>(error: E): Err<E> => ({ ok: false, error });

/** Collects the results of several checks: the first rejection wins, else all values in order. */
export function combine<T extends readonly Result<unknown>[]>(
  ...results: T
): Result<{ [K in keyof T]: T[K] extends Result<infer V> ? V : never }> {
  const values: unknown[] = [];
  for (const r of results) {
    if (!r.ok) return r;
    values.push(r.value);
  }
  return ok(values as { [K in keyof T]: T[K] extends Result<infer V> ? V : never });
}

/** Thrown only for programming errors (a broken invariant), never for user input. */
export class InvariantViolation extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'InvariantViolation';
  }
}
