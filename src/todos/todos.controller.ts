import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentUser } from '../auth/decorators/current-user.decorator.js';
import { ApiProblems } from '../common/api-problems.decorator.js';
import { Consumes } from '../common/consumes.decorator.js';
import { BIGINT_ID, IdParam } from '../common/parse-id.pipe.js';
import { ApiListHeaders, setListHeaders } from '../common/list-page.js';
import { AcceptsIdempotencyKey, Idempotency } from '../idempotency/idempotency.decorator.js';
import type { IdempotentRequest } from '../idempotency/idempotency-key.js';
import { IdempotencyService } from '../idempotency/idempotency.service.js';
import { User } from '../users/user.entity.js';
import { CreateTodoDto } from './dto/create-todo.dto.js';
import { ListTodosQueryDto } from './dto/list-todos-query.dto.js';
import { toTodoOut, TodoOut } from './dto/todo-out.dto.js';
import { UpdateTodoDto } from './dto/update-todo.dto.js';
import { TodosService } from './todos.service.js';

@ApiTags('todos')
@ApiProblems(401, 403, 422)
@Controller('todos')
export class TodosController {
  constructor(
    private readonly todos: TodosService,
    private readonly idempotency: IdempotencyService,
  ) {}

  @Post()
  @Consumes('application/json')
  @ApiOperation({
    summary: 'Create a todo',
    description:
      'A new todo owned by the caller; `completed` defaults to false. With an `Idempotency-Key`, a retry of the same request answers with the first answer instead of creating a second todo. An account holding `TODOS_PER_USER_MAX` todos (10,000 by default) gets a 409.',
    operationId: 'todos_create',
  })
  @ApiCreatedResponse({ type: TodoOut })
  @ApiProblems(409)
  @AcceptsIdempotencyKey()
  async create(@CurrentUser() user: User, @Body() body: CreateTodoDto, @Idempotency() key?: IdempotentRequest): Promise<TodoOut> {
    const created = await this.idempotency.run(key, { userId: user.id }, async (em) =>
      toTodoOut(await this.todos.create(user.id, body, em)),
    );
    return created.answer;
  }

  @Get()
  @ApiOperation({
    summary: 'List my todos',
    description:
      'The caller\'s todos, a page at a time, newest first unless `sort` says otherwise. To page, follow `Link: <…>; rel="next"` (or send `X-Next-Cursor` back as `cursor` with the same `completed`, `q` and `sort`) until it is absent: that walks every todo once, in order, even while todos are added or deleted. `offset` is for short jumps only. `X-Total-Count` holds how many match the filters, or `X-Total-Count-Exceeds` says there are too many to count.',
    operationId: 'todos_list',
  })
  @ApiOkResponse({ type: [TodoOut], headers: ApiListHeaders })
  async list(
    @CurrentUser() user: User,
    @Query() query: ListTodosQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const { json, page } = await this.todos.listJson(user.id, query);
    setListHeaders(reply, page);
    // Already JSON (an array of TodoOut, as documented): sent as it is.
    reply.type('application/json; charset=utf-8');
    return json;
  }

  @Get(':id')
  @ApiOperation({
    summary: 'Get one of my todos',
    description: "One of the caller's todos. Another user's todo is a 404, exactly as a missing one.",
    operationId: 'todos_get',
  })
  @ApiOkResponse({ type: TodoOut })
  @ApiProblems(404)
  async get(@CurrentUser() user: User, @IdParam(BIGINT_ID, "The todo's id") id: number): Promise<TodoOut> {
    return toTodoOut(await this.todos.findOwnedTodo(user.id, id));
  }

  @Patch(':id')
  @Consumes('application/json')
  @ApiOperation({
    summary: 'Change one of my todos',
    description: 'Changes only the fields sent; `description: null` clears the description. `updated_at` moves with any change.',
    operationId: 'todos_update',
  })
  @ApiOkResponse({ type: TodoOut })
  @ApiProblems(404)
  async update(@CurrentUser() user: User, @IdParam(BIGINT_ID, "The todo's id") id: number, @Body() body: UpdateTodoDto): Promise<TodoOut> {
    return toTodoOut(await this.todos.update(user.id, id, body));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Delete one of my todos',
    description: "Deletes one of the caller's todos for good.",
    operationId: 'todos_delete',
  })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiProblems(404)
  async remove(@CurrentUser() user: User, @IdParam(BIGINT_ID, "The todo's id") id: number): Promise<void> {
    await this.todos.remove(user.id, id);
  }
}
