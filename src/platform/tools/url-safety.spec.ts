import { describe, expect, it } from '@jest/globals';
import { checkUrlSyntax, isAddressAllowed, isPublicAddress, normalizeUrl, parseCidrs } from './url-safety.js';

describe('isPublicAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['10.1.2.3', 'RFC 1918'],
    ['172.16.0.1', 'RFC 1918'],
    ['192.168.1.1', 'RFC 1918'],
    ['169.254.169.254', 'cloud metadata (link-local)'],
    ['100.64.0.1', 'CGNAT'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['::1', 'IPv6 loopback'],
    ['::', 'IPv6 unspecified'],
    ['fc00::1', 'unique-local'],
    ['fe80::1', 'link-local'],
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
    ['::ffff:10.0.0.1', 'IPv4-mapped private'],
    ['64:ff9b::a00:1', 'NAT64'],
    ['2002:7f00:1::', '6to4'],
    ['localhost', 'not an address'],
    ['', 'empty'],
  ])('%s (%s) is not public', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  it.each(['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('%s is public', (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });
});

describe('isAddressAllowed', () => {
  const strict = { allowPrivate: false, allowedCidrs: [] };

  it.each([
    ['8.8.8.8', true],
    ['127.0.0.1', false],
    ['10.0.0.1', false],
    ['not-an-ip', false],
  ])('strict policy: %s → %s', (address, expected) => {
    expect(isAddressAllowed(address, strict)).toBe(expected);
  });

  it.each([
    ['127.0.0.1', true],
    ['10.0.0.1', true],
    ['::1', true],
    ['8.8.8.8', true],
    ['not-an-ip', false],
  ])('allowPrivate: %s → %s', (address, expected) => {
    expect(isAddressAllowed(address, { allowPrivate: true, allowedCidrs: [] })).toBe(expected);
  });

  const trusted = { allowPrivate: false, allowedCidrs: parseCidrs(['127.0.0.2/32', '10.1.2.0/24', 'fd00::5']) };
  it.each([
    ['127.0.0.2', true],
    ['127.0.0.1', false],
    ['::ffff:127.0.0.2', true],
    ['10.1.2.200', true],
    ['10.1.3.1', false],
    ['fd00::5', true],
    ['fd00::6', false],
    ['169.254.169.254', false],
    ['8.8.8.8', true],
  ])('allowedCidrs: %s → %s', (address, expected) => {
    expect(isAddressAllowed(address, trusted)).toBe(expected);
  });
});

describe('checkUrlSyntax', () => {
  it.each([
    ['ftp://example.com/file', 'url_not_allowed'],
    ['file:///etc/passwd', 'url_not_allowed'],
    ['gopher://example.com:70/_x', 'url_not_allowed'],
    ['javascript:alert(1)', 'url_not_allowed'],
    ['http://user:pass@example.com/', 'url_not_allowed'],
    ['https://user@example.com/', 'url_not_allowed'],
    ['not a url', 'validation_failed'],
    ['//example.com/path', 'validation_failed'],
    ['', 'validation_failed'],
  ])('%j is refused with %s', (text, code) => {
    const r = checkUrlSyntax(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.code).toBe(code);
  });

  it.each<[string, string, string | null]>([
    ['https://www.youtube.com/watch?v=dQw4w9WgXcQ', 'www.youtube.com', null],
    ['http://EXAMPLE.com:8080/x', 'example.com', null],
    ['http://[::1]:8080/x', '::1', '::1'],
    ['http://[::ffff:127.0.0.1]/', '::ffff:7f00:1', '::ffff:7f00:1'],
    ['http://127.0.0.1/', '127.0.0.1', '127.0.0.1'],
    ['http://0x7f.1/', '127.0.0.1', '127.0.0.1'],
  ])('%s → host %s, literal %s', (text, host, literal) => {
    const r = checkUrlSyntax(text);
    expect(r.ok).toBe(true);
    if (r.ok) expect([r.host, r.literalAddress]).toEqual([host, literal]);
  });
});

describe('normalizeUrl', () => {
  it.each([
    ['https://example.com/v?id=1#t=30', 'https://example.com/v?id=1'],
    ['HTTP://Example.COM:80/a#frag', 'http://example.com/a'],
    ['https://example.com:443', 'https://example.com/'],
    ['https://example.com:8443/a?b=1', 'https://example.com:8443/a?b=1'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeUrl(new URL(input))).toBe(expected);
  });

  it('does not change its argument', () => {
    const url = new URL('https://example.com/v#frag');
    normalizeUrl(url);
    expect(url.hash).toBe('#frag');
  });
});
