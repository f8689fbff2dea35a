import type { ObjectLiteral, Repository } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata.js';
import type { EntityMetadata } from 'typeorm/metadata/EntityMetadata.js';

/** Worked out once per entity: `hydrate` runs for every row on the hot paths. */
const selectedByEntity = new WeakMap<EntityMetadata, ColumnMetadata[]>();

/** The columns a plain load of the entity reads: never a `select: false` one such as a password hash. */
export function selectedColumns<T extends ObjectLiteral>(repository: Repository<T>): ColumnMetadata[] {
  let columns = selectedByEntity.get(repository.metadata);
  if (!columns) {
    columns = repository.metadata.columns.filter((column) => column.isSelect);
    selectedByEntity.set(repository.metadata, columns);
  }
  return columns;
}

/** `"a", "b", …` of those columns, under a table alias, for hand-written SQL on a hot path. */
export function selectList<T extends ObjectLiteral>(
  repository: Repository<T>,
  alias: string,
  columns = selectedColumns(repository),
): string {
  return columns.map((column) => `${alias}."${column.databaseName}"`).join(', ');
}

/** An entity from a raw row (of that SQL, or a query builder's `RETURNING`), converted the way TypeORM converts its own loads. */
export function hydrate<T extends ObjectLiteral>(
  repository: Repository<T>,
  row: Record<string, unknown>,
  columns = selectedColumns(repository),
): T {
  const entity = repository.create();
  const { driver } = repository.manager.connection;
  for (const column of columns) column.setEntityValue(entity, driver.prepareHydratedValue(row[column.databaseName], column));
  return entity;
}
