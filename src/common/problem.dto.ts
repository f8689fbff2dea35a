import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';

@ApiSchema({ name: 'FieldError' })
export class FieldErrorDto {
  @ApiProperty({ example: 'password' })
  field!: string;

  @ApiProperty({ example: 'must be at least 8 characters' })
  message!: string;
}

@ApiSchema({ name: 'Problem', description: 'RFC 9457 problem details: the body of every error response' })
export class ProblemDto {
  @ApiProperty({ example: 'about:blank' })
  type!: string;

  @ApiProperty({ example: 'Unauthorized' })
  title!: string;

  @ApiProperty({ type: 'integer', minimum: 400, maximum: 599, example: 401 })
  status!: number;

  @ApiProperty({ example: 'Incorrect email or password' })
  detail!: string;

  @ApiPropertyOptional({ example: '/auth/login' })
  instance?: string;

  @ApiPropertyOptional({ type: [FieldErrorDto] })
  errors?: FieldErrorDto[];
}
