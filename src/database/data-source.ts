// Entry point for the TypeORM CLI (`npm run migration:*`); the app builds the same DataSource.
import { databaseConfig } from '../config/database.config.js';
import { loadEnv } from '../config/env.js';
import { createDataSource } from './typeorm-options.js';

// The whole environment is checked, as at the server's start; then the app's own database factory.
loadEnv();
export default await createDataSource({ ...databaseConfig(), migrationsRun: false });
