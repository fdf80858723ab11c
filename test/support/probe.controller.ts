import { Body, Controller, Get, HttpCode, Logger, Post, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, MaxLength, Min, ValidateNested } from 'class-validator';
import { Produces, Public, SystemMetadataService } from '@app/core';

class ProbeTag {
  @IsString()
  @MaxLength(10)
  label: string;
}

export class ProbeEchoDto {
  @IsString()
  @MaxLength(20)
  name: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  count?: number;

  @IsOptional()
  @ValidateNested()
  @Type(() => ProbeTag)
  tag?: ProbeTag;
}

/** Routes mounted beside the real app in tests, to drive the HTTP pipeline (bodies, errors, slow and DB-backed calls). */
@Public()
@Controller('probe')
export class ProbeController {
  private readonly logger = new Logger('Probe');

  constructor(private readonly metadata: SystemMetadataService) {}

  @Post('echo')
  @HttpCode(200)
  echo(@Body() body: ProbeEchoDto): ProbeEchoDto {
    return body;
  }

  @Get('list')
  list() {
    return { items: [{ id: 1, name: 'a' }, { id: 2, name: 'b' }], '2fa': true, 'odd key': 'x' };
  }

  @Get('events')
  @Produces('text/event-stream')
  events(@Res() reply: FastifyReply) {
    void reply.type('text/event-stream').send('data: hello\n\n');
  }

  @Get('boom')
  boom(): never {
    throw new Error('kaboom: secret internals');
  }

  @Get('slow')
  async slow(@Query('ms') ms = '300') {
    await new Promise((resolve) => setTimeout(resolve, Number(ms)));
    return { done: true };
  }

  @Get('installation')
  async installation() {
    this.logger.log('reading the installation id');
    return { installationId: await this.metadata.installationId() };
  }
}
