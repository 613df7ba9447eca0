import { Inject, Injectable } from '@nestjs/common';
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
}
