import { DomainException, FieldError } from '@app/core';

export function toolNotFound(name: string): DomainException {
  return new DomainException({ status: 404, code: 'TOOL_NOT_FOUND', title: 'Tool not found', detail: `No tool named ${name} is available to you.` });
}

export function toolDisabled(name: string): DomainException {
  return new DomainException({ status: 409, code: 'TOOL_DISABLED', title: 'Tool disabled', detail: `The tool ${name} is disabled.` });
}

export function toolInputInvalid(name: string, errors: FieldError[]): DomainException {
  return new DomainException({
    status: 400,
    code: 'TOOL_INPUT_INVALID',
    title: 'Tool arguments invalid',
    detail: `The arguments do not match the input schema of ${name}; see errors.`,
    errors,
  });
}

export function toolTimedOut(name: string, timeoutMs: number): DomainException {
  return new DomainException({ status: 504, code: 'TOOL_TIMEOUT', title: 'Tool timed out', detail: `${name} did not finish within ${timeoutMs} ms.` });
}

export function toolUnavailable(name: string, detail: string): DomainException {
  return new DomainException({ status: 502, code: 'TOOL_UNAVAILABLE', title: 'Tool unavailable', detail: `${name}: ${detail}` });
}

/** An upstream MCP server could not be reached (refused, reset, timed out, refused our credentials). */
export function upstreamUnavailable(upstream: string, reason: string, toolName?: string): DomainException {
  return new DomainException({
    status: 502,
    code: 'UPSTREAM_UNAVAILABLE',
    title: 'Upstream MCP server unavailable',
    detail: `${toolName ? `${toolName}: ` : ''}the upstream MCP server ${upstream} is unavailable: ${reason}`,
  });
}

export function toolExists(name: string): DomainException {
  return new DomainException({ status: 409, code: 'TOOL_EXISTS', title: 'Tool exists', detail: `A tool named ${name} already exists.` });
}

export function toolNotDeletable(name: string, why: string): DomainException {
  return new DomainException({ status: 409, code: 'TOOL_NOT_DELETABLE', title: 'Tool cannot be deleted', detail: `${name} ${why}; disable it instead.` });
}
