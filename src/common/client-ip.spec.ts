import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FastifyRequest } from 'fastify';
import { canonicalIp, clientIp } from './client-ip.js';

describe('canonicalIp', () => {
  it('spells each IPv4 address one way, with or without a port or an IPv4-mapped IPv6 form', () => {
    for (const spelling of [
      '192.0.2.10',
      ' 192.0.2.10 ',
      '192.0.2.10:5678',
      '::ffff:192.0.2.10',
      '::FFFF:c000:020a',
      '[::ffff:192.0.2.10]:443',
      '0:0:0:0:0:ffff:192.0.2.10',
    ]) {
      assert.equal(canonicalIp(spelling), '192.0.2.10', spelling);
    }
  });

  it('writes IPv6 in RFC 5952 form, without port or zone', () => {
    for (const spelling of [
      '2001:db8::1',
      '2001:DB8:0:0:0:0:0:1',
      '2001:0db8::0001',
      '[2001:db8::1]',
      '[2001:db8::1]:443',
      '2001:db8::1%eth0',
    ]) {
      assert.equal(canonicalIp(spelling), '2001:db8::1', spelling);
    }
    assert.equal(canonicalIp('2001:db8:0:0:1:0:0:1'), '2001:db8::1:0:0:1');
    assert.equal(canonicalIp('::1'), '::1');
  });

  it('takes no guess at what is not an address', () => {
    for (const junk of [
      '192.000.002.009',
      '010.0.0.1',
      '0x7f.0.0.1',
      '3221225994',
      '192.0.2',
      '192.0.2.256',
      'unknown',
      '',
      'not an ip',
      '192.0.2.10:port',
      '[192.0.2.10',
      `${'1'.repeat(200)}`,
      undefined,
    ]) {
      assert.equal(canonicalIp(junk), undefined, String(junk));
    }
  });
});

describe('clientIp', () => {
  const request = (ip: string | undefined, socket: string | undefined) =>
    ({ ip, socket: { remoteAddress: socket } }) as unknown as FastifyRequest;

  it('canonicalises the address the proxy passed on, and falls back to the socket’s peer for junk', () => {
    assert.equal(clientIp(request('[::ffff:198.51.100.7]:9000', '10.0.0.2')), '198.51.100.7');
    assert.equal(clientIp(request('192.000.002.009', '::ffff:10.0.0.2')), '10.0.0.2');
    assert.equal(clientIp(request(undefined, undefined)), undefined);
  });
});
