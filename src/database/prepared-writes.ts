import type { EntityManager, ObjectLiteral, Repository } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata.js';
import { hydrate, selectList } from './hydrate.js';
import { preparedQuery } from './prepared.js';

/**
 * One-statement writes that answer with the row (`INSERT … RETURNING`, `UPDATE … RETURNING`),
 * their SQL written from the entity's metadata and run as named prepared statements, for a hot
 * path where the query builder's work per call and PostgreSQL's parse per call measured too slow
 * (bench/README.md). Values go through the driver's own conversion for persisting (transformers
 * included) and the returned row through `hydrate`, as TypeORM converts its loads, so a column
 * added to the entity is written and returned with no edit here. One statement per set of
 * properties given; property names come from code, never from a client.
 */
/** The condition of a guarded insert: the body of a CTE that yields a row when the insert may go ahead. */
export interface WriteGuard {
  sql: string;
  values: unknown[];
}

export class PreparedWrites<T extends ObjectLiteral> {
  /** By the properties a call sets (and matches on): the statement and the columns of its parameters, in order. */
  private readonly statements = new Map<string, { sql: string; columns: ColumnMetadata[] }>();
  private readonly table: string;
  private readonly returning: string;

  constructor(private readonly repository: Repository<T>) {
    this.table = `"${repository.metadata.tableName}"`;
    this.returning = selectList(repository, repository.metadata.tableName);
  }

  private column(property: string): ColumnMetadata {
    const column = this.repository.metadata.findColumnWithPropertyName(property);
    if (!column) throw new Error(`${this.repository.metadata.name} has no column ${property}`);
    return column;
  }

  /**
   * `values` are the columns' parameters in order, as the entity holds them (each column converts
   * its own), after the guard's `leading` ones.
   */
  private async run(
    statement: { sql: string; columns: ColumnMetadata[] },
    values: unknown[],
    em?: EntityManager,
    leading: unknown[] = [],
  ): Promise<T | undefined> {
    const { driver } = this.repository.manager.connection;
    for (let i = 0; i < values.length; i++) values[i] = driver.preparePersistentValue(values[i], statement.columns[i]);
    if (leading.length) values.unshift(...leading);
    const rows = em?.queryRunner
      ? await em.query<Record<string, unknown>[]>(statement.sql, values)
      : await preparedQuery(this.repository.manager, statement.sql, values);
    return rows[0] && hydrate(this.repository, rows[0]);
  }

  /** Inserts the defined properties of `values` (the rest take their defaults); in `em`'s transaction when it has one. */
  insert(values: Partial<T>, em?: EntityManager): Promise<T> {
    return this.insertIf(undefined, values, em) as Promise<T>;
  }

  /**
   * The same insert, made only when `guard` (the body of a CTE, its own parameters numbered from
   * $1, its text fixed by code) yields a row, in the same statement; `undefined` when it yields
   * none. A guard may write: a counter it raises commits with the row, or neither does.
   */
  insertIf(guard: WriteGuard | undefined, values: Partial<T>, em?: EntityManager): Promise<T | undefined> {
    const properties = definedProperties(values);
    const key = `insert:${guard?.sql ?? ''}:${properties.join()}`;
    let statement = this.statements.get(key);
    if (!statement) {
      const columns = properties.map((property) => this.column(property));
      const names = columns.map((c) => `"${c.databaseName}"`).join(', ');
      const first = (guard?.values.length ?? 0) + 1;
      const placeholders = columns.map((_, i) => `$${first + i}`).join(', ');
      const sql = guard
        ? `WITH guard AS (${guard.sql}) INSERT INTO ${this.table} (${names}) SELECT ${placeholders} FROM guard RETURNING ${this.returning}`
        : `INSERT INTO ${this.table} (${names}) VALUES (${placeholders}) RETURNING ${this.returning}`;
      statement = { sql, columns };
      this.statements.set(key, statement);
    }
    return this.run(
      statement,
      properties.map((property) => values[property]),
      em,
      guard?.values,
    );
  }

  /**
   * Sets the defined properties of `changes` (and the update-date column) on the row matching
   * every property of `where`; `undefined` when no row matches.
   */
  update(where: Partial<T>, changes: Partial<T>): Promise<T | undefined> {
    const matched = definedProperties(where);
    const changed = definedProperties(changes);
    const key = `update:${matched.join()}:${changed.join()}`;
    let statement = this.statements.get(key);
    if (!statement) {
      const keys = matched.map((property) => this.column(property));
      const set = changed.map((property) => this.column(property));
      const updated = this.repository.metadata.updateDateColumn;
      const assignments = [
        ...set.map((c, i) => `"${c.databaseName}" = $${keys.length + i + 1}`),
        ...(updated ? [`"${updated.databaseName}" = now()`] : []),
      ];
      const conditions = keys.map((c, i) => `"${c.databaseName}" = $${i + 1}`).join(' AND ');
      const sql = `UPDATE ${this.table} SET ${assignments.join(', ')} WHERE ${conditions} RETURNING ${this.returning}`;
      statement = { sql, columns: [...keys, ...set] };
      this.statements.set(key, statement);
    }
    return this.run(statement, [...matched.map((property) => where[property]), ...changed.map((property) => changes[property])]);
  }
}

/** The properties of `source` that hold a value, in their order. */
function definedProperties<T extends ObjectLiteral>(source: Partial<T>): (keyof T & string)[] {
  return Object.keys(source).filter((property) => source[property] !== undefined);
}
