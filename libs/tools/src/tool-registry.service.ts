import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { containsPattern, keysetPage, Page } from '@app/core';
import type { Principal } from '@app/users';
import { ToolListQueryDto } from './dto/tool.dto.js';
import { Tool } from './entities/tool.entity.js';

/** The registry, read straight from the database: every instance sees a change on its next lookup. */
@Injectable()
export class ToolRegistry {
  constructor(private readonly dataSource: DataSource) {}

  find(name: string): Promise<Tool | null> {
    return this.dataSource.getRepository(Tool).findOneBy({ name });
  }

  /** Newest first; only tools the caller's role may run. */
  list(principal: Principal, query: ToolListQueryDto): Promise<Page<Tool>> {
    const tools = this.dataSource
      .getRepository(Tool)
      .createQueryBuilder('tool')
      .where(':role = ANY(tool.allowed_roles)', { role: principal.role });
    if (query.kind) tools.andWhere('tool.kind = :kind', { kind: query.kind });
    if (query.enabled !== undefined) tools.andWhere('tool.enabled = :enabled', { enabled: query.enabled });
    if (query.q) {
      const pattern = containsPattern(query.q);
      tools.andWhere('(lower(tool.name) LIKE :pattern OR lower(tool.description) LIKE :pattern)', { pattern });
    }
    return keysetPage(tools, query);
  }
}
