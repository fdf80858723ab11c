import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { databaseConfig } from '../config/configuration.js';
import { buildDataSourceOptions, DatabaseConfig, DatabaseSchema } from './data-source-options.js';
import { SystemMetadata } from './system-metadata.entity.js';
import { SystemMetadataService } from './system-metadata.service.js';

@Module({})
export class DatabaseModule {
  static forRoot(schema: DatabaseSchema): DynamicModule {
    return {
      module: DatabaseModule,
      global: true,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [databaseConfig.KEY],
          useFactory: (config: DatabaseConfig) => ({
            ...buildDataSourceOptions(config, schema),
            retryAttempts: 10,
            retryDelay: 3000,
          }),
        }),
        TypeOrmModule.forFeature([SystemMetadata]),
      ],
      providers: [SystemMetadataService],
      exports: [SystemMetadataService],
    };
  }
}
