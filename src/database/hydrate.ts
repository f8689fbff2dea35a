import type { ObjectLiteral, Repository } from 'typeorm';

/** The columns a plain load of the entity reads: never a `select: false` one such as a password hash. */
export function selectedColumns<T extends ObjectLiteral>(repository: Repository<T>) {
  return repository.metadata.columns.filter((column) => column.isSelect);
}

/** `"a", "b", …` of those columns, under a table alias, for hand-written SQL on a hot path. */
export function selectList<T extends ObjectLiteral>(repository: Repository<T>, alias: string): string {
  return selectedColumns(repository)
    .map((column) => `${alias}."${column.databaseName}"`)
    .join(', ');
}

/** An entity from a raw row of that SQL, converted the way TypeORM converts its own results. */
export function hydrate<T extends ObjectLiteral>(repository: Repository<T>, row: Record<string, unknown>): T {
  const entity = repository.create();
  const { driver } = repository.manager.connection;
  for (const column of selectedColumns(repository)) column.setEntityValue(entity, driver.prepareHydratedValue(row[column.databaseName], column));
  return entity;
}
