import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clientOfAddress } from './client-of-address.js';

describe('clientOfAddress', () => {
  it('an IPv4 address is its own client', () => {
    assert.equal(clientOfAddress('203.0.113.9'), '203.0.113.9');
    assert.notEqual(clientOfAddress('203.0.113.9'), clientOfAddress('203.0.113.10'));
  });

  it('IPv6 addresses of one /64 are one client, whatever their spelling', () => {
    const client = '2001:db8:aa:bb::/64';
    for (const address of ['2001:db8:aa:bb::1', '2001:DB8:AA:BB:FFFF:FFFF:FFFF:FFFE', '2001:0db8:00aa:00bb:0:0:0:0', '2001:db8:aa:bb:1:2:3.4.5.6', '2001:db8:aa:bb::9%eth0']) {
      assert.equal(clientOfAddress(address), client, address);
    }
    assert.equal(clientOfAddress('2001:db8:aa:bc::1'), '2001:db8:aa:bc::/64');
    assert.equal(clientOfAddress('::1'), '0:0:0:0::/64');
    assert.equal(clientOfAddress('::'), '0:0:0:0::/64');
    assert.equal(clientOfAddress('fe80::'), 'fe80:0:0:0::/64');
  });

  it('an IPv4-mapped IPv6 address is its IPv4 address', () => {
    assert.equal(clientOfAddress('::ffff:203.0.113.9'), '203.0.113.9');
    assert.equal(clientOfAddress('::FFFF:cb00:7109'), '203.0.113.9');
    assert.equal(clientOfAddress('0:0:0:0:0:ffff:203.0.113.9'), '203.0.113.9');
  });

  it('what is not an IP address stands for itself', () => {
    assert.equal(clientOfAddress('unix-socket'), 'unix-socket');
    assert.equal(clientOfAddress(''), '');
  });
});
