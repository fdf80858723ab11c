import { parseArgs } from 'node:util';
import { NestFactory } from '@nestjs/core';
import { Module } from '@nestjs/common';
import { ConfigurationError, CoreModule, DomainException, readEnvironment } from '@app/core';
import { UsersModule, UsersService } from '@app/users';
import { SCHEMA } from './schema.js';
import { StderrLogger } from './stderr-logger.js';

const USAGE = `Usage: npm run cli -- <command> [options]

Commands:
  users:create-admin --email <email> [--name <name>]
      Creates an admin user and prints a new API key for them, once. Uses DATABASE_URL (or the embedded
      database in DATA_DIR) like the server does.
`;

@Module({ imports: [CoreModule.forRoot(SCHEMA), UsersModule] })
class CliModule {}

class UsageError extends Error {}

async function createAdmin(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { email: { type: 'string' }, name: { type: 'string' } }, strict: true });
  if (!values.email || !/^[^@\s]+@[^@\s]+$/.test(values.email)) throw new UsageError('--email <email> is required');
  // Logs on stderr, so stdout carries only the command's output (`KEY=$(npm run cli -- …)` works).
  const logger = new StderrLogger({ logLevels: ['error', 'warn'], colors: process.stderr.isTTY });
  const app = await NestFactory.createApplicationContext(CliModule, { logger, abortOnError: false });
  try {
    const { user, key } = await app.get(UsersService).createAdmin(values.email, values.name ?? values.email.split('@')[0]);
    process.stderr.write(`Created admin ${user.email} (${user.id}). Their API key, shown only this once:\n`);
    process.stdout.write(`${key}\n`);
  } finally {
    await app.close();
  }
}

const COMMANDS: Record<string, (args: string[]) => Promise<void>> = { 'users:create-admin': createAdmin };

async function main(): Promise<void> {
  process.env.LOG_LEVEL ??= 'warn';
  const [command, ...args] = process.argv.slice(2);
  const run = command ? COMMANDS[command] : undefined;
  if (!run) {
    process.stderr.write(command && command !== '--help' ? `Unknown command: ${command}\n\n${USAGE}` : USAGE);
    process.exit(command && command !== '--help' ? 2 : 0);
  }
  try {
    readEnvironment();
    await run(args);
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`${(error as Error).message}\n\n${USAGE}`);
      process.exit(2);
    }
    if (error instanceof ConfigurationError) process.stderr.write(`Configuration error: ${error.message}\n`);
    else if (error instanceof DomainException) process.stderr.write(`${error.title}: ${error.message}\n`);
    else process.stderr.write(`Failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  }
}

await main();
