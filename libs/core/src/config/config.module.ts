import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { CONFIG_NAMESPACES } from './configuration.js';

/** Typed, validated configuration for every module; values come from the environment and the APP_CONFIG file. */
@Module({
  imports: [ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: CONFIG_NAMESPACES })],
})
export class AppConfigModule {}
