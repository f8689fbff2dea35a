import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, Length, MaxLength, ValidateIf } from 'class-validator';

const present = (_: object, value: unknown) => value !== undefined;

/** Any subset of the fields; `null` clears the description but is refused for the others. */
export class UpdateTodoDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 200, example: 'Buy oat milk' })
  @ValidateIf(present) @IsString() @Length(1, 200)
  title?: string;

  @ApiPropertyOptional({ type: String, maxLength: 2000, nullable: true })
  @IsOptional() @IsString() @MaxLength(2000)
  description?: string | null;

  @ApiPropertyOptional({ example: true })
  @ValidateIf(present) @IsBoolean()
  completed?: boolean;
}
