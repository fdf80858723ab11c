import { Logger } from '@nestjs/common';
import { ConfigurationError, databaseConfig, readEnvironment, redisConfig, SystemMetadataService } from '@app/core';
import { ShutdownService } from '@app/health';
import { createApp } from './create-app.js';

async function main(): Promise<void> {
  let environment;
  try {
    environment = readEnvironment();
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    process.stderr.write(`Configuration error: ${error.message}\n`);
    process.exit(1);
  }
  const app = await createApp();
  app.get(ShutdownService).handleSignals(app);
  await app.listen({ port: environment.PORT, host: environment.HOST });

  const database = databaseConfig();
  const installationId = await app.get(SystemMetadataService).installationId();
  new Logger('Bootstrap').log(
    `MCP Assistant listening on ${await app.getUrl()} (docs at /docs); ` +
      `database: ${database.engine === 'postgres' ? 'postgres' : `pglite in ${database.dataDir ?? 'memory'}`}; ` +
      `cache: ${redisConfig().url ? 'redis' : 'memory'}; installation ${installationId}`,
  );
}

main().catch((error: Error) => {
  process.stderr.write(`Startup failed: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
