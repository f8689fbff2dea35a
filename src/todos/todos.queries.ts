import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, Repository } from 'typeorm';
import { ListCursors, type ListQuery } from '../common/list-cursors.js';
import { cappedTotal, type ListPage, TOTAL_COUNT_CAP } from '../common/list-page.js';
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
  private readonly table: string;
  private readonly statements = new Map<string, string>();
  private readonly writes: PreparedWrites<Todo>;

  constructor(
    @InjectRepository(Todo) private readonly todos: Repository<Todo>,
    private readonly cursors: ListCursors,
  ) {
    this.item = mappedJsonSelect(todos, toTodoOut, 'p');
    this.table = `"${todos.metadata.tableName}"`;
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
   * One page as the API's JSON array, the total and the next page's cursor, in one statement. The
   * page is a range of the sort's index (`IDX_todos_owner_*_id`): after the cursor's key and id
   * when there is one, one row more than `limit` to learn whether a next page exists. Only the
   * page's rows are written out, each by `row_to_json` as `JSON.stringify` writes `toTodoOut` of
   * it: no row becomes an entity, then a `TodoOut`, then text. The total counts at most
   * `TOTAL_COUNT_CAP + 1` matching rows, so its cost is bounded whatever the owner holds.
   */
  async listJson(ownerId: number, query: ListTodosQueryDto): Promise<{ json: string; page: ListPage }> {
    const { text, values, bound } = this.listStatement(ownerId, query);
    const [result] = await preparedQuery<{ json: string; rows: number; last_key: string | null; last_id: number | null; total: number }>(
      this.todos.manager,
      text,
      values,
      // A search is planned with its term (the scale bench: a rare term 38× slower on a plan made for any term).
      { plan: query.q ? 'per-call' : 'reused' },
    );
    const next = result.rows > query.limit ? this.cursors.encode(bound, [result.last_key!, result.last_id!]) : undefined;
    return { json: result.json, page: { total: cappedTotal(result.total), next } };
  }

  /** The list's statement and its values (also what the tests `EXPLAIN`), and the query its cursors are bound to. */
  listStatement(ownerId: number, query: ListTodosQueryDto): { text: string; values: unknown[]; bound: ListQuery } {
    const [property, direction] = SORTS[query.sort];
    const bound = { list: 'todos', owner: ownerId, sort: query.sort, completed: query.completed, q: query.q };
    const after = query.cursor === undefined ? undefined : this.cursors.decode(bound, query.cursor, ['string', 'number']);
    const column = (name: keyof Todo & string) => columnName(this.todos, name);
    const params: unknown[] = [ownerId];
    let where = `t.${column('ownerId')} = $1`;
    if (query.completed !== undefined) where += ` AND t.${column('completed')} = $${params.push(query.completed)}`;
    if (query.q) where += ` AND t.${column('title')} ILIKE $${params.push(likeContains(query.q))}`;
    const filterParams = params.length;
    const key = `${where}|${query.sort}|${after !== undefined}`;
    let sql = this.statements.get(key);
    if (!sql) {
      const type = this.todos.manager.connection.driver.normalizeType(this.todos.metadata.findColumnWithPropertyName(property)!);
      const order = (alias: string) => `${alias}.${column(property)} ${direction}, ${alias}.${column('id')} ${direction}`;
      // The keyset: rows past the cursor's (key, id) in the sort's direction, as one row comparison the index serves.
      const past = `(t.${column(property)}, t.${column('id')}) ${direction === 'ASC' ? '>' : '<'} ($${filterParams + 1}::${type}, $${filterParams + 2})`;
      const [limit, offset] = after === undefined ? [filterParams + 1, filterParams + 3] : [filterParams + 3, filterParams + 5];
      const count = `(SELECT count(*)::int FROM (SELECT FROM ${this.table} t WHERE ${where} LIMIT ${TOTAL_COUNT_CAP + 1}) c)`;
      // A first page, or a page by offset, that holds the list's last row tells the total itself
      // (`totalFromPage`'s rule, decided in the statement so that the count stays in its one round
      // trip): the count's scan (PostgreSQL runs a sub-select only when it is read) is left for longer lists.
      const total =
        after === undefined
          ? `CASE WHEN count(*) <= $${limit} AND ($${offset} = 0 OR count(*) > 0) THEN ($${offset} + count(*))::int ELSE ${count} END`
          : count;
      sql = `SELECT '[' || coalesce(string_agg(row_to_json(j)::text, ',' ORDER BY p.__n) FILTER (WHERE p.__n <= $${limit}), '') || ']' AS json,
                count(*)::int AS rows,
                min(${keyText(`p.${column(property)}`, type)}) FILTER (WHERE p.__n = $${limit}) AS last_key,
                min(p.${column('id')}) FILTER (WHERE p.__n = $${limit}) AS last_id,
                ${total} AS total
          FROM (SELECT row_number() OVER (ORDER BY ${order('s')}) AS __n, s.*
                  FROM (SELECT t.* FROM ${this.table} t
                         WHERE ${where}${after === undefined ? '' : ` AND ${past}`}
                         ORDER BY ${order('t')} LIMIT $${limit + 1} OFFSET $${offset}) s) p
          CROSS JOIN LATERAL (SELECT ${this.item}) j`;
      this.statements.set(key, sql);
    }
    return { text: sql, values: [...params, ...(after ?? []), query.limit, query.limit + 1, query.offset], bound };
  }
}

/** A sort key as exact text for a cursor: timestamps to the microsecond, in UTC, as PostgreSQL reads them back. */
function keyText(expression: string, type: string): string {
  if (type === 'timestamp with time zone') return `to_char(${expression} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
  return `${expression}::text`;
}
