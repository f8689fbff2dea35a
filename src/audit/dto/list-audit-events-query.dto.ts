import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, isISO8601, IsOptional, Max, Min, ValidateBy } from 'class-validator';
import { PaginationQueryDto, toIntParam } from '../../common/pagination.dto.js';
import { INT_ID } from '../../common/parse-id.pipe.js';
import type { FieldCodeContext } from '../../common/validation.js';
import { AUDIT_EVENT_TYPE_LIST, type AuditEventType } from '../audit-event-types.js';

/** RFC 3339 with its zone: a time without one would be read in the server's zone. Year 0 is no year to PostgreSQL. */
const TIMESTAMP = /^(?!0000)\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/i;

const isTimestamp = (value: unknown): value is string =>
  typeof value === 'string' && TIMESTAMP.test(value) && isISO8601(value, { strict: true, strictSeparator: true });

/** A query timestamp: a real date and time with its zone, read to the millisecond. */
function IsTimestamp() {
  return ValidateBy(
    {
      name: 'isTimestamp',
      validator: {
        validate: isTimestamp,
        defaultMessage: (args) => `${args?.property} must be a date-time with its zone (RFC 3339), such as 2026-01-01T00:00:00Z`,
      },
    },
    { context: { fieldCode: () => 'invalid_format' } satisfies FieldCodeContext },
  );
}

const TIME_FILTER = 'RFC 3339 date-time with its zone (`Z` or an offset), read to the millisecond';

/** `GET /users/me/security-events`: the caller's own events, newest first. */
export class ListSecurityEventsQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({ enum: AUDIT_EVENT_TYPE_LIST, enumName: 'AuditEventType', description: 'Only events of this type' })
  @IsOptional()
  @IsIn(AUDIT_EVENT_TYPE_LIST)
  type?: AuditEventType;

  @ApiPropertyOptional({
    format: 'date-time',
    example: '2026-01-01T00:00:00Z',
    description: `Only events at or after this time: ${TIME_FILTER}`,
  })
  @IsOptional()
  @IsTimestamp()
  since?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    example: '2026-02-01T00:00:00Z',
    description: `Only events before this time (later than \`since\`): ${TIME_FILTER}`,
  })
  @IsOptional()
  @ValidateBy({
    name: 'afterSince',
    validator: {
      validate: (until, args) => {
        const { since } = args?.object as ListSecurityEventsQueryDto;
        return !isTimestamp(since) || !isTimestamp(until) || Date.parse(until) > Date.parse(since);
      },
      defaultMessage: () => 'must be later than since',
    },
  })
  @IsTimestamp()
  until?: string;
}

/** `GET /admin/audit-events`: every account's events, newest first. */
export class ListAuditEventsQueryDto extends ListSecurityEventsQueryDto {
  @ApiPropertyOptional({ ...INT_ID, description: 'Only events concerning this account (deleted or not)' })
  @IsOptional()
  @Transform(toIntParam)
  @Max(INT_ID.maximum)
  @Min(1)
  @IsInt()
  user_id?: number;
}
