import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { Dispatcher } from 'undici';
import { isPublicAddress } from './public-address.js';
import { Agent } from './undici-parts.js';

/** The code of the error a connection to a non-public address fails with. */
export const PRIVATE_ADDRESS = 'EPRIVATE';

/**
 * Only operators who run the gateway next to their own image hosts (or tests) may let it fetch
 * private addresses.
 */
export const allowsPrivateAddresses = (): boolean => process.env.OPENSQ_ALLOW_PRIVATE_IMAGE_URLS === 'true';

/** Resolves a host and refuses it when any of its addresses is not public, so DNS cannot smuggle a private IP in. */
function guardedLookup(hostname: string, options: object, callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void): void {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    const list = addresses as LookupAddress[];
    if (!allowsPrivateAddresses() && list.some((a) => !isPublicAddress(a.address))) {
      const error: NodeJS.ErrnoException = new Error(`${hostname} resolves to a non-public address`);
      error.code = PRIVATE_ADDRESS;
      return callback(error, []);
    }
    if ((options as { all?: boolean }).all) return callback(null, list);
    callback(null, list[0].address, list[0].family);
  });
}

const agents = new Map<number, Agent>();

/**
 * A connection pool for URLs that neither the operator nor the gateway chose (a client's image
 * URL, a file a provider hands out): it connects to public addresses only, checked on the
 * addresses DNS answers, and follows no redirect by itself. IP literals never reach the lookup:
 * check them with `isPrivateIPLiteral` before each request.
 */
export function publicOnlyDispatcher(connectMs = 5_000): Dispatcher {
  let agent = agents.get(connectMs);
  if (!agent) {
    agent = new Agent({ connect: { lookup: guardedLookup as never, timeout: connectMs } });
    agents.set(connectMs, agent);
  }
  return agent;
}

/** True for a URL host that is an IP address (bracketed for IPv6) off the public internet. */
export function isPrivateIPLiteral(hostname: string): boolean {
  const bare = hostname.replace(/^\[|\]$/g, '');
  return /^[\d.]+$|:/.test(bare) && !isPublicAddress(bare);
}

/** Whether a failed connection was refused for a non-public address. */
export function refusedAsPrivate(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException)?.code ?? (error as { cause?: NodeJS.ErrnoException })?.cause?.code;
  return code === PRIVATE_ADDRESS;
}
