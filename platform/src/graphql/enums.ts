import { registerEnumType } from 'type-graphql';
import type { ClosedSet } from '@marketplace/shared-kernel';

/**
 * The GraphQL enum of a domain's closed set: one member per value, named as the value. Use the
 * returned object as the field type: `@Field(() => OrderStatusEnum)`.
 */
export function graphqlEnum<V extends string>(
  set: ClosedSet<V>,
  options: {
    name?: string;
    description?: string;
    valuesConfig?: { [K in V]?: { description?: string } };
  } = {},
): { readonly [K in V]: K } {
  const enumObject = Object.fromEntries(set.values.map((v) => [v, v])) as { [K in V]: K };
  registerEnumType(enumObject, {
    name: options.name ?? set.name,
    ...(options.description ? { description: options.description } : {}),
    ...(options.valuesConfig ? { valuesConfig: options.valuesConfig } : {}),
  });
  return enumObject;
}
