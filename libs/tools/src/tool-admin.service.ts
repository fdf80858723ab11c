import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService, type Actor } from '@app/users';
import { UpdateToolDto } from './dto/tool.dto.js';
import { Tool } from './entities/tool.entity.js';
import { ToolRegistry } from './tool-registry.service.js';
import { toolNotFound } from './tools.errors.js';

/** Registry writes: each bumps the tool's version, is audited in its transaction, and reaches every instance. */
@Injectable()
export class ToolAdminService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly registry: ToolRegistry,
  ) {}

  async update(actor: Actor, name: string, input: UpdateToolDto): Promise<Tool> {
    const tool = await this.dataSource.transaction(async (manager) => {
      const current = await manager.getRepository(Tool).createQueryBuilder('tool').setLock('pessimistic_write').where('tool.name = :name', { name }).getOne();
      if (!current) throw toolNotFound(name);
      const changes: Record<string, { from: unknown; to: unknown }> = {};
      for (const [field, value] of Object.entries(input) as [keyof UpdateToolDto, unknown][]) {
        if (value !== undefined && JSON.stringify(current[field]) !== JSON.stringify(value)) changes[field] = { from: current[field], to: value };
      }
      if (Object.keys(changes).length === 0) return current;
      Object.assign(current, input, { version: current.version + 1 });
      const saved = await manager.save(current);
      await this.audit.record(manager, actor, { action: 'tool.updated', targetType: 'tool', targetId: saved.id, details: { name, changes } });
      return saved;
    });
    await this.registry.changed();
    return tool;
  }
}
