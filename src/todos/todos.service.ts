import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { likeContains } from '../common/pagination.dto.js';
import { hydrate, selectList } from '../database/hydrate.js';
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

/** Every query is scoped to its owner, so another user's todo is indistinguishable from a missing one. */
@Injectable()
export class TodosService {
  constructor(@InjectRepository(Todo) private readonly todos: Repository<Todo>) {}

  /** One `INSERT … RETURNING`: a single statement needs no transaction of its own around it. */
  create(ownerId: number, dto: CreateTodoDto): Promise<Todo> {
    return this.todos.save(
      this.todos.create({ title: dto.title, description: dto.description ?? null, completed: dto.completed ?? false, ownerId }),
      { transaction: false },
    );
  }

  /**
   * One page and the total in one statement (a window count), as plain SQL: the todo list is a hot
   * read, and the query builder and a second round trip were most of its cost. Values are bound
   * parameters; the filter and order clauses are fixed text.
   */
  async list(ownerId: number, query: ListTodosQueryDto): Promise<[Todo[], number]> {
    const params: unknown[] = [ownerId];
    let where = 'owner_id = $1';
    if (query.completed !== undefined) where += ` AND completed = $${params.push(query.completed)}`;
    if (query.q) where += ` AND title ILIKE $${params.push(likeContains(query.q))}`;
    const rows = (await this.todos.query(
      `SELECT ${selectList(this.todos, 't')}, count(*) OVER () AS total FROM todos t WHERE ${where}
        ORDER BY ${ORDER_BY[query.sort]} LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, query.limit, query.offset],
    )) as Record<string, unknown>[];
    if (rows.length > 0) return [rows.map((row) => hydrate(this.todos, row)), Number(rows[0].total)];
    // A page past the end has no row to carry the count.
    if (query.offset === 0) return [[], 0];
    const [{ total }] = (await this.todos.query(`SELECT count(*) AS total FROM todos WHERE ${where}`, params)) as { total: string }[];
    return [[], Number(total)];
  }

  async findOwnedTodo(ownerId: number, id: number): Promise<Todo> {
    const todo = await this.todos.findOneBy({ id, ownerId });
    if (!todo) throw notFound();
    return todo;
  }

  /** One `UPDATE … RETURNING` scoped to the owner. */
  async update(ownerId: number, id: number, dto: UpdateTodoDto): Promise<Todo> {
    const changes: Partial<Todo> = {};
    if (dto.title !== undefined) changes.title = dto.title;
    if (dto.description !== undefined) changes.description = dto.description;
    if (dto.completed !== undefined) changes.completed = dto.completed;
    if (Object.keys(changes).length === 0) return this.findOwnedTodo(ownerId, id);
    const result = await this.todos
      .createQueryBuilder()
      .update()
      .set(changes)
      .where('id = :id AND owner_id = :ownerId', { id, ownerId })
      .returning('*')
      .execute();
    const row = (result.raw as Record<string, unknown>[])[0];
    if (!row) throw notFound();
    // The row comes back with column names; map them through the entity's metadata.
    const todo = this.todos.create();
    for (const column of this.todos.metadata.columns) column.setEntityValue(todo, row[column.databaseName]);
    return todo;
  }

  async remove(ownerId: number, id: number): Promise<void> {
    const result = await this.todos.delete({ id, ownerId });
    if (!result.affected) throw notFound();
  }
}
