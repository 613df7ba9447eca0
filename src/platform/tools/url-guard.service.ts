import { Injectable } from '@nestjs/common';
import { lookup } from 'node:dns/promises';
import { NetworkPolicy } from './network-policy.js';
import { AppError } from '../../errors.js';
import { checkUrlSyntax } from './url-safety.js';

/**
 * Refuses URLs that point at private networks before any work is accepted. This is the first
 * line; the egress proxy checks every connection (redirects, embedded media URLs) again.
 */
@Injectable()
export class UrlGuardService {

  constructor(private readonly policy: NetworkPolicy) {}

  async check(text: string): Promise<URL> {
    const syntax = checkUrlSyntax(text);
    if (!syntax.ok) throw new AppError(syntax.code, syntax.reason);
    if (this.policy.open) return syntax.url;
    let addresses: string[];
    if (syntax.literalAddress) addresses = [syntax.literalAddress];
    else {
      try {
        addresses = (await lookup(syntax.host, { all: true })).map((a) => a.address);
      } catch {
        throw new AppError('media_unavailable', `The host ${syntax.host} could not be resolved`);
      }
    }
    if (!addresses.every((a) => this.policy.allows(a))) {
      throw new AppError('url_not_allowed', 'The URL points to a private or reserved network address');
    }
    return syntax.url;
  }
}
