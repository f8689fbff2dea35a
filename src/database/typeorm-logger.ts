import { Logger } from '@nestjs/common';
import { AbstractLogger, type LogLevel, type LogMessage } from 'typeorm';

type Messages = LogMessage | string | number | (LogMessage | string | number)[];

/**
 * TypeORM's own lines (a failed migration, a warning) through Nest's logger, in the format of every
 * other line, instead of on the console in TypeORM's. Which of them are written is TypeORM's
 * `logging` option, given to the constructor.
 */
export class TypeOrmLogger extends AbstractLogger {
  private readonly logger = new Logger('TypeORM');

  protected writeLog(level: LogLevel, logMessage: Messages): void {
    for (const message of this.prepareLogMessages(logMessage, { highlightSql: false })) {
      const text = message.prefix ? `${message.prefix}: ${String(message.message)}` : String(message.message);
      switch (message.type ?? level) {
        case 'error':
        case 'query-error':
        case 'migration':
          this.logger.error(text);
          break;
        case 'warn':
        case 'query-slow':
          this.logger.warn(text);
          break;
        default:
          this.logger.log(text);
      }
    }
  }
}
