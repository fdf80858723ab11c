import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class ProblemFieldError {
  @ApiProperty({ description: 'JSON pointer to the failing value', example: '/email' })
  pointer: string;

  @ApiProperty({ example: 'email must be an email' })
  message: string;
}

/** RFC 9457 problem details: the body of every error this API returns. */
export class ProblemDetails {
  @ApiProperty({ description: 'URI identifying the problem type', example: 'urn:mcp-assistant:problem:validation-failed' })
  type: string;

  @ApiProperty({ example: 'Request validation failed' })
  title: string;

  @ApiProperty({ example: 400 })
  status: number;

  @ApiProperty({ example: 'The request is not valid; see errors for each failing field.' })
  detail: string;

  @ApiProperty({ description: 'The request path that failed', example: '/users' })
  instance: string;

  @ApiProperty({ description: 'Stable machine-readable code', example: 'VALIDATION_FAILED' })
  code: string;

  @ApiProperty({ description: 'The X-Request-Id of the request, also in the server logs', example: 'c0a8012e-7d4b-4b9c-9d2e-3f1a2b3c4d5e' })
  requestId: string;

  @ApiPropertyOptional({ type: [ProblemFieldError] })
  errors?: ProblemFieldError[];

  @ApiPropertyOptional({ description: 'Stack trace, only when DEBUG_MODE is on' })
  stack?: string;
}

export const PROBLEM_JSON = 'application/problem+json';
export const PROBLEM_XML = 'application/problem+xml';

export function problemType(code: string): string {
  return `urn:mcp-assistant:problem:${code.toLowerCase().replace(/_/g, '-')}`;
}
