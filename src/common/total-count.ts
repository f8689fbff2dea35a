import type { FastifyReply } from 'fastify';

export const TOTAL_COUNT_HEADER = 'X-Total-Count';

export const ApiTotalCount = {
  [TOTAL_COUNT_HEADER]: { description: 'Number of items matching the filters, ignoring limit and offset', schema: { type: 'integer' } },
};

export function setTotalCount(reply: FastifyReply, total: number): void {
  reply.header(TOTAL_COUNT_HEADER, String(total));
}
