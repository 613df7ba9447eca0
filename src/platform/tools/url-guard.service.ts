import { Inject, Injectable } from '@nestjs/common';
import { lookup } from 'node:dns/promises';
import { CONFIG, type Config } from '../../config.js';
import { AppError } from '../../errors.js';
import { checkUrlSyntax, isAddressAllowed, parseCidrs, type AddressPolicy } from './url-safety.js';

/**
 * Refuses URLs that point at private networks before any work is accepted. This is the first
 * line; the egress proxy checks every connection (redirects, embedded media URLs) again.
 */
@Injectable()
export class UrlGuardService {
  private readonly policy: AddressPolicy;

  constructor(@Inject(CONFIG) config: Config) {
    this.policy = { allowPrivate: config.allowPrivateNetworks, allowedCidrs: parseCidrs(config.allowedPrivateCidrs) };
  }

  async check(text: string): Promise<URL> {
    const syntax = checkUrlSyntax(text);
    if (!syntax.ok) throw new AppError(syntax.code, syntax.reason);
    if (this.policy.allowPrivate) return syntax.url;
    let addresses: string[];
    if (syntax.literalAddress) addresses = [syntax.literalAddress];
    else {
      try {
        addresses = (await lookup(syntax.host, { all: true })).map((a) => a.address);
      } catch {
        throw new AppError('media_unavailable', `The host ${syntax.host} could not be resolved`);
      }
    }
    if (!addresses.every((a) => isAddressAllowed(a, this.policy))) {
      throw new AppError('url_not_allowed', 'The URL points to a private or reserved network address');
    }
    return syntax.url;
  }
}
