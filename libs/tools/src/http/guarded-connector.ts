import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { buildConnector } from 'undici';
import type { AddressPolicy } from './address-policy.js';

/** A DNS lookup that fails when any address the name resolves to is refused: the socket connects to what was checked. */
function guardedLookup(policy: AddressPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      // One refused address refuses the name: a host that mixes public and internal answers is a rebinding attempt.
      const refusal = addresses.map(({ address }) => policy.refusal(hostname, address)).find(Boolean);
      if (refusal) return callback(refusal, '', 0);
      if (options.all) return (callback as unknown as (error: null, addresses: LookupAddress[]) => void)(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

/**
 * An undici connector that checks the address of every connection it opens: IP literals before connecting, names in
 * the DNS lookup the socket itself uses. So there is no window between the check and the connect.
 */
export function guardedConnector(policy: AddressPolicy, connectTimeoutMs: number): buildConnector.connector {
  const connect = buildConnector({ lookup: guardedLookup(policy), timeout: connectTimeoutMs });
  return (options, callback) => {
    const refusal = isIP(options.hostname) ? policy.refusal(options.hostname, options.hostname) : undefined;
    if (refusal) return callback(refusal, null);
    connect(options, callback);
  };
}
