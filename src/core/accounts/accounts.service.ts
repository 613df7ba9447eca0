import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { AccountEntity } from './account.entity.js';
import type { ApiKeyEntity } from './api-key.entity.js';
import type { LedgerEntryEntity } from '../ledger/ledger-entry.entity.js';
import { CONFIG, type Config } from '../../config.js';
import { AppError } from '../../errors.js';
import { AccountRepository, type KeyOwner, type KeyPatch, type ListedKey } from './account.repository.js';
import { SCOPES, scopesOf, type Scope } from '../../platform/http/scopes.js';
import { CreditsRepository } from '../ledger/credits.repository.js';
import { RedisRepository } from '../../platform/tools/redis.repository.js';
import { readCursor, toPage } from '../../platform/http/pagination.js';
import type { ApiKeyAuthenticator } from '../../platform/http/api-key.guard.js';
import { UUID } from '../../platform/ids.js';
import type { UsageGroup } from './usage.js';
import { UsageRepository, type UsageRow } from './usage.repository.js';

const DAY_MS = 86_400_000;
/** The longest range one usage report covers. */
export const MAX_USAGE_DAYS = 366;

export const KEY_PREFIX = 'mdy_live_';

export function hashKey(plaintext: string): Buffer {
  return createHash('sha256').update(plaintext).digest();
}

/** What a new key may do: its scopes (default all) and monthly credit limit (default none). */
export interface KeyGrant {
  scopes?: readonly Scope[];
  monthlyCreditLimit?: number | null;
}

export interface MintedKey {
  key: ApiKeyEntity;
  plaintext: string;
}

/** Accounts, API keys and balances: used by the HTTP API and the admin CLI alike. */
const KEY_REVOKED_CHANNEL = 'key-revoked';
const AUTH_CACHE_MAX = 10_000;

@Injectable()
export class AccountsService implements ApiKeyAuthenticator, OnModuleInit, OnModuleDestroy {
  /** Key hash → owner, so most requests authenticate without a database round trip. */
  private readonly owners = new Map<string, { owner: KeyOwner; until: number }>();
  /** Counts revocations seen; a lookup that a revocation overtook does not fill the cache. */
  private revocations = 0;
  private unsubscribe: (() => void) | null = null;

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly accounts: AccountRepository,
    private readonly credits: CreditsRepository,
    private readonly redis: RedisRepository,
    private readonly usageRows: UsageRepository,
  ) {}

  /** A revocation anywhere evicts the key from every process's cache at once. */
  onModuleInit(): void {
    if (this.config.authCacheSeconds === 0) return;
    // Not awaited: start-up must not wait for Redis (requests without it are refused anyway).
    this.redis.subscribe(KEY_REVOKED_CHANNEL, (hash) => this.evict(hash)).then(
      (unsubscribe) => (this.unsubscribe = unsubscribe),
      () => undefined,
    );
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  async createAccount(name: string, credits: number): Promise<{ account: AccountEntity; apiKey: MintedKey }> {
    if (!Number.isSafeInteger(credits) || credits < 0) throw new AppError('validation_failed', 'credits must be a whole number ≥ 0');
    const account = await this.accounts.create(randomUUID(), name);
    if (credits > 0) await this.credits.credit(account.id, credits, 'grant', 'initial credits');
    const apiKey = await this.mintKey(account.id, 'default');
    return { account: (await this.accounts.find(account.id))!, apiKey };
  }

  countAccounts(): Promise<number> {
    return this.accounts.count();
  }

  async getAccount(id: string): Promise<AccountEntity> {
    const account = await this.accounts.find(id);
    if (!account) throw new AppError('not_found', 'No such account');
    return account;
  }

  async grant(accountId: string, amount: number, reason: string): Promise<number> {
    if (!Number.isSafeInteger(amount) || amount <= 0) throw new AppError('validation_failed', 'amount must be a whole number > 0');
    await this.getAccount(accountId);
    return this.credits.credit(accountId, amount, 'grant', reason);
  }

  /**
   * Authenticates a plaintext key: only its sha256 is ever looked up. Valid keys are cached for
   * AUTH_CACHE_SECONDS; revocation evicts them in every process (pub/sub), the TTL is the backstop.
   */
  async authenticate(plaintext: string): Promise<KeyOwner> {
    if (!plaintext.startsWith(KEY_PREFIX)) throw this.invalidKey();
    const hash = hashKey(plaintext);
    const hex = hash.toString('hex');
    const cached = this.owners.get(hex);
    if (cached && cached.until > Date.now()) return cached.owner;
    const generation = this.revocations;
    const owner = await this.accounts.findKeyOwner(hash);
    if (!owner) throw this.invalidKey();
    // A revocation that arrived while the key was looked up may have been read too late by that
    // lookup: then the answer stands for this request only, and is not remembered.
    if (this.config.authCacheSeconds > 0 && generation === this.revocations) {
      if (this.owners.size >= AUTH_CACHE_MAX) this.owners.delete(this.owners.keys().next().value!);
      this.owners.set(hex, { owner, until: Date.now() + this.config.authCacheSeconds * 1000 });
    }
    return owner;
  }

  private evict(hash: string): void {
    this.revocations++;
    this.owners.delete(hash);
  }

  private invalidKey(): AppError {
    return new AppError('invalid_api_key', 'The API key is not valid or has been revoked');
  }

  /**
   * Mints a key holding `grant.scopes` (all when omitted) with an optional monthly credit limit.
   * `minter` is the key asking (the API): it cannot hand out more than it holds, a scope it lacks
   * or a limit above its own, so a narrow key never mints a wide one. The operator (CLI) can.
   */
  async mintKey(accountId: string, name: string | null, grant: KeyGrant = {}, minterKeyId: string | null = null): Promise<MintedKey> {
    const scopes = grant.scopes ? scopesOf(grant.scopes) : null;
    const limit = grant.monthlyCreditLimit ?? null;
    if (minterKeyId) await this.checkGrant(accountId, minterKeyId, scopes ?? [...SCOPES], limit, 'a key it mints');
    const plaintext = KEY_PREFIX + randomBytes(24).toString('base64url');
    const key = await this.accounts.insertKey({
      id: randomUUID(),
      accountId,
      keyHash: hashKey(plaintext),
      prefix: KEY_PREFIX,
      last4: plaintext.slice(-4),
      name,
      // Stored in the canonical order; null (every scope, including any added later) when all were asked for implicitly.
      scopes,
      monthlyCreditLimit: limit,
    });
    return { key, plaintext };
  }

  /**
   * Changes a key's name, scopes or monthly credit limit (null: none), at once in every process.
   * `editorKeyId` is the key asking: as when minting, it can set no scope it lacks and no limit
   * above its own, so no key widens itself or another beyond what it holds.
   */
  async updateKey(accountId: string, keyId: string, patch: KeyPatch, editorKeyId: string | null): Promise<ApiKeyEntity> {
    const scopes = patch.scopes ? scopesOf(patch.scopes) : undefined;
    if (editorKeyId) await this.checkGrant(accountId, editorKeyId, scopes ?? [], patch.monthlyCreditLimit, 'a key it changes');
    const key = UUID.test(keyId) ? await this.accounts.updateKey(accountId, keyId, { ...patch, scopes }) : null;
    if (!key) throw new AppError('not_found', 'No such key, or it is revoked');
    // The guard caches each key's scopes: every process forgets this one and reads it again.
    await this.forget(key);
    return key;
  }

  /** Refuses a grant beyond what the asking key holds: a scope it lacks, or a limit above its own (`undefined`: unchanged). */
  private async checkGrant(accountId: string, askingKeyId: string, scopes: Scope[], limit: number | null | undefined, what: string): Promise<void> {
    const asking = await this.accounts.findKey(askingKeyId);
    if (!asking || asking.accountId !== accountId) throw this.invalidKey();
    const held = scopesOf(asking.scopes);
    const beyond = scopes.find((s) => !held.includes(s));
    if (beyond) throw new AppError('forbidden', `This API key cannot grant the \`${beyond}\` scope, which it does not hold`, { scope: beyond });
    if (limit !== undefined && asking.monthlyCreditLimit !== null && (limit === null || limit > asking.monthlyCreditLimit)) {
      throw new AppError('forbidden', `This API key is limited to ${asking.monthlyCreditLimit} credits a month; ${what} needs a monthly_credit_limit no higher`);
    }
  }

  listKeys(accountId: string): Promise<ListedKey[]> {
    return this.accounts.listKeys(accountId);
  }

  /** What `key` spent this month (UTC), refunds deducted. */
  async spentThisMonth(keyId: string): Promise<number> {
    return (await this.accounts.spentThisMonth([keyId])).get(keyId) ?? 0;
  }

  /** Revokes a key; `accountId` null is the operator (CLI) revoking any key. */
  async revokeKey(accountId: string | null, keyId: string): Promise<ApiKeyEntity> {
    const key = UUID.test(keyId) ? await this.accounts.revokeKey(accountId, keyId) : null;
    if (!key) throw new AppError('not_found', 'No such key');
    await this.forget(key);
    return key;
  }

  /** Drops a key from the guard's cache in this process and, through Redis, in every other. */
  private async forget(key: ApiKeyEntity): Promise<void> {
    const hex = key.keyHash.toString('hex');
    this.evict(hex);
    await this.redis.publish(KEY_REVOKED_CHANNEL, hex).catch(() => undefined);
  }

  async ledgerPage(
    accountId: string,
    cursor: string | undefined,
    limit: number,
  ): Promise<{ entries: LedgerEntryEntity[]; nextCursor: string | null }> {
    const before = readCursor(cursor, 1, ([id]) => typeof id === 'number' && Number.isSafeInteger(id));
    const entries = await this.accounts.listLedger(accountId, before ? (before[0] as number) : null, limit + 1);
    const page = toPage(entries, limit, (e) => [e.id]);
    return { entries: page.rows, nextCursor: page.next_cursor };
  }

  /** What the account spent in [from, to), grouped; defaults to the last 30 days. */
  async usage(accountId: string, group: UsageGroup, fromText?: string, toText?: string): Promise<{ from: Date; to: Date; rows: UsageRow[] }> {
    const to = toText ? new Date(toText) : new Date();
    const from = fromText ? new Date(fromText) : new Date(to.getTime() - 30 * DAY_MS);
    const invalid = (field: string, message: string) => new AppError('validation_failed', `${field} ${message}`, { errors: [{ field, message }] });
    if (Number.isNaN(to.getTime())) throw invalid('to', 'is not a date');
    if (Number.isNaN(from.getTime())) throw invalid('from', 'is not a date');
    if (from >= to) throw invalid('from', 'must be before to');
    if (to.getTime() - from.getTime() > MAX_USAGE_DAYS * DAY_MS) throw invalid('to', `must be at most ${MAX_USAGE_DAYS} days after from`);
    return { from, to, rows: await this.usageRows.usage(accountId, group, from, to) };
  }
}
