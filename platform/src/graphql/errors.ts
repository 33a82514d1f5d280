// type-graphql reads decorator metadata through this polyfill.
import 'reflect-metadata';
import { Directive, Field, ObjectType, createUnionType, type ClassType } from 'type-graphql';
import type { DomainError } from '@marketplace/shared-kernel';

/**
 * A business rejection returned as data in a mutation's result union, with a stable code
 * (e.g. `PRODUCT.INVALID_TRANSITION`, `VALIDATION.TOO_LONG`, `AUTH.FORBIDDEN`).
 */
@Directive('@shareable')
@ObjectType({ description: 'A rejected request: nothing was changed.' })
export class ErrorResult {
  @Field(() => String, { description: 'Stable, machine-readable code.' })
  code!: string;

  @Field(() => String)
  message!: string;

  @Field(() => String, { nullable: true, description: 'The input field at fault, if any.' })
  field?: string | null;

  static of(error: DomainError): ErrorResult {
    return Object.assign(new ErrorResult(), {
      code: error.code,
      message: error.message,
      field: error.field ?? null,
    });
  }
}

/**
 * The result union of a mutation (or a query that can refuse): its payload type, or the
 * `ErrorResult` saying why nothing happened. Payload types never have a top-level `code`.
 */
export function resultUnion<T extends ClassType<object>>(
  payload: T,
  options: { name: string; description?: string },
) {
  return createUnionType({
    name: options.name,
    ...(options.description ? { description: options.description } : {}),
    types: () => [payload, ErrorResult] as const,
    resolveType: (value) => ('code' in value ? ErrorResult : payload),
  });
}

export const forbidden = (message = 'You may not do this'): DomainError => ({
  code: 'AUTH.FORBIDDEN',
  message,
});
export const unauthenticated = (): DomainError => ({
  code: 'AUTH.UNAUTHENTICATED',
  message: 'Sign in first',
});
