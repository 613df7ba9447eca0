import { Inject, Injectable } from '@nestjs/common';
import dns from 'node:dns';
import type { LookupFunction } from 'node:net';
import { CONFIG, type Config } from '../../config.js';
import { isAddressAllowed, parseCidrs, type AddressPolicy } from './url-safety.js';

/**
 * Which addresses outgoing connections may reach: public ones, plus private ranges only when the
 * operator allows them (ALLOW_PRIVATE_NETWORKS, ALLOWED_PRIVATE_CIDRS). One policy for the URL
 * guard, the egress proxy and webhook deliveries.
 */
@Injectable()
export class NetworkPolicy {
  private readonly policy: AddressPolicy;

  constructor(@Inject(CONFIG) config: Config) {
    this.policy = { allowPrivate: config.allowPrivateNetworks, allowedCidrs: parseCidrs(config.allowedPrivateCidrs) };
  }

  /** Every address is allowed (and none needs checking). */
  get open(): boolean {
    return this.policy.allowPrivate;
  }

  allows(address: string): boolean {
    return isAddressAllowed(address, this.policy);
  }

  /**
   * A dns.lookup for a connection of our own that refuses addresses the policy forbids: the check
   * happens inside the resolution of that very connection, so DNS rebinding cannot slip past it.
   */
  readonly lookup: LookupFunction = (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const list = addresses as dns.LookupAddress[];
      const refused = list.find((a) => !this.allows(a.address));
      if (refused || list.length === 0) {
        const e = Object.assign(new Error(`address ${refused?.address ?? '(none)'} is not allowed`), { code: 'EADDRNOTALLOWED' });
        return callback(e, '', 0);
      }
      if (options.all) return callback(null, list);
      return callback(null, list[0]!.address, list[0]!.family);
    });
  };
}
