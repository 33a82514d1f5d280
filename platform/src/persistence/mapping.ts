import {
  EntitySchema,
  type EntitySchemaMetadata,
  type FilterQuery,
  type QueryOrderMap,
} from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Maps a domain class whose state is private. `Row` names the stored fields with indexed access
 * types (`Order['_status']`, which the compiler allows for private fields and checks), so a
 * renamed or mistyped field fails to compile, and `properties` is checked against `Row`. The one
 * cast, from the class to its stored shape, lives here. The class may keep its constructor private
 * (aggregates are made by a static `create`; the ORM never calls the constructor).
 */
export function mapEntity<Row extends object>(
  cls: { readonly prototype: object },
  metadata: Omit<EntitySchemaMetadata<Row>, 'class'>,
): EntitySchema<Row> {
  return new EntitySchema<Row>({
    ...metadata,
    class: cls as unknown as EntitySchemaMetadata<Row>['class'],
  } as EntitySchemaMetadata<Row>);
}

/**
 * A filter on a mapped class's stored fields, private ones included, checked against its `Row`
 * (the class's own filter type cannot name private fields):
 * `em.find(Order, storedWhere(Order, OrderSchema, { _status: 'PLACED' }))`.
 */
export function storedWhere<E extends object, Row extends object>(
  _cls: { readonly prototype: E },
  _schema: EntitySchema<Row>,
  where: FilterQuery<Row>,
): FilterQuery<E> {
  return where as unknown as FilterQuery<E>;
}

/**
 * An ordering on a mapped class's stored fields, private ones included, checked against its `Row`
 * like `storedWhere`: `{ orderBy: storedOrder(Cart, CartSchema, { _expiresAt: 'asc' }) }`.
 */
export function storedOrder<E extends object, Row extends object>(
  _cls: { readonly prototype: E },
  _schema: EntitySchema<Row>,
  orderBy: QueryOrderMap<Row>,
): QueryOrderMap<E> {
  return orderBy as unknown as QueryOrderMap<E>;
}

/**
 * The values a CHECK constraint on `table.column` allows, as the database holds it (for the test
 * that keeps it equal to the domain's closed set). Null when the column has no such CHECK.
 */
export async function checkedValues(
  em: EntityManager,
  table: string,
  column: string,
): Promise<string[] | null> {
  const rows = await em.execute<{ definition: string }[]>(
    `select pg_get_constraintdef(c.oid) as definition
       from pg_constraint c join pg_class t on t.oid = c.conrelid
      where c.contype = 'c' and t.relname = ? and pg_get_constraintdef(c.oid) like ?`,
    [table, `%${column}%`],
  );
  for (const { definition } of rows) {
    // Postgres prints `CHECK ((status = ANY (ARRAY['A'::text, 'B'::text])))`; other checks naming
    // the column (`(scope = 'SELLER') = (seller_id is not null)`) are no closed set.
    if (!definition.includes(`${column} = ANY (ARRAY[`)) continue;
    const values = [...definition.matchAll(/'((?:[^']|'')*)'::/g)].map((m) => m[1]!.replaceAll("''", "'"));
    if (values.length > 0) return values;
  }
  return null;
}
