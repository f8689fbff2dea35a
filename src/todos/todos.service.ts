import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, Repository } from 'typeorm';
import { type CreateTodoDto, toNewTodo } from './dto/create-todo.dto.js';
import type { ListTodosQueryDto } from './dto/list-todos-query.dto.js';
import { toTodoChanges, type UpdateTodoDto } from './dto/update-todo.dto.js';
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
  ) {}

  /** In the caller's transaction when given one: an idempotency key's record commits with the todo. */
  create(ownerId: number, dto: CreateTodoDto, em?: EntityManager): Promise<Todo> {
    return this.queries.insert({ ...toNewTodo(dto), ownerId }, em);
  }

  /** One page as the API's JSON array, and the total. */
  listJson(ownerId: number, query: ListTodosQueryDto): Promise<{ json: string; total: number }> {
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

  async remove(ownerId: number, id: number): Promise<void> {
    if (!(await this.todos.delete({ id, ownerId })).affected) throw notFound();
  }
}
