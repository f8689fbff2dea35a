import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './app.factory.js';
import { appConfig, type AppConfig } from './config/app.config.js';

const logger = new Logger('Main');

try {
  const app = await createApp();
  const { port, host, swaggerEnabled, shutdownTimeoutMs } = app.get<AppConfig>(appConfig.KEY);
  /**
   * SIGTERM (and SIGINT): stop accepting, let in-flight requests finish for at most
   * SHUTDOWN_TIMEOUT, close the pools, and exit 0; exit 1 if that takes longer.
   */
  const shutdown = async (signal: NodeJS.Signals) => {
    logger.log(`${signal}: finishing in-flight requests, then stopping`);
    const deadline = setTimeout(() => {
      logger.error(`Still busy ${shutdownTimeoutMs} ms after ${signal}: exiting anyway`);
      process.exit(1);
    }, shutdownTimeoutMs);
    try {
      await app.close();
      logger.log('Stopped');
      process.exitCode = 0;
    } catch (error) {
      logger.error(`Shutdown failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    } finally {
      clearTimeout(deadline);
      // Let the logs drain, then leave even if a library left a handle open.
      setTimeout(() => process.exit(), 1_000).unref();
    }
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, (s) => void shutdown(s));
  await app.listen(port, host);
  const url = (await app.getUrl()).replace('[::1]', 'localhost').replace('127.0.0.1', 'localhost');
  logger.log(`Listening on ${url}${swaggerEnabled ? ` (Swagger UI at ${url}/docs)` : ''}`);
} catch (error) {
  // Through Nest's logger, which createApp points at pino first thing: the same format as every other line.
  logger.error(`Start-up failed: ${error instanceof Error ? error.message : String(error)}`);
  // Not process.exit(1) at once: the log is written asynchronously, and a loaded machine lost these
  // last lines. The process ends when nothing is left to do, its lines written, or after a second.
  process.exitCode = 1;
  setTimeout(() => process.exit(1), 1_000).unref();
}
