import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { mapPage } from '@app/core';
import { ApiKeyAuth, RequireScopes, Roles } from './auth.decorators.js';
import { AuditService } from './audit.service.js';
import { AuditEventPageDto, AuditQueryDto, toAuditEventDto } from './dto/audit-event.dto.js';

@ApiTags('audit')
@ApiKeyAuth()
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @Roles('admin')
  @RequireScopes('audit:read')
  @ApiOperation({ summary: 'The audit trail, newest first, filtered by actor, action, target and time (admin)' })
  @ApiOkResponse({ type: AuditEventPageDto })
  async list(@Query() query: AuditQueryDto): Promise<AuditEventPageDto> {
    return mapPage(await this.audit.list(query), toAuditEventDto);
  }
}
