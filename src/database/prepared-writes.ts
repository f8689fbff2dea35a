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
export class PreparedWrites<T extends ObjectLiteral> {
  private readonly statements = new Map<string, string>();
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

  private value(column: ColumnMetadata, value: unknown): unknown {
    return this.repository.manager.connection.driver.preparePersistentValue(value, column);
  }

  private async run(sql: string, values: unknown[], em?: EntityManager): Promise<T | undefined> {
    const rows = em?.queryRunner
      ? await em.query<Record<string, unknown>[]>(sql, values)
      : await preparedQuery(this.repository.manager, sql, values);
    return rows[0] && hydrate(this.repository, rows[0]);
  }

  /** Inserts the defined properties of `values` (the rest take their defaults); in `em`'s transaction when it has one. */
  insert(values: Partial<T>, em?: EntityManager): Promise<T> {
    const columns = Object.keys(values)
      .filter((property) => values[property] !== undefined)
      .map((property) => this.column(property));
    const key = `insert:${columns.map((c) => c.propertyName).join()}`;
    let sql = this.statements.get(key);
    if (!sql) {
      const names = columns.map((c) => `"${c.databaseName}"`).join(', ');
      const placeholders = columns.map((_, i) => `$${i + 1}`).join(', ');
      sql = `INSERT INTO ${this.table} (${names}) VALUES (${placeholders}) RETURNING ${this.returning}`;
      this.statements.set(key, sql);
    }
    return this.run(
      sql,
      columns.map((c) => this.value(c, c.getEntityValue(values))),
      em,
    ) as Promise<T>;
  }

  /**
   * Sets the defined properties of `changes` (and the update-date column) on the row matching
   * every property of `where`; `undefined` when no row matches.
   */
  update(where: Partial<T>, changes: Partial<T>): Promise<T | undefined> {
    const keys = Object.keys(where).map((property) => this.column(property));
    const set = Object.keys(changes)
      .filter((property) => changes[property] !== undefined)
      .map((property) => this.column(property));
    const key = `update:${keys.map((c) => c.propertyName).join()}:${set.map((c) => c.propertyName).join()}`;
    let sql = this.statements.get(key);
    if (!sql) {
      const updated = this.repository.metadata.updateDateColumn;
      const assignments = [
        ...set.map((c, i) => `"${c.databaseName}" = $${keys.length + i + 1}`),
        ...(updated ? [`"${updated.databaseName}" = now()`] : []),
      ];
      const conditions = keys.map((c, i) => `"${c.databaseName}" = $${i + 1}`).join(' AND ');
      sql = `UPDATE ${this.table} SET ${assignments.join(', ')} WHERE ${conditions} RETURNING ${this.returning}`;
      this.statements.set(key, sql);
    }
    return this.run(sql, [
      ...keys.map((c) => this.value(c, c.getEntityValue(where))),
      ...set.map((c) => this.value(c, c.getEntityValue(changes))),
    ]);
  }
}
