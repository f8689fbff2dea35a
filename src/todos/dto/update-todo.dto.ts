import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, Length, MaxLength, ValidateIf } from 'class-validator';
import { isPresent } from '../../common/validation.js';

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
