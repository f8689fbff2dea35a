import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, Repository } from 'typeorm';
import type { CreateTodoDto } from './dto/create-todo.dto.js';
import type { ListTodosQueryDto } from './dto/list-todos-query.dto.js';
import type { UpdateTodoDto } from './dto/update-todo.dto.js';
import { Todo } from './todo.entity.js';
import { TodosQueries } from './todos.queries.js';

const notFound = () => new NotFoundException('Todo not found');

/**
 * Every query is scoped to its owner, so another user's todo is indistinguishable from a missing
 * one. A write answers with the row read back as `GET /todos/{id}` reads it, so every column,
 * defaults included, reaches the answer.
 */
@Injectable()
export class TodosService {
  constructor(
    @InjectRepository(Todo) private readonly todos: Repository<Todo>,
    private readonly queries: TodosQueries,
  ) {}

  /** In the caller's transaction when given one: an idempotency key's record commits with the todo. */
  async create(ownerId: number, dto: CreateTodoDto, em: EntityManager = this.todos.manager): Promise<Todo> {
    const { identifiers } = await em.insert(Todo, { title: dto.title, description: dto.description, completed: dto.completed, ownerId });
    return em.findOneByOrFail(Todo, { id: identifiers[0].id as number });
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
    const sent = { title: dto.title, description: dto.description, completed: dto.completed };
    const changes = Object.fromEntries(Object.entries(sent).filter(([, value]) => value !== undefined));
    if (Object.keys(changes).length > 0 && !(await this.todos.update({ id, ownerId }, changes)).affected) throw notFound();
    return this.findOwnedTodo(ownerId, id);
  }

  async remove(ownerId: number, id: number): Promise<void> {
    if (!(await this.todos.delete({ id, ownerId })).affected) throw notFound();
  }
}
