import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { keysetPage, Page } from '@app/core';
import type { Principal } from '@app/users';
import { ownerFilter } from './conversations.service.js';
import { ToolInvocationQueryDto } from './dto/tool-invocation.dto.js';
import { ToolInvocation } from './entities/tool-invocation.entity.js';

@Injectable()
export class ToolInvocationsService {
  constructor(private readonly dataSource: DataSource) {}

  /** Newest first; members see their own, admins everyone's or one user's. */
  list(principal: Principal, query: ToolInvocationQueryDto): Promise<Page<ToolInvocation>> {
    const invocations = this.dataSource.getRepository(ToolInvocation).createQueryBuilder('invocation');
    const userId = ownerFilter(principal, query.userId);
    if (userId) invocations.andWhere('invocation.user_id = :userId', { userId });
    if (query.tool) invocations.andWhere('invocation.tool_name = :tool', { tool: query.tool });
    if (query.status) invocations.andWhere('invocation.status = :status', { status: query.status });
    if (query.source) invocations.andWhere('invocation.source = :source', { source: query.source });
    if (query.conversationId) invocations.andWhere('invocation.conversation_id = :conversationId', { conversationId: query.conversationId });
    if (query.from) invocations.andWhere('invocation.created_at >= :from', { from: query.from });
    if (query.to) invocations.andWhere('invocation.created_at < :to', { to: query.to });
    return keysetPage(invocations, query);
  }
}
