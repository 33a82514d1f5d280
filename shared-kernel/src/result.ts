/** A domain rejection that survives process boundaries: the `code` is stable, `instanceof` is not. */
export interface DomainError {
  readonly code: string;
  readonly message: string;
  /** The input field the error is about, when there is one. */
  readonly field?: string;
}

export const domainError = (code: string, message: string, field?: string): DomainError =>
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
