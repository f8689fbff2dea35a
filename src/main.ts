import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './app.factory.js';
import { appConfig, type AppConfig } from './config/configuration.js';

try {
  const app = await createApp();
  const { port, host, swaggerEnabled } = app.get<AppConfig>(appConfig.KEY);
  await app.listen(port, host);
  const url = (await app.getUrl()).replace('[::1]', 'localhost').replace('127.0.0.1', 'localhost');
  new Logger('Main').log(`Listening on ${url}${swaggerEnabled ? ` (Swagger UI at ${url}/docs)` : ''}`);
} catch (error) {
  console.error(`Start-up failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
