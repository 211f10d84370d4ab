import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isPublicAddress } from './public-address.js';

const judge = (addresses: string[], expected: boolean): void => {
  for (const a of addresses) assert.equal(isPublicAddress(a), expected, a);
};

describe('isPublicAddress', () => {
  it('public IPv4 and IPv6 addresses', () => {
    judge(['8.8.8.8', '1.1.1.1', '93.184.216.34', '2606:4700:4700::1111', '2a00:1450:4001:82a::200e'], true);
  });

  it('private, loopback, link-local, reserved and malformed addresses', () => {
    judge(['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '255.255.255.255'], false);
    judge(['::', '::1', 'fe80::1', 'fe80::1%eth0', 'fd00::1', 'fc00::1', 'ff02::1', '2001:db8::1', 'not-an-ip', '1.2.3', '1::2::3'], false);
  });

  it('IPv4-mapped addresses (::ffff:0:0/96) are judged as the IPv4 inside, dotted or in hex', () => {
    judge(['::ffff:8.8.8.8', '::ffff:808:808'], true);
    judge(['::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:10.0.0.1', '::ffff:a9fe:a9fe'], false);
  });

  it('IPv4-compatible addresses (::/96) are judged as the IPv4 inside', () => {
    judge(['::8.8.8.8', '::808:808'], true);
    judge(['::127.0.0.1', '::7f00:1', '::192.168.0.1', '::169.254.169.254'], false);
  });

  it('NAT64 addresses (64:ff9b::/96) are judged as the IPv4 inside', () => {
    judge(['64:ff9b::8.8.8.8', '64:ff9b::808:808'], true);
    judge(['64:ff9b::127.0.0.1', '64:ff9b::a00:1', '64:ff9b::169.254.169.254'], false);
  });

  it('local-use NAT64 addresses (64:ff9b:1::/48): the IPv4 in the last 32 bits when the bits before it are zero, else refused', () => {
    judge(['64:ff9b:1::8.8.8.8', '64:ff9b:1::808:808'], true);
    judge(['64:ff9b:1::127.0.0.1', '64:ff9b:1::c0a8:1', '64:ff9b:1:7f00:1::8.8.8.8', '64:ff9b:1:0:0:1:808:808'], false);
  });

  it('6to4 addresses (2002::/16) are judged as the IPv4 in bits 16 to 47', () => {
    judge(['2002:808:808::1', '2002:0808:0808:1::abcd'], true);
    judge(['2002:7f00:1::1', '2002:a00:1::', '2002:c0a8:101::1', '2002:a9fe:a9fe::1'], false);
  });

  it('site-local addresses (fec0::/10) are refused', () => {
    judge(['fec0::1', 'feff::1', 'fed0:1:2::3'], false);
  });
});
