import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { DomainException, mcpConfig } from '@app/core';

type Headers = Record<string, string | string[] | undefined>;

/** Turns a check off: for a server behind a proxy that already pins the Host, or a public, key-only endpoint. */
const ANY = '*';

/**
 * DNS-rebinding protection for /mcp: a browser tricked into calling a local server sends the attacker's name as Host
 * and the attacker's page as Origin. Both must be on the allowlists (MCP_ALLOWED_HOSTS, MCP_ALLOWED_ORIGINS); a
 * request without an Origin is not from a browser page.
 */
@Injectable()
export class RequestOriginPolicy {
  private readonly hosts: Set<string>;
  private readonly origins: Set<string>;

  constructor(@Inject(mcpConfig.KEY) config: ConfigType<typeof mcpConfig>) {
    this.hosts = new Set(config.allowedHosts.map((host) => host.toLowerCase()));
    this.origins = new Set(config.allowedOrigins.map((origin) => origin.toLowerCase().replace(/\/+$/, '')));
  }

  check(headers: Headers): void {
    const host = typeof headers.host === 'string' ? headers.host.toLowerCase() : '';
    if (!this.hosts.has(ANY) && !this.hosts.has(host) && !this.hosts.has(withoutPort(host))) throw refused(`The Host ${host || '(none)'} is not allowed.`);
    const origin = headers.origin;
    if (typeof origin !== 'string' || this.origins.has(ANY)) return;
    const normalized = origin.toLowerCase();
    if (this.origins.has(normalized) || this.origins.has(originWithoutPort(normalized))) return;
    throw refused(`The Origin ${origin} is not allowed.`);
  }
}

function withoutPort(host: string): string {
  return host.replace(/:\d+$/, '');
}

function originWithoutPort(origin: string): string {
  try {
    const url = new URL(origin);
    return `${url.protocol}//${url.hostname}`;
  } catch {
    return origin;
  }
}

function refused(detail: string): DomainException {
  return new DomainException({ status: 403, code: 'MCP_ORIGIN_REFUSED', title: 'Host or origin not allowed', detail });
}
