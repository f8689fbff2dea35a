import 'reflect-metadata';
import { createApp } from './app.factory.js';
import { appConfig, type AppConfig } from './config/configuration.js';

try {
  const app = await createApp();
  const { port, host } = app.get<AppConfig>(appConfig.KEY);
  await app.listen(port, host);
} catch (error) {
  console.error(`Start-up failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
