import { DomainException } from '@app/core';

export function upstreamNotFound(id: string): DomainException {
  return new DomainException({ status: 404, code: 'UPSTREAM_NOT_FOUND', title: 'Upstream not found', detail: `No upstream MCP server has id ${id}.` });
}

export function upstreamNameTaken(name: string): DomainException {
  return new DomainException({ status: 409, code: 'UPSTREAM_NAME_TAKEN', title: 'Upstream name taken', detail: `An upstream MCP server is already named ${name}.` });
}

export function upstreamDisabled(name: string): DomainException {
  return new DomainException({ status: 409, code: 'UPSTREAM_DISABLED', title: 'Upstream disabled', detail: `The upstream MCP server ${name} is disabled; enable it to sync.` });
}
