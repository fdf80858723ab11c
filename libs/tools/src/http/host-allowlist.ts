import ipaddr from 'ipaddr.js';
import { ConfigurationError } from '@app/core';
import { unwrap } from './address-policy.js';

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

function normalizeHost(host: string): string {
  return host.toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
}

function parseRange(entry: string): Range {
  try {
    if (entry.includes('/')) return ipaddr.parseCIDR(entry);
    const address = ipaddr.parse(entry);
    return [address, address.kind() === 'ipv4' ? 32 : 128];
  } catch {
    throw new ConfigurationError(`TOOLS_HTTP_ALLOWLIST: "${entry}" is neither a hostname nor an IP address or CIDR range`);
  }
}

const looksLikeIp = (entry: string) => entry.includes(':') || entry.includes('/') || /^[\d.]+$/.test(entry);

/**
 * The hosts an admin lets tools reach although they resolve to non-public addresses (TOOLS_HTTP_ALLOWLIST).
 * Entries name what a URL says, never where DNS leads: `api.internal` (exactly that host), `*.corp.example`
 * (any subdomain, not the apex), or an IP address / CIDR range, which matches URLs written with an IP literal inside
 * it. So a public name that resolves into an allow-listed range is still refused (DNS rebinding stays closed).
 */
export class HostAllowlist {
  private readonly hosts = new Set<string>();
  private readonly suffixes: string[] = [];
  private readonly ranges: Range[] = [];

  constructor(entries: readonly string[]) {
    for (const raw of entries) {
      const entry = normalizeHost(raw.trim());
      if (!entry) continue;
      if (entry.startsWith('*.')) this.suffixes.push(entry.slice(1));
      else if (looksLikeIp(entry)) this.ranges.push(parseRange(entry));
      else this.hosts.add(entry);
    }
  }

  allows(host: string): boolean {
    const name = normalizeHost(host);
    if (ipaddr.isValid(name)) {
      const address = unwrap(ipaddr.parse(name));
      return this.ranges.some(([network, bits]) => network.kind() === address.kind() && address.match(network, bits));
    }
    return this.hosts.has(name) || this.suffixes.some((suffix) => name.endsWith(suffix));
  }
}
