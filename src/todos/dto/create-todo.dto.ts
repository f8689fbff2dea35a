import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, Length, MaxLength } from 'class-validator';
import type { Todo } from '../todo.entity.js';

export class CreateTodoDto {
  @ApiProperty({ minLength: 1, maxLength: 200, example: 'Buy milk' })
  @Length(1, 200)
  @IsString()
  title!: string;

  @ApiPropertyOptional({ type: String, maxLength: 2000, nullable: true, example: 'Two litres, semi-skimmed' })
  @IsOptional()
  @MaxLength(2000)
  @IsString()
  description?: string | null;

  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  completed?: boolean;
}

/** The entity's values a create sets; a field left out takes its column's default. */
export function toNewTodo(dto: CreateTodoDto): Partial<Todo> {
  // `@IsOptional` lets `completed: null` through: it means the default, as if left out.
  return { title: dto.title, description: dto.description, completed: dto.completed ?? undefined };
}
