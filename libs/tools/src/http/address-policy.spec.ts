import { readEnvironment } from '@app/core';
import { AddressPolicy, isMetadataAddress, nonPublicRange } from './address-policy.js';
import { HostAllowlist } from './host-allowlist.js';

describe('nonPublicRange', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['169.254.169.254', 'linkLocal'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'linkLocal'],
    ['fd12:3456::1', 'uniqueLocal'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['64:ff9b::a9fe:a9fe', 'linkLocal'],
    ['2002:7f00:1::1', 'loopback'],
    ['2001:db8::1', 'reserved'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'teredo'],
    ['::7f00:1', 'reserved'],
  ])('refuses %s as %s', (address, range) => {
    expect(nonPublicRange(address)).toBe(range);
  });

  it.each(['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808'])('lets the public %s through', (address) => {
    expect(nonPublicRange(address)).toBeUndefined();
  });
});

describe('isMetadataAddress', () => {
  it.each(['169.254.169.254', 'fd00:ec2::254', 'fd00:ec2:0:0:0:0:0:254', '::ffff:169.254.169.254', '::ffff:a9fe:a9fe', '169.254.170.2'])('knows %s', (address) => {
    expect(isMetadataAddress(address)).toBe(true);
  });

  it('is false for other addresses and for names', () => {
    expect(isMetadataAddress('169.254.169.253')).toBe(false);
    expect(isMetadataAddress('metadata.google.internal')).toBe(false);
  });
});

describe('HostAllowlist', () => {
  const allowlist = new HostAllowlist(['localhost', '*.corp.example', '127.0.0.1', '10.0.0.0/8', '::1', 'API.Internal.']);

  it('matches hostnames exactly, case- and trailing-dot-insensitively', () => {
    expect(allowlist.allows('localhost')).toBe(true);
    expect(allowlist.allows('LOCALHOST.')).toBe(true);
    expect(allowlist.allows('api.internal')).toBe(true);
    expect(allowlist.allows('localhost.evil.com')).toBe(false);
  });

  it('matches wildcard subdomains but not the apex or look-alikes', () => {
    expect(allowlist.allows('a.b.corp.example')).toBe(true);
    expect(allowlist.allows('corp.example')).toBe(false);
    expect(allowlist.allows('evilcorp.example')).toBe(false);
  });

  it('matches IP literals against addresses and ranges, never hostnames against them', () => {
    expect(allowlist.allows('127.0.0.1')).toBe(true);
    expect(allowlist.allows('127.0.0.2')).toBe(false);
    expect(allowlist.allows('10.20.30.40')).toBe(true);
    expect(allowlist.allows('[::1]')).toBe(true);
    expect(allowlist.allows('::ffff:10.0.0.1')).toBe(true);
    expect(allowlist.allows('10.example.com')).toBe(false);
  });

  it('refuses a malformed range at boot, naming the variable', () => {
    expect(() => new HostAllowlist(['10.0.0.0/99'])).toThrow(/TOOLS_HTTP_ALLOWLIST/);
    expect(() => readEnvironment({ TOOLS_HTTP_ALLOWLIST: 'ok.example, http://bad/' })).toThrow(/^TOOLS_HTTP_ALLOWLIST entries must be/);
    expect(readEnvironment({ TOOLS_HTTP_ALLOWLIST: ' localhost , *.corp.example,10.0.0.0/8,::1' }).TOOLS_HTTP_ALLOWLIST).toEqual(['localhost', '*.corp.example', '10.0.0.0/8', '::1']);
  });
});

describe('AddressPolicy', () => {
  const policy = new AddressPolicy(new HostAllowlist(['localhost', '169.254.169.254']));

  it('refuses non-public addresses of hosts that are not allow-listed, naming host, address and why', () => {
    expect(policy.refusal('example.com', '93.184.216.34')).toBeUndefined();
    expect(policy.refusal('rebind.example', '127.0.0.1')?.message).toBe(
      'rebind.example is refused: it resolves to 127.0.0.1, a loopback address, and the host is not in TOOLS_HTTP_ALLOWLIST',
    );
  });

  it('lets allow-listed hosts reach private addresses', () => {
    expect(policy.refusal('localhost', '127.0.0.1')).toBeUndefined();
    expect(policy.refusal('localhost', '::1')).toBeUndefined();
  });

  it('refuses metadata addresses even when allow-listed', () => {
    expect(policy.refusal('169.254.169.254', '169.254.169.254')?.message).toMatch(/cloud metadata address/);
    expect(policy.refusal('localhost', 'fd00:ec2::254')?.message).toMatch(/cloud metadata address/);
  });
});
