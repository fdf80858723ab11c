import ipaddr from 'ipaddr.js';
import type { HostAllowlist } from './host-allowlist.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** Cloud instance-metadata endpoints: credentials live there, so they are refused even for allow-listed hosts. */
const METADATA_ADDRESSES = new Set([
  '169.254.169.254', // AWS, GCP, Azure, OCI, DigitalOcean…
  '169.254.170.2', // AWS ECS task credentials
  '100.100.100.200', // Alibaba Cloud
  'fd00:ec2::254', // AWS over IPv6
]);

/** IPv6 forms that carry an IPv4 address inside: judged by the address they lead to. */
const EMBEDDING_IPV4 = new Set(['ipv4Mapped', 'rfc6145', 'rfc6052', '6to4']);

/** Only global unicast IPv6 (2000::/3) is public; ipaddr.js calls the unassigned rest "unicast" too. */
const GLOBAL_UNICAST_V6 = ipaddr.IPv6.parseCIDR('2000::/3');

function embeddedIpv4(address: ipaddr.IPv6): ipaddr.IPv4 {
  const [a, b] = address.range() === '6to4' ? address.parts.slice(1, 3) : address.parts.slice(6, 8);
  return new ipaddr.IPv4([a >> 8, a & 0xff, b >> 8, b & 0xff]);
}

/** The address with any IPv4-in-IPv6 wrapping taken off (`::ffff:127.0.0.1` → `127.0.0.1`). */
export function unwrap(address: Address): Address {
  return address.kind() === 'ipv6' && EMBEDDING_IPV4.has(address.range()) ? embeddedIpv4(address as ipaddr.IPv6) : address;
}

export function isMetadataAddress(text: string): boolean {
  if (!ipaddr.isValid(text)) return false;
  // toString() is the canonical short form (`fd00:ec2::254`), whatever way the address was written.
  return METADATA_ADDRESSES.has(unwrap(ipaddr.parse(text)).toString());
}

/**
 * Why an address is not public (`loopback`, `private`, `linkLocal`, `carrierGradeNat`, `uniqueLocal`, `reserved`…), or
 * undefined for a public unicast address. IPv4-mapped, NAT64 and 6to4 addresses are judged by the IPv4 inside; Teredo
 * and other special IPv6 ranges are refused outright.
 */
export function nonPublicRange(text: string): string | undefined {
  const address = unwrap(ipaddr.parse(text));
  const range = address.range();
  if (range !== 'unicast') return range;
  if (address.kind() === 'ipv6' && !address.match(GLOBAL_UNICAST_V6)) return 'reserved';
  return undefined;
}

/** Raised at connect time when a host resolves to (or is) an address the policy refuses. */
export class ForbiddenAddressError extends Error {
  readonly code = 'URL_FORBIDDEN';

  constructor(
    readonly host: string,
    readonly address: string,
    readonly reason: string,
  ) {
    super(host === address ? `${host} is refused: ${reason}` : `${host} is refused: it resolves to ${address}, ${reason}`);
    this.name = 'ForbiddenAddressError';
  }
}

/** Decides, for each address a connection is about to be made to, whether it may be. */
export class AddressPolicy {
  constructor(private readonly allowlist: HostAllowlist) {}

  /** The reason `host` may not be reached at `address`, or undefined when it may. */
  refusal(host: string, address: string): ForbiddenAddressError | undefined {
    if (!ipaddr.isValid(address)) return new ForbiddenAddressError(host, address, 'not an IP address');
    if (isMetadataAddress(address)) return new ForbiddenAddressError(host, address, 'a cloud metadata address (always refused)');
    if (this.allowlist.allows(host)) return undefined;
    const range = nonPublicRange(address);
    return range ? new ForbiddenAddressError(host, address, `a ${range} address, and the host is not in TOOLS_HTTP_ALLOWLIST`) : undefined;
  }
}
