import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, Repository } from 'typeorm';
import { likeContains } from '../common/pagination.dto.js';
import { hydrate, selectList } from '../database/hydrate.js';
import { preparedQuery } from '../database/prepared.js';
import type { CreateTodoDto } from './dto/create-todo.dto.js';
import type { ListTodosQueryDto, TodoSort } from './dto/list-todos-query.dto.js';
import type { UpdateTodoDto } from './dto/update-todo.dto.js';
import { Todo } from './todo.entity.js';

/** From the validated `sort` only, under a table alias: no client text reaches the SQL. */
const ORDER_BY: Record<TodoSort, (alias: string) => string> = {
  created_at: (a) => `${a}.created_at ASC, ${a}.id ASC`,
  '-created_at': (a) => `${a}.created_at DESC, ${a}.id DESC`,
  title: (a) => `${a}.title ASC, ${a}.id ASC`,
  '-title': (a) => `${a}.title DESC, ${a}.id DESC`,
};

/** `Date#toJSON` of a timestamptz column: UTC, milliseconds (truncated, as node-postgres truncates them). */
const isoTime = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

const notFound = () => new NotFoundException('Todo not found');

/**
 * Every query is scoped to its owner, so another user's todo is indistinguishable from a missing
 * one. Each is fixed SQL run as a prepared statement (todos are the hot path of the API); values
 * are bound parameters. Rows become entities through the entity's metadata, except in the list,
 * which PostgreSQL writes as JSON.
 */
@Injectable()
export class TodosService {
  private readonly columns: string;
  private readonly listSql = new Map<string, string>();

  constructor(@InjectRepository(Todo) private readonly todos: Repository<Todo>) {
    this.columns = selectList(todos, 't');
  }

  private async run(sql: string, values: unknown[]): Promise<Todo[]> {
    return (await preparedQuery(this.todos.manager, sql, values)).map((row) => hydrate(this.todos, row));
  }

  /**
   * One `INSERT … RETURNING`: a single statement needs no transaction of its own around it, but
   * runs in the caller's when given one (an idempotency key's record commits with it).
   */
  async create(ownerId: number, dto: CreateTodoDto, em: EntityManager = this.todos.manager): Promise<Todo> {
    const sql = `INSERT INTO todos AS t (title, description, completed, owner_id) VALUES ($1, $2, $3, $4) RETURNING ${this.columns}`;
    const values = [dto.title, dto.description ?? null, dto.completed ?? false, ownerId];
    if (!em.queryRunner) return (await this.run(sql, values))[0];
    const [row] = await em.query<Record<string, unknown>[]>(sql, values);
    return hydrate(this.todos, row);
  }

  /**
   * One page as the API's JSON array, written by PostgreSQL, and the total, in one statement (a
   * window count). The todo list is the heaviest read of the API: writing its JSON in the database
   * skips converting twenty rows to entities, then to `TodoOut`s, then to text, which was about a
   * third of the server's CPU on `GET /todos`. The page is cut first and only its rows are written
   * out, each by `row_to_json` as `JSON.stringify` would write a `TodoOut`: the same fields in the
   * same order, timestamps in `Date#toJSON`'s form (UTC, milliseconds), no whitespace. The filter
   * and order clauses are fixed text chosen by which filters are present and the validated sort:
   * sixteen statements, and four for the count of a page past the end.
   */
  async listJson(ownerId: number, query: ListTodosQueryDto): Promise<{ json: string; total: number }> {
    const params: unknown[] = [ownerId];
    let where = 'owner_id = $1';
    if (query.completed !== undefined) where += ` AND completed = $${params.push(query.completed)}`;
    if (query.q) where += ` AND title ILIKE $${params.push(likeContains(query.q))}`;
    const key = `${where}|${query.sort}`;
    let sql = this.listSql.get(key);
    if (!sql) {
      const order = ORDER_BY[query.sort];
      sql = `SELECT max(p.total) AS total, '[' || coalesce(string_agg(row_to_json(j)::text, ',' ORDER BY ${order('p')}), '') || ']' AS json
          FROM (SELECT count(*) OVER () AS total, t.id, t.title, t.description, t.completed, t.owner_id, t.created_at, t.updated_at
                  FROM todos t WHERE ${where} ORDER BY ${order('t')} LIMIT $${params.length + 1} OFFSET $${params.length + 2}) p
          CROSS JOIN LATERAL (SELECT p.id, p.title, p.description, p.completed, p.owner_id,
                                     ${isoTime('p.created_at')} AS created_at, ${isoTime('p.updated_at')} AS updated_at) j`;
      this.listSql.set(key, sql);
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
      `SELECT count(*) AS total FROM todos WHERE ${where}`,
      params,
    );
    return { json: '[]', total: Number(total) };
  }

  async findOwnedTodo(ownerId: number, id: number): Promise<Todo> {
    const [todo] = await this.run(`SELECT ${this.columns} FROM todos t WHERE t.id = $1 AND t.owner_id = $2`, [id, ownerId]);
    if (!todo) throw notFound();
    return todo;
  }

  /**
   * One `UPDATE … RETURNING` scoped to the owner. Each field has a flag saying whether it was
   * sent, so one statement serves every subset, and an explicit `null` description clears it.
   */
  async update(ownerId: number, id: number, dto: UpdateTodoDto): Promise<Todo> {
    const sent = (value: unknown) => value !== undefined;
    if (!sent(dto.title) && !sent(dto.description) && !sent(dto.completed)) return this.findOwnedTodo(ownerId, id);
    const [todo] = await this.run(
      `UPDATE todos AS t SET
         title = CASE WHEN $3 THEN $4::varchar ELSE t.title END,
         description = CASE WHEN $5 THEN $6::varchar ELSE t.description END,
         completed = CASE WHEN $7 THEN $8::boolean ELSE t.completed END,
         updated_at = now()
       WHERE t.id = $1 AND t.owner_id = $2 RETURNING ${this.columns}`,
      [
        id,
        ownerId,
        sent(dto.title),
        dto.title ?? null,
        sent(dto.description),
        dto.description ?? null,
        sent(dto.completed),
        dto.completed ?? null,
      ],
    );
    if (!todo) throw notFound();
    return todo;
  }

  async remove(ownerId: number, id: number): Promise<void> {
    const deleted = await preparedQuery(this.todos.manager, 'DELETE FROM todos WHERE id = $1 AND owner_id = $2 RETURNING id', [
      id,
      ownerId,
    ]);
    if (deleted.length === 0) throw notFound();
  }
}
