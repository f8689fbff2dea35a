// Entry point for the TypeORM CLI (`npm run migration:*`); the app builds the same DataSource.
import { loadEnv } from '../config/env.js';
import { createDataSource } from './typeorm-options.js';

const env = loadEnv();
export default await createDataSource({
  url: env.databaseUrl,
  dataDir: env.dataDir,
  migrationsRun: false,
});
