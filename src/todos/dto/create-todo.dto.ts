import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, Length, MaxLength } from 'class-validator';

export class CreateTodoDto {
  @ApiProperty({ minLength: 1, maxLength: 200, example: 'Buy milk' })
  @IsString() @Length(1, 200)
  title!: string;

  @ApiPropertyOptional({ type: String, maxLength: 2000, nullable: true, example: 'Two litres, semi-skimmed' })
  @IsOptional() @IsString() @MaxLength(2000)
  description?: string | null;

  @ApiPropertyOptional({ default: false })
  @IsOptional() @IsBoolean()
  completed?: boolean;
}
