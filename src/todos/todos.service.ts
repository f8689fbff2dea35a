import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { likeContains } from '../common/pagination.dto.js';
import { hydrate, selectList } from '../database/hydrate.js';
import { preparedQuery } from '../database/prepared.js';
import type { CreateTodoDto } from './dto/create-todo.dto.js';
import type { ListTodosQueryDto, TodoSort } from './dto/list-todos-query.dto.js';
import type { UpdateTodoDto } from './dto/update-todo.dto.js';
import { Todo } from './todo.entity.js';

/** From the validated `sort` only: no client text reaches the SQL. */
const ORDER_BY: Record<TodoSort, string> = {
  created_at: 'created_at ASC, id ASC',
  '-created_at': 'created_at DESC, id DESC',
  title: 'title ASC, id ASC',
  '-title': 'title DESC, id DESC',
};

const notFound = () => new NotFoundException('Todo not found');

/**
 * Every query is scoped to its owner, so another user's todo is indistinguishable from a missing
 * one. Each is fixed SQL run as a prepared statement (todos are the hot path of the API) and
 * hydrated through the entity's metadata; values are bound parameters.
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

  /** One `INSERT … RETURNING`: a single statement needs no transaction of its own around it. */
  async create(ownerId: number, dto: CreateTodoDto): Promise<Todo> {
    const [todo] = await this.run(
      `INSERT INTO todos AS t (title, description, completed, owner_id) VALUES ($1, $2, $3, $4) RETURNING ${this.columns}`,
      [dto.title, dto.description ?? null, dto.completed ?? false, ownerId],
    );
    return todo;
  }

  /**
   * One page and the total in one statement (a window count). The filter and order clauses are
   * fixed text chosen by which filters are present and the validated sort, so there are sixteen
   * statements in all.
   */
  async list(ownerId: number, query: ListTodosQueryDto): Promise<[Todo[], number]> {
    const params: unknown[] = [ownerId];
    let where = 'owner_id = $1';
    if (query.completed !== undefined) where += ` AND completed = $${params.push(query.completed)}`;
    if (query.q) where += ` AND title ILIKE $${params.push(likeContains(query.q))}`;
    const key = `${where}|${query.sort}`;
    let sql = this.listSql.get(key);
    if (!sql) {
      sql = `SELECT ${this.columns}, count(*) OVER () AS total FROM todos t WHERE ${where}
        ORDER BY ${ORDER_BY[query.sort]} LIMIT $${params.length + 1} OFFSET $${params.length + 2}`;
      this.listSql.set(key, sql);
    }
    const rows = await preparedQuery(this.todos.manager, sql, [...params, query.limit, query.offset]);
    if (rows.length > 0) return [rows.map((row) => hydrate(this.todos, row)), Number(rows[0].total)];
    // A page past the end has no row to carry the count.
    if (query.offset === 0) return [[], 0];
    const [{ total }] = await preparedQuery<{ total: string }>(this.todos.manager, `SELECT count(*) AS total FROM todos WHERE ${where}`, params);
    return [[], Number(total)];
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
      [id, ownerId, sent(dto.title), dto.title ?? null, sent(dto.description), dto.description ?? null, sent(dto.completed), dto.completed ?? null],
    );
    if (!todo) throw notFound();
    return todo;
  }

  async remove(ownerId: number, id: number): Promise<void> {
    const deleted = await preparedQuery(this.todos.manager, 'DELETE FROM todos WHERE id = $1 AND owner_id = $2 RETURNING id', [id, ownerId]);
    if (deleted.length === 0) throw notFound();
  }
}
