// Entry point for the TypeORM CLI (`npm run migration:*`); the app builds the same DataSource.
import { fileURLToPath } from 'node:url';
import { loadEnv } from '../config/env.js';
import { createDataSource, typeOrmOptions } from './typeorm-options.js';

// Every feature's entities, by file name, for `migration:generate` to compare with the schema.
const entitiesGlob = fileURLToPath(new URL('../**/*.entity.js', import.meta.url));

const env = loadEnv();
const db = { url: env.databaseUrl, dataDir: env.dataDir, migrationsRun: false };
export default await createDataSource(db, { ...typeOrmOptions(db), entities: [entitiesGlob] });
