import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { FieldError, isUniqueViolation, ValidationFailedException } from '@app/core';
import { AuditService, type Actor } from '@app/users';
import { CreateToolDto, UpdateToolDto } from './dto/tool.dto.js';
import { Tool } from './entities/tool.entity.js';
import { SchemaValidator } from './schema-validator.js';
import { ToolHandlers, ToolKindHandler } from './tool-handler.js';
import { ToolRegistry } from './tool-registry.service.js';
import { toolExists, toolNotDeletable, toolNotFound } from './tools.errors.js';

/** What only kinds an admin configures (http) let change; the others' definitions come from code or an upstream. */
const DEFINITION_FIELDS = ['inputSchema', 'outputSchema', 'annotations', 'config'] as const;

/** Registry writes: each bumps the tool's version, is audited in its transaction, and reaches every instance. */
@Injectable()
export class ToolAdminService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly registry: ToolRegistry,
    private readonly handlers: ToolHandlers,
    private readonly validator: SchemaValidator,
  ) {}

  async create(actor: Actor, input: CreateToolDto): Promise<Tool> {
    const handler = this.configurable(input.kind, '/kind');
    this.checkSchemas(input);
    const config = handler.prepareConfig(input.config, input.inputSchema);
    const tool = await this.dataSource.transaction(async (manager) => {
      const repository = manager.getRepository(Tool);
      const saved = await repository.save(repository.create({ ...input, config, annotations: input.annotations ?? {} })).catch((error: unknown) => {
        throw isUniqueViolation(error) ? toolExists(input.name) : error;
      });
      await this.audit.record(manager, actor, {
        action: 'tool.created',
        targetType: 'tool',
        targetId: saved.id,
        details: { name: saved.name, kind: saved.kind, config: this.handlers.redactedConfig(saved) },
      });
      return saved;
    });
    await this.registry.changed();
    return tool;
  }

  async update(actor: Actor, name: string, input: UpdateToolDto): Promise<Tool> {
    const tool = await this.dataSource.transaction(async (manager) => {
      const current = await this.lock(manager, name);
      const redefines = DEFINITION_FIELDS.filter((field) => input[field] !== undefined);
      if (redefines.length > 0) {
        const handler = this.configurable(current.kind, `/${redefines[0]}`);
        this.checkSchemas(input);
        // A new input schema re-checks the stored config against it (URL placeholders must stay arguments).
        if (input.config || input.inputSchema) {
          const config = input.config ?? this.handlers.redactedConfig(current) ?? current.config;
          input = { ...input, config: handler.prepareConfig(config, input.inputSchema ?? current.inputSchema, current.config) };
        }
      }
      const changes: Record<string, { from: unknown; to: unknown }> = {};
      for (const [field, value] of Object.entries(input) as [keyof UpdateToolDto, unknown][]) {
        if (value !== undefined && JSON.stringify(current[field]) !== JSON.stringify(value)) changes[field] = { from: current[field], to: value };
      }
      if (Object.keys(changes).length === 0) return current;
      if (changes.config) changes.config = { from: this.handlers.redactedConfig(current), to: this.handlers.redactedConfig({ ...current, config: input.config! }) };
      Object.assign(current, input, { version: current.version + 1 });
      const saved = await manager.save(current);
      await this.audit.record(manager, actor, { action: 'tool.updated', targetType: 'tool', targetId: saved.id, details: { name, changes } });
      return saved;
    });
    await this.registry.changed();
    return tool;
  }

  /** Built-ins come back at every boot, upstream tools at every sync, agents' tools with their agents: those can only be disabled. */
  async remove(actor: Actor, name: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const current = await this.lock(manager, name);
      if (current.kind === 'builtin') throw toolNotDeletable(name, 'is built in');
      if (current.kind === 'mcp') throw toolNotDeletable(name, 'comes from an upstream MCP server (delete the upstream to remove its tools)');
      if (current.kind === 'agent') throw toolNotDeletable(name, 'is an agent (delete the agent to remove its tool)');
      await manager.getRepository(Tool).delete({ id: current.id });
      await this.audit.record(manager, actor, { action: 'tool.deleted', targetType: 'tool', targetId: current.id, details: { name, kind: current.kind } });
    });
    await this.registry.changed();
  }

  private lock(manager: EntityManager, name: string): Promise<Tool> {
    return manager
      .getRepository(Tool)
      .createQueryBuilder('tool')
      .setLock('pessimistic_write')
      .where('tool.name = :name', { name })
      .getOne()
      .then((tool) => tool ?? Promise.reject(toolNotFound(name)));
  }

  private configurable(kind: string, pointer: string): ToolKindHandler & Required<Pick<ToolKindHandler, 'prepareConfig'>> {
    const handler = this.handlers.get(kind as Tool['kind']);
    if (!handler?.prepareConfig) {
      throw new ValidationFailedException([{ pointer, message: `tools of kind ${kind} are defined by the server or an upstream, not by an admin` }]);
    }
    return handler as ToolKindHandler & Required<Pick<ToolKindHandler, 'prepareConfig'>>;
  }

  /** MCP wants object schemas for arguments and results; each must also compile. */
  private checkSchemas(input: Pick<UpdateToolDto, 'inputSchema' | 'outputSchema'>): void {
    const errors: FieldError[] = [];
    for (const field of ['inputSchema', 'outputSchema'] as const) {
      const schema = input[field];
      if (!schema) continue;
      if (schema.type !== 'object') errors.push({ pointer: `/${field}/type`, message: `${field} must describe an object ("type": "object")` });
      try {
        this.validator.compile(schema);
      } catch (error) {
        errors.push({ pointer: `/${field}`, message: `${field} is not a valid JSON Schema: ${(error as Error).message}` });
      }
    }
    if (errors.length > 0) throw new ValidationFailedException(errors);
  }
}
