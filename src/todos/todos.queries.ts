import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, Repository } from 'typeorm';
import { likeContains } from '../common/pagination.dto.js';
import { columnName, mappedJsonSelect } from '../database/mapped-json.js';
import { preparedQuery } from '../database/prepared.js';
import { PreparedWrites } from '../database/prepared-writes.js';
import type { ListTodosQueryDto, TodoSort } from './dto/list-todos-query.dto.js';
import { toTodoOut } from './dto/todo-out.dto.js';
import { Todo } from './todo.entity.js';

/** Each sort as the entity property it orders by, then the id the same way, so a page is stable. */
const SORTS: Record<TodoSort, [keyof Todo & string, 'ASC' | 'DESC']> = {
  created_at: ['createdAt', 'ASC'],
  '-created_at': ['createdAt', 'DESC'],
  title: ['title', 'ASC'],
  '-title': ['title', 'DESC'],
};

/** Raises the owner's count when it is below the bound ($2), and yields a row only then. */
const COUNT_ONE_MORE = `INSERT INTO todo_counts AS c (user_id, count) VALUES ($1, 1)
  ON CONFLICT (user_id) DO UPDATE SET count = c.count + 1 WHERE c.count < $2 RETURNING c.user_id`;

/**
 * The todos module's hand-written SQL, kept only where the benchmark measured a clear gain
 * (bench/README.md): the list, whose JSON PostgreSQL writes, and the writes, each one prepared
 * statement written from the entity's metadata. Reads of one todo and deletes go through the
 * repository. Column names come from the entity's metadata, and the listed fields from
 * `toTodoOut` itself, so a column added to the entity and `TodoOut` is listed with no edit here.
 * Statements are fixed text chosen by which filters are present and the validated sort (no client
 * text reaches the SQL), run as prepared statements; values are bound parameters.
 */
@Injectable()
export class TodosQueries {
  private readonly item: string;
  private readonly statements = new Map<string, string>();
  private readonly writes: PreparedWrites<Todo>;

  constructor(@InjectRepository(Todo) private readonly todos: Repository<Todo>) {
    this.item = mappedJsonSelect(todos, toTodoOut, 'p');
    this.writes = new PreparedWrites(todos);
  }

  /**
   * `INSERT … RETURNING` the whole row, in the statement that counts it against the owner's bound
   * (`todo_counts`): `undefined`, and nothing written, when the owner already holds `max`. The
   * count's row is locked until the statement's transaction ends, so creates of one owner queue
   * there and the bound holds exactly. In `em`'s transaction when it has one.
   */
  insertCounted(values: Partial<Todo> & { ownerId: number }, max: number, em?: EntityManager): Promise<Todo | undefined> {
    return this.writes.insertIf({ sql: COUNT_ONE_MORE, values: [values.ownerId, max] }, values, em);
  }

  /** `UPDATE … RETURNING` the whole row of the owner's todo; `undefined` when there is none. */
  update(ownerId: number, id: number, changes: Partial<Todo>): Promise<Todo | undefined> {
    return this.writes.update({ id, ownerId }, changes);
  }

  /**
   * One page as the API's JSON array and the total, in one statement (a window count). The page is
   * cut first and only its rows are written out, each by `row_to_json` as `JSON.stringify` writes
   * `toTodoOut` of it: no row becomes an entity, then a `TodoOut`, then text.
   */
  async listJson(ownerId: number, query: ListTodosQueryDto): Promise<{ json: string; total: number }> {
    const column = (property: keyof Todo & string) => columnName(this.todos, property);
    const table = `"${this.todos.metadata.tableName}"`;
    const params: unknown[] = [ownerId];
    let where = `${column('ownerId')} = $1`;
    if (query.completed !== undefined) where += ` AND ${column('completed')} = $${params.push(query.completed)}`;
    if (query.q) where += ` AND ${column('title')} ILIKE $${params.push(likeContains(query.q))}`;
    const key = `${where}|${query.sort}`;
    let sql = this.statements.get(key);
    if (!sql) {
      const [property, direction] = SORTS[query.sort];
      const order = (alias: string) => `${alias}.${column(property)} ${direction}, ${alias}.${column('id')} ${direction}`;
      // `__total`, not `total`: it sits beside `t.*`, and an entity may well have a column named total.
      sql = `SELECT max(p.__total) AS total, '[' || coalesce(string_agg(row_to_json(j)::text, ',' ORDER BY ${order('p')}), '') || ']' AS json
          FROM (SELECT count(*) OVER () AS __total, t.* FROM ${table} t WHERE ${where}
                 ORDER BY ${order('t')} LIMIT $${params.length + 1} OFFSET $${params.length + 2}) p
          CROSS JOIN LATERAL (SELECT ${this.item}) j`;
      this.statements.set(key, sql);
    }
    const [page] = await preparedQuery<{ total: string | null; json: string }>(this.todos.manager, sql, [
      ...params,
      query.limit,
      query.offset,
    ]);
    if (page.total !== null) return { json: page.json, total: Number(page.total) };
    // A page past the end has no row to carry the count.
    if (query.offset === 0) return { json: '[]', total: 0 };
    const [{ total }] = await preparedQuery<{ total: string }>(
      this.todos.manager,
      `SELECT count(*) AS total FROM ${table} WHERE ${where}`,
      params,
    );
    return { json: '[]', total: Number(total) };
  }
}
