import { domainError, err, ok, type Result } from './result.js';

/**
 * A closed set of names (statuses, kinds) declared once in the domain. Its GraphQL enum
 * (`graphqlEnum` in platform) derives from `values`; the SQL CHECK a migration wrote is compared
 * with it by a test (`checkedValues` in platform).
 */
export interface ClosedSet<V extends string> {
  /** Names the set in error codes and in the GraphQL enum, e.g. `OrderStatus`. */
  readonly name: string;
  readonly values: readonly V[];
  has(value: unknown): value is V;
  /** The value itself, or `VALIDATION.NOT_IN_SET` naming the allowed values. */
  parse(value: unknown, field?: string): Result<V>;
}

/** The member type of a closed set: `type OrderStatus = MemberOf<typeof ORDER_STATUS>`. */
export type MemberOf<C> = C extends ClosedSet<infer V> ? V : never;

export function closedSet<const V extends string>(name: string, values: readonly V[]): ClosedSet<V> {
  if (new Set(values).size !== values.length || values.length === 0)
    throw new Error(`closed set ${name} must list distinct values`);
  const members = new Set<string>(values);
  const frozen = Object.freeze([...values]);
  const has = (value: unknown): value is V => typeof value === 'string' && members.has(value);
  return {
    name,
    values: frozen,
    has,
    parse: (value, field) =>
      has(value)
        ? ok(value)
        : err(
            domainError(
              'VALIDATION.NOT_IN_SET',
              `${field ?? name} must be one of ${frozen.join(', ')}`,
              field,
            ),
          ),
  };
}
