import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { SystemMetadata } from './system-metadata.entity.js';

const INSTALLATION_ID = 'installation_id';

@Injectable()
export class SystemMetadataService {
  constructor(@InjectRepository(SystemMetadata) private readonly metadata: Repository<SystemMetadata>) {}

  /** The id of this installation, created by whichever instance boots first. */
  async installationId(): Promise<string> {
    await this.metadata
      .createQueryBuilder()
      .insert()
      .values({ key: INSTALLATION_ID, value: randomUUID() })
      .orIgnore()
      .execute();
    const row = await this.metadata.findOneByOrFail({ key: INSTALLATION_ID });
    return row.value as string;
  }
}
