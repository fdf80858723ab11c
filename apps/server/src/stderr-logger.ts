import { ConsoleLogger, type LogLevel } from '@nestjs/common';

/** Every log line goes to stderr, for processes whose stdout carries their output (the CLI) or a protocol (stdio). */
export class StderrLogger extends ConsoleLogger {
  protected override printMessages(messages: unknown[], context?: string, logLevel?: LogLevel, _stream?: 'stdout' | 'stderr', ...rest: unknown[]): void {
    super.printMessages(messages, context, logLevel, 'stderr', ...(rest as [unknown, Record<string, unknown>]));
  }
}
