import { BadRequestException, NotFoundException } from '@nestjs/common';
import { DomainException } from './domain.exception.js';
import { toProblem } from './problem-mapper.js';

const request = { id: 'req-1', url: '/things/7?expand=all' };

describe('toProblem', () => {
  it('maps a domain exception with its code, errors and headers', () => {
    const error = new DomainException({
      status: 429,
      code: 'RATE_LIMITED',
      title: 'Too many requests',
      detail: 'Slow down',
      headers: { 'retry-after': '3' },
    });
    expect(toProblem(error, request, false)).toEqual({
      problem: {
        type: 'urn:mcp-assistant:problem:rate-limited',
        title: 'Too many requests',
        status: 429,
        detail: 'Slow down',
        instance: '/things/7',
        code: 'RATE_LIMITED',
        requestId: 'req-1',
      },
      headers: { 'retry-after': '3' },
    });
  });

  it('maps Nest HTTP exceptions by status', () => {
    const { problem } = toProblem(new NotFoundException('Thing 7 not found'), request, false);
    expect(problem).toMatchObject({ status: 404, code: 'NOT_FOUND', title: 'Not Found', detail: 'Thing 7 not found' });
    const validation = toProblem(new BadRequestException(['name must be a string', 'tag.label is too long']), request, false);
    expect(validation.problem.errors).toEqual([
      { pointer: '/name', message: 'name must be a string' },
      { pointer: '/tag/label', message: 'tag.label is too long' },
    ]);
  });

  it('maps Fastify request errors wrapped by Nest to their own codes', () => {
    const cause = Object.assign(new Error('Request body is too large'), { statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE' });
    const wrapped = new (class extends BadRequestException {})('x', { cause });
    expect(toProblem(wrapped, request, false).problem).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
  });

  it('answers 503 with Retry-After when the database is unreachable', () => {
    const error = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    expect(toProblem(error, request, false)).toMatchObject({ problem: { status: 503, code: 'DATABASE_UNAVAILABLE' }, headers: { 'retry-after': '5' } });
    const wrapped = Object.assign(new Error('query failed'), { driverError: { code: '57P01' } });
    expect(toProblem(wrapped, request, false).problem.status).toBe(503);
  });

  it('hides unknown errors, with the stack only in debug mode', () => {
    const error = new Error('secret internals');
    const hidden = toProblem(error, request, false).problem;
    expect(hidden).toMatchObject({ status: 500, code: 'INTERNAL_ERROR' });
    expect(JSON.stringify(hidden)).not.toContain('secret internals');
    expect(toProblem(error, request, true).problem.stack).toContain('secret internals');
  });
});
