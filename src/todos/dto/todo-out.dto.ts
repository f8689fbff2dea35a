import { ApiProperty } from '@nestjs/swagger';
import { BIGINT_ID, INT_ID } from '../../common/parse-id.pipe.js';
import type { Todo } from '../todo.entity.js';

export class TodoOut {
  @ApiProperty({ ...BIGINT_ID, example: 1 })
  id!: number;

  @ApiProperty({ example: 'Buy milk' })
  title!: string;

  @ApiProperty({ type: String, nullable: true, example: 'Two litres, semi-skimmed' })
  description!: string | null;

  @ApiProperty({ example: false })
  completed!: boolean;

  @ApiProperty({ ...INT_ID, example: 1 })
  owner_id!: number;

  @ApiProperty({ example: '2026-01-01T12:00:00.000Z' })
  created_at!: Date;

  @ApiProperty({ example: '2026-01-01T12:00:00.000Z' })
  updated_at!: Date;
}

export function toTodoOut(todo: Todo): TodoOut {
  return {
    id: todo.id,
    title: todo.title,
    description: todo.description,
    completed: todo.completed,
    owner_id: todo.ownerId,
    created_at: todo.createdAt,
    updated_at: todo.updatedAt,
  };
}
