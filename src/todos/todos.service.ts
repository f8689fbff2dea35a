import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { ILike, Repository } from 'typeorm';
import { likeContains } from '../common/pagination.dto.js';
import type { CreateTodoDto } from './dto/create-todo.dto.js';
import type { ListTodosQueryDto, TodoSort } from './dto/list-todos-query.dto.js';
import type { UpdateTodoDto } from './dto/update-todo.dto.js';
import { Todo } from './todo.entity.js';

const ORDER: Record<TodoSort, Record<string, 'ASC' | 'DESC'>> = {
  created_at: { createdAt: 'ASC', id: 'ASC' },
  '-created_at': { createdAt: 'DESC', id: 'DESC' },
  title: { title: 'ASC', id: 'ASC' },
  '-title': { title: 'DESC', id: 'DESC' },
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

  list(ownerId: number, query: ListTodosQueryDto): Promise<[Todo[], number]> {
    return this.todos.findAndCount({
      where: {
        ownerId,
        ...(query.completed !== undefined ? { completed: query.completed } : {}),
        ...(query.q ? { title: ILike(likeContains(query.q)) } : {}),
      },
      order: ORDER[query.sort],
      skip: query.offset,
      take: query.limit,
    });
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
