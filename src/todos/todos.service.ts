import { ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, MoreThan, Repository } from 'typeorm';
import type { ListPage } from '../common/list-page.js';
import { accountConfig, type AccountConfig } from '../config/account.config.js';
import { type CreateTodoDto, toNewTodo } from './dto/create-todo.dto.js';
import type { ListTodosQueryDto } from './dto/list-todos-query.dto.js';
import { toTodoChanges, type UpdateTodoDto } from './dto/update-todo.dto.js';
import { TodoCount } from './todo-count.entity.js';
import { Todo } from './todo.entity.js';
import { TodosQueries } from './todos.queries.js';
import { coded } from '../common/problem-codes.js';

const notFound = () => new NotFoundException(coded('not_found', 'Todo not found'));

/**
 * Every query is scoped to its owner, so another user's todo is indistinguishable from a missing
 * one. A write is one statement returning the whole row, converted as a load converts it: every
 * column, defaults included, reaches the answer without a second read. The list and the writes
 * are in `todos.queries.ts`, where the benchmark measured them clearly faster (bench/README.md).
 */
@Injectable()
export class TodosService {
  constructor(
    @InjectRepository(Todo) private readonly todos: Repository<Todo>,
    private readonly queries: TodosQueries,
    @Inject(accountConfig.KEY) private readonly account: AccountConfig,
  ) {}

  /**
   * In the caller's transaction when given one: an idempotency key's record commits with the todo.
   * An account holding `TODOS_PER_USER_MAX` todos gets a 409, counted in the insert's statement.
   */
  async create(ownerId: number, dto: CreateTodoDto, em?: EntityManager): Promise<Todo> {
    const max = this.account.todosPerUserMax;
    const todo = await this.queries.insertCounted({ ...toNewTodo(dto), ownerId }, max, em);
    if (!todo) throw new ConflictException(coded('quota_exceeded', `Todo quota reached: at most ${max} todos per user`));
    return todo;
  }

  /** One page as the API's JSON array, with the total and the next page's cursor. */
  listJson(ownerId: number, query: ListTodosQueryDto): Promise<{ json: string; page: ListPage }> {
    return this.queries.listJson(ownerId, query);
  }

  async findOwnedTodo(ownerId: number, id: number): Promise<Todo> {
    const todo = await this.todos.findOneBy({ id, ownerId });
    if (!todo) throw notFound();
    return todo;
  }

  /** Only the fields sent change (an explicit `null` description clears it), and `updated_at` with them. */
  async update(ownerId: number, id: number, dto: UpdateTodoDto): Promise<Todo> {
    const changes = toTodoChanges(dto);
    if (Object.keys(changes).length === 0) return this.findOwnedTodo(ownerId, id);
    const todo = await this.queries.update(ownerId, id, changes);
    if (!todo) throw notFound();
    return todo;
  }

  /** The todo and its place in the owner's count go together. */
  async remove(ownerId: number, id: number): Promise<void> {
    const deleted = await this.todos.manager.transaction(async (em) => {
      if (!(await em.delete(Todo, { id, ownerId })).affected) return false;
      // Never below zero: a count that fell short (creates by an instance that predates the counts) stays at zero.
      await em.update(TodoCount, { userId: ownerId, count: MoreThan(0) }, { count: () => 'count - 1' });
      return true;
    });
    if (!deleted) throw notFound();
  }
}
