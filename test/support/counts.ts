import type { TestContext } from 'node:test';

/** A list's service: its list runs the queries `listQueries` builds, the capped count among them. */
interface CountedList {
  listQueries(...args: never[]): { count: { getRawOne(): Promise<unknown> } };
}

/**
 * How many capped counts `service`'s list has run since this call, until the test ends: a request
 * whose page tells its total runs none.
 */
export function countsRun(ctx: TestContext, service: CountedList): () => number {
  const listQueries = service.listQueries.bind(service);
  const spies: { mock: { callCount(): number } }[] = [];
  ctx.mock.method(service, 'listQueries', (...args: never[]) => {
    const queries = listQueries(...args);
    spies.push(ctx.mock.method(queries.count, 'getRawOne'));
    return queries;
  });
  return () => spies.reduce((sum, spy) => sum + spy.mock.callCount(), 0);
}
