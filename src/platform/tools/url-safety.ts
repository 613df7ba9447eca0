import ipaddr from 'ipaddr.js';

/**
 * The ranges a user-supplied URL may never reach unless the operator allows private networks:
 * anything that is not ordinary public unicast (loopback, RFC 1918, link-local and the cloud
 * metadata address inside it, CGNAT, multicast, reserved, IPv6 unique-local…).
 * IPv4-mapped and NAT64-style IPv6 addresses are judged by the IPv4 address they carry.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let ip = ipaddr.parse(address);
  if (ip.kind() === 'ipv6') {
    const v6 = ip as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) ip = v6.toIPv4Address();
    else if (v6.range() === 'rfc6052' || v6.range() === '6to4' || v6.range() === 'teredo') return false;
  }
  return ip.range() === 'unicast';
}

export function parseCidrs(cidrs: readonly string[]): Array<[ipaddr.IPv4 | ipaddr.IPv6, number]> {
  return cidrs.map((c) => (c.includes('/') ? ipaddr.parseCIDR(c) : ipaddr.parseCIDR(`${c}/${c.includes(':') ? 128 : 32}`)));
}

export interface AddressPolicy {
  allowPrivate: boolean;
  allowedCidrs: Array<[ipaddr.IPv4 | ipaddr.IPv6, number]>;
}

export function isAddressAllowed(address: string, policy: AddressPolicy): boolean {
  if (policy.allowPrivate) return ipaddr.isValid(address);
  if (isPublicAddress(address)) return true;
  if (!ipaddr.isValid(address)) return false;
  let ip = ipaddr.parse(address);
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) ip = (ip as ipaddr.IPv6).toIPv4Address();
  return policy.allowedCidrs.some(([range, bits]) => range.kind() === ip.kind() && ip.match(range, bits));
}

export type UrlCheck =
  | { ok: true; url: URL; host: string; literalAddress: string | null }
  | { ok: false; code: 'validation_failed' | 'url_not_allowed'; reason: string };

/** Syntax rules for a media or webhook URL; addresses are checked separately after DNS. */
export function checkUrlSyntax(text: string): UrlCheck {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, code: 'validation_failed', reason: 'url must be an absolute http(s) URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, code: 'url_not_allowed', reason: `scheme ${url.protocol.replace(':', '')} is not allowed` };
  }
  if (url.username || url.password) {
    return { ok: false, code: 'url_not_allowed', reason: 'URLs with credentials are not allowed' };
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!host) return { ok: false, code: 'validation_failed', reason: 'url has no host' };
  return { ok: true, url, host, literalAddress: ipaddr.isValid(host) ? host : null };
}

/** Cache key for a URL: scheme and host lower-cased, default port and fragment dropped. */
export function normalizeUrl(url: URL): string {
  const u = new URL(url.href);
  u.hash = '';
  return u.href;
}
