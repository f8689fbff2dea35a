import type { ObjectLiteral, Repository } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata.js';
import { selectedColumns } from './hydrate.js';

/**
 * How PostgreSQL writes a column's value as `JSON.stringify` writes what TypeORM loads for it.
 * Only types whose two forms are known to match; any other type is refused at start-up rather
 * than written differently.
 */
const JSON_FORMS: Record<string, (value: string) => string> = {
  integer: (v) => v,
  smallint: (v) => v,
  boolean: (v) => v,
  'character varying': (v) => v,
  text: (v) => v,
  uuid: (v) => v,
  enum: (v) => v,
  // Read as numbers (int8-numbers.ts: ids are capped at 2^53 − 1), so written as JSON numbers.
  bigint: (v) => v,
  // node-postgres reads these as strings, which keep every digit.
  numeric: (v) => `${v}::text`,
  // `Date#toJSON`: UTC, milliseconds (truncated, as node-postgres truncates them).
  'timestamp with time zone': (v) => `to_char(${v} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`,
};

/** Stands in for a column's value while the mapper runs, so its output tells which column each field copies. */
class ColumnMarker {
  constructor(readonly column: ColumnMetadata) {}
}

/**
 * The select list (`expr AS "field", …`) of a row whose `row_to_json` is the text
 * `JSON.stringify(toOut(entity))` writes for the entity loaded from that row: the same fields in the
 * same order, from the same columns. Which column each field copies is learnt by running `toOut`
 * once on an entity whose columns hold markers, so a field added to the mapper reaches the SQL
 * with no edit to it. A field that is not a column a plain load reads, copied as it is (computed,
 * a `select: false` column, one with a transformer or a type without a known JSON form), throws
 * here, at start-up.
 */
export function mappedJsonSelect<T extends ObjectLiteral>(repository: Repository<T>, toOut: (entity: T) => object, alias: string): string {
  const probe = repository.create();
  for (const column of selectedColumns(repository)) column.setEntityValue(probe, new ColumnMarker(column));
  const { driver } = repository.manager.connection;
  return Object.entries(toOut(probe))
    .map(([field, value]) => {
      const column = value instanceof ColumnMarker ? value.column : undefined;
      const form = column && !column.transformer && !column.isArray ? JSON_FORMS[driver.normalizeType(column)] : undefined;
      if (!column || !form) {
        const what = column ? `column "${column.databaseName}" of type ${driver.normalizeType(column)}` : 'not a column copied as it is';
        throw new Error(`${repository.metadata.name}: field "${field}" cannot be written by SQL (${what})`);
      }
      return `${form(`${alias}."${column.databaseName}"`)} AS "${field}"`;
    })
    .join(', ');
}

/** A column's database name from its property, for hand-written SQL that filters or sorts by it. */
export function columnName<T extends ObjectLiteral>(repository: Repository<T>, property: keyof T & string): string {
  const column = repository.metadata.findColumnWithPropertyName(property);
  if (!column) throw new Error(`${repository.metadata.name} has no column ${property}`);
  return `"${column.databaseName}"`;
}
