import { ApiProperty } from '@nestjs/swagger';

/** The Terminus health body, as probes and dashboards read it. */
export class HealthStatusDto {
  @ApiProperty({ enum: ['ok', 'error', 'shutting_down', 'degraded'], example: 'ok' })
  status: string;

  @ApiProperty({ description: 'Indicators that are up', type: 'object', additionalProperties: true, example: { database: { status: 'up' } } })
  info?: Record<string, unknown>;

  @ApiProperty({ description: 'Indicators that are down', type: 'object', additionalProperties: true, example: {} })
  error?: Record<string, unknown>;

  @ApiProperty({ description: 'Every indicator', type: 'object', additionalProperties: true, example: { database: { status: 'up' } } })
  details: Record<string, unknown>;
}
