// Entry point for the TypeORM CLI (`npm run migration:*`); the app builds the same DataSource.
import { fileURLToPath } from 'node:url';
import { databaseConfig } from '../config/database.config.js';
import { loadEnv } from '../config/env.js';
import { createDataSource, typeOrmOptions } from './typeorm-options.js';

// Every feature's entities, by file name, for `migration:generate` to compare with the schema.
const entitiesGlob = fileURLToPath(new URL('../**/*.entity.js', import.meta.url));

// The whole environment is checked, as at the server's start; then the app's own database factory.
loadEnv();
const db = { ...databaseConfig(), migrationsRun: false };
export default await createDataSource(db, { ...typeOrmOptions(db), entities: [entitiesGlob] });
