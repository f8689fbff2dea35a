import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, Length, MaxLength } from 'class-validator';

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
