import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ListCursors } from '../common/list-cursors.js';
import { IdempotencyModule } from '../idempotency/idempotency.module.js';
import { TodoCount } from './todo-count.entity.js';
import { Todo } from './todo.entity.js';
import { TodosController } from './todos.controller.js';
import { TodosQueries } from './todos.queries.js';
import { TodosService } from './todos.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([Todo, TodoCount]), IdempotencyModule],
  controllers: [TodosController],
  providers: [TodosService, TodosQueries, ListCursors],
})
export class TodosModule {}
