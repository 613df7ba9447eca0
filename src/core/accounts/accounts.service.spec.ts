import { describe, expect, it } from '@jest/globals';
import type { Config } from '../../config.js';
import type { RedisRepository } from '../../platform/tools/redis.repository.js';
import type { CreditsRepository } from '../ledger/credits.repository.js';
import type { AccountRepository, KeyOwner } from './account.repository.js';
import { AccountsService } from './accounts.service.js';
import type { UsageRepository } from './usage.repository.js';

const owner: KeyOwner = { keyId: 'k1', accountId: 'a1', scopes: ['jobs:read'] };

/** A key store whose lookups can be held back, to stage a revocation in the middle of one. */
function fakeKeys() {
  let revoked = false;
  const held: Array<() => void> = [];
  const repo = {
    lookups: 0,
    holdNext: false,
    async findKeyOwner(): Promise<KeyOwner | null> {
      repo.lookups++;
      const answer = revoked ? null : owner;
      if (repo.holdNext) {
        repo.holdNext = false;
        await new Promise<void>((r) => held.push(r));
      }
      return answer;
    },
    async revokeKey() {
      revoked = true;
      return { id: 'k1', accountId: 'a1', keyHash: Buffer.from('00', 'hex'), revokedAt: new Date() };
    },
  };
  return { repo, release: () => held.splice(0).forEach((r) => r()) };
}

const redis = { publish: async () => undefined, subscribe: async () => () => undefined } as unknown as RedisRepository;
const config = { authCacheSeconds: 30 } as Config;

describe('AccountsService.authenticate and its cache', () => {
  it('remembers a valid key, so a second request needs no lookup', async () => {
    const { repo } = fakeKeys();
    const accounts = new AccountsService(config, repo as unknown as AccountRepository, {} as CreditsRepository, redis, {} as UsageRepository);
    await accounts.authenticate('mdy_live_abc');
    await accounts.authenticate('mdy_live_abc');
    expect(repo.lookups).toBe(1);
  });

  it('a lookup overtaken by a revocation does not put the revoked key back in the cache', async () => {
    const { repo, release } = fakeKeys();
    const accounts = new AccountsService(config, repo as unknown as AccountRepository, {} as CreditsRepository, redis, {} as UsageRepository);
    repo.holdNext = true;
    const racing = accounts.authenticate('mdy_live_abc'); // read the key as valid, then held
    await new Promise((r) => setImmediate(r));
    await accounts.revokeKey('a1', '00000000-0000-4000-8000-000000000001');
    release();
    await expect(racing).resolves.toEqual(owner); // that request had started before the revocation
    await expect(accounts.authenticate('mdy_live_abc')).rejects.toMatchObject({ code: 'invalid_api_key' });
  });
});
