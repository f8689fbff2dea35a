import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, Length, MaxLength, ValidateIf } from 'class-validator';
import { isPresent } from '../../common/validation.js';
import type { Todo } from '../todo.entity.js';

/** Any subset of the fields; `null` clears the description but is refused for the others. */
export class UpdateTodoDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 200, example: 'Buy oat milk' })
  @ValidateIf(isPresent)
  @Length(1, 200)
  @IsString()
  title?: string;

  @ApiPropertyOptional({ type: String, maxLength: 2000, nullable: true, example: 'From the shop on the corner' })
  @IsOptional()
  @MaxLength(2000)
  @IsString()
  description?: string | null;

  @ApiPropertyOptional({ example: true })
  @ValidateIf(isPresent)
  @IsBoolean()
  completed?: boolean;
}

/** The entity's values an update changes: only the fields sent (`null` included). */
export function toTodoChanges(dto: UpdateTodoDto): Partial<Todo> {
  const changes = { title: dto.title, description: dto.description, completed: dto.completed };
  return Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
}
