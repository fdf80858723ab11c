import type { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';

/**
 * An entity from a row a raw statement returned (`RETURNING *`), converted as TypeORM converts a row it selected:
 * the statement that wrote a row also reads it, in one round trip. Columns the entity never selects are left out.
 */
export function hydrate<T extends ObjectLiteral>(dataSource: DataSource, target: EntityTarget<T>, row: Record<string, unknown>): T {
  const metadata = dataSource.getMetadata(target);
  const entity = metadata.create() as T;
  for (const column of metadata.columns) {
    if (!column.isSelect || !(column.databaseName in row)) continue;
    column.setEntityValue(entity, dataSource.driver.prepareHydratedValue(row[column.databaseName], column));
  }
  return entity;
}
