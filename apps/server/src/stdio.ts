#!/usr/bin/env node
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { ConfigurationError, readEnvironment } from '@app/core';
import { McpStdioServer } from '@app/mcp';
import { AppModule } from './app.module.js';
import { StderrLogger } from './stderr-logger.js';

/**
 * The key of the user this process serves. To the app API_KEY is also the built-in admin's key, and checked against
 * itself it would let any value in: it leaves the environment the app reads, so only a key stored for a user counts.
 */
function takeCallerKey(env: NodeJS.ProcessEnv): string | undefined {
  const key = env.API_KEY || undefined;
  delete env.API_KEY;
  return key;
}

/**
 * `npm run mcp:stdio` (bin `mcp-assistant-stdio`): the registry over MCP on stdin/stdout for desktop clients, as the
 * user whose key API_KEY holds. Boots the app without HTTP; stdout carries protocol messages only.
 */
async function main(): Promise<void> {
  // stdout is the protocol channel: every log line goes to stderr, whatever the environment says.
  process.env.LOG_DESTINATION = 'stderr';
  // A desktop client's process neither evaluates alerts nor mirrors its own (likely bare) ALERT_* variables over the
  // environment channels of the servers it may share a database with.
  process.env.ALERTS_ENABLED = 'false';
  const apiKey = takeCallerKey(process.env);
  readEnvironment();
  const app = await NestFactory.createApplicationContext(AppModule, { logger: new StderrLogger(), bufferLogs: true, abortOnError: false });
  const logger = app.get(Logger);
  app.useLogger(logger);
  const connection = await app
    .get(McpStdioServer)
    .start(apiKey)
    .catch(async (error: unknown) => {
      await app.close();
      throw error;
    });

  // The client closing stdin or a signal ends the process once the app has closed (invocations flushed).
  let closing: Promise<void> | undefined;
  const close = (reason: string) => {
    closing ??= (async () => {
      logger.log(`${reason}: closing`, 'McpStdio');
      await connection.close();
      await app.close();
    })().then(
      () => process.exit(0),
      (error: Error) => {
        logger.error(`shutdown failed: ${error.stack ?? error.message}`, 'McpStdio');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => close('SIGTERM'));
  process.once('SIGINT', () => close('SIGINT'));
  process.stdin.once('end', () => close('stdin closed'));
}

main().catch((error: Error) => {
  process.stderr.write(error instanceof ConfigurationError ? `Configuration error: ${error.message}\n` : `Startup failed: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
