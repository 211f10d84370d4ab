import { BlockList, isIP } from 'node:net';

/** Addresses a gateway must never fetch on a client's behalf: private, loopback, link-local and the like. */
const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24],
  ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) blocked.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [['fc00::', 7], ['fec0::', 10], ['fe80::', 10], ['ff00::', 8], ['2001:db8::', 32]] as const) {
  blocked.addSubnet(net, prefix, 'ipv6');
}

/**
 * True for an address on the public internet. IPv6 addresses that carry an IPv4 address a
 * translator or tunnel will reach (IPv4-mapped `::ffff:0:0/96`, IPv4-compatible `::/96`, NAT64
 * `64:ff9b::/96` and `64:ff9b:1::/48`, 6to4 `2002::/16`) are judged by that IPv4 address.
 */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return !blocked.check(address, 'ipv4');
  if (family !== 6) return false;
  const bare = address.replace(/%.*$/, '');
  const embedded = embeddedIPv4(ipv6Bytes(bare));
  if (embedded !== undefined) return embedded !== null && isPublicAddress(embedded);
  return !blocked.check(bare, 'ipv6');
}

/**
 * The IPv4 address inside an IPv6 address of a translation or tunnel range; null when the range
 * carries one but where cannot be known (a local-use NAT64 prefix longer than /96's zeros); undefined
 * for other addresses.
 */
function embeddedIPv4(bytes: Uint8Array): string | null | undefined {
  const startsWith = (...prefix: number[]): boolean => prefix.every((b, i) => bytes[i] === b);
  const zero = (from: number, to: number): boolean => bytes.subarray(from, to).every((b) => b === 0);
  const ipv4At = (i: number): string => Array.from(bytes.subarray(i, i + 4)).join('.');
  if (zero(0, 10) && ((bytes[10] === 0xff && bytes[11] === 0xff) || zero(10, 12))) return ipv4At(12);
  if (startsWith(0, 0x64, 0xff, 0x9b) && zero(4, 12)) return ipv4At(12);
  if (startsWith(0, 0x64, 0xff, 0x9b, 0, 1)) return zero(6, 12) ? ipv4At(12) : null;
  if (startsWith(0x20, 0x02)) return ipv4At(2);
  return undefined;
}

/** The 16 bytes of a valid IPv6 address (checked by `isIP`), with or without a dotted IPv4 tail. */
function ipv6Bytes(address: string): Uint8Array {
  let text = address;
  const tail = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (tail) {
    const [a, b, c, d] = tail.slice(1).map(Number);
    text = `${text.slice(0, tail.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, rest] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = rest ? rest.split(':') : [];
  const groups = rest === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  const bytes = new Uint8Array(16);
  groups.forEach((group, i) => {
    const value = Number.parseInt(group, 16);
    bytes[2 * i] = value >> 8;
    bytes[2 * i + 1] = value & 0xff;
  });
  return bytes;
}
