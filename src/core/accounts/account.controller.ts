import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Query, Req } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { AccountDto, CreatedKeyDto, CreateKeyDto, KeyDto, KeyListDto, LedgerPageDto, UpdateKeyDto, UsageDto, UsageQueryDto, type UsageRowDto } from './dto/account.dto.js';

import type { ApiKeyEntity } from './api-key.entity.js';
import { AccountId, AuthedEndpoint, RateClassOf, type AuthedRequest } from '../../platform/http/decorators.js';
import { scopesOf } from '../../platform/http/scopes.js';
import { AccountsService } from './accounts.service.js';
import { PageQueryDto } from '../../platform/http/pagination.js';

function keyView(k: ApiKeyEntity, spentThisMonth: number): KeyDto {
  return {
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    last4: k.last4,
    scopes: scopesOf(k.scopes),
    monthly_credit_limit: k.monthlyCreditLimit,
    spent_this_month: spentThisMonth,
    created_at: k.createdAt.toISOString(),
    revoked_at: k.revokedAt?.toISOString() ?? null,
  };
}

@ApiTags('account')
@ApiSecurity('bearer')
@ApiSecurity('apiKey')
@Controller('v1')
export class AccountController {
  constructor(@Inject(AccountsService) private readonly accounts: AccountsService) {}

  @Get('account')
  @ApiOperation({ operationId: 'getAccount', summary: 'Your account and credit balance' })
  @ApiOkResponse({ type: AccountDto })
  @AuthedEndpoint('account:read')
  async account(@AccountId() accountId: string): Promise<AccountDto> {
    const a = await this.accounts.getAccount(accountId);
    return { id: a.id, name: a.name, balance: a.balance, credits_owed: a.creditsOwed, created_at: a.createdAt.toISOString() };
  }

  @Get('account/ledger')
  @ApiOperation({ operationId: 'listLedgerEntries', summary: 'Ledger entries (charges, refunds, grants, purchases)', description: 'Newest first, cursor-paginated.' })
  @ApiOkResponse({ type: LedgerPageDto })
  @AuthedEndpoint('account:read', { 422: 'The cursor or limit is invalid (`validation_failed` with `errors`)' })
  async ledger(@AccountId() accountId: string, @Query() q: PageQueryDto): Promise<LedgerPageDto> {
    const page = await this.accounts.ledgerPage(accountId, q.cursor, q.limit ?? 50);
    return {
      data: page.entries.map((e) => ({
        id: e.id,
        amount: e.amount,
        kind: e.kind,
        job_id: e.jobId,
        reason: e.reason,
        balance_after: e.balanceAfter,
        created_at: e.createdAt.toISOString(),
      })),
      next_cursor: page.nextCursor,
    };
  }

  @Get('account/usage')
  @ApiOperation({
    operationId: 'getUsage',
    summary: 'Usage: jobs and credits by day, operation or platform',
    description:
      'Jobs created in [from, to) with what they were charged and refunded, plus charges that made no job (synchronous requests such as ' +
      '/v1/info, counted in credits but not in jobs). A refund counts on the day its job was created. Rows are sorted by their key.',
  })
  @ApiOkResponse({ type: UsageDto })
  @AuthedEndpoint('account:read', { 422: 'Bad range or grouping (`validation_failed`: from after to, more than 366 days, an unknown group_by)' })
  async usage(@AccountId() accountId: string, @Query() q: UsageQueryDto): Promise<UsageDto> {
    const group = q.group_by ?? 'day';
    const report = await this.accounts.usage(accountId, group, q.from, q.to);
    const sums = (r: { jobs: number; charged: number; refunded: number }) => ({
      jobs: r.jobs,
      credits_charged: r.charged,
      credits_refunded: r.refunded,
      credits_net: r.charged - r.refunded,
    });
    const total = report.rows.reduce((t, r) => ({ jobs: t.jobs + r.jobs, charged: t.charged + r.charged, refunded: t.refunded + r.refunded }), { jobs: 0, charged: 0, refunded: 0 });
    return {
      from: report.from.toISOString(),
      to: report.to.toISOString(),
      group_by: group,
      data: report.rows.map((r): UsageRowDto => ({ [group]: r.key, ...sums(r) })),
      totals: sums(total),
    };
  }

  @Post('keys')
  @RateClassOf('account')
  @ApiOperation({
    operationId: 'createKey',
    summary: 'Mint an API key',
    description: 'The key is in this response only; it is stored as a sha256 hash. Optionally narrower than the key minting it: fewer `scopes`, a `monthly_credit_limit`.',
  })
  @ApiCreatedResponse({ type: CreatedKeyDto })
  @AuthedEndpoint('keys:manage', {
    403: 'The key lacks `keys:manage`, or asks for a scope it does not hold or a limit above its own (`forbidden`)',
    413: true,
    422: 'The name is too long, a scope is unknown or repeated, or the limit is not a whole number ≥ 0 (`validation_failed` with `errors`)',
  })
  async createKey(@AccountId() accountId: string, @Req() req: AuthedRequest, @Body() body: CreateKeyDto): Promise<CreatedKeyDto> {
    const grant = { scopes: body.scopes, monthlyCreditLimit: body.monthly_credit_limit ?? null };
    const minted = await this.accounts.mintKey(accountId, body.name ?? null, grant, req.keyId ?? null);
    return { ...keyView(minted.key, 0), key: minted.plaintext };
  }

  @Get('keys')
  @ApiOperation({ operationId: 'listKeys', summary: 'List API keys', description: 'Prefix and last four characters only.' })
  @ApiOkResponse({ type: KeyListDto })
  @AuthedEndpoint('keys:manage')
  async keys(@AccountId() accountId: string): Promise<KeyListDto> {
    return { data: (await this.accounts.listKeys(accountId)).map((k) => keyView(k.key, k.spentThisMonth)) };
  }

  @Patch('keys/:id')
  @RateClassOf('account')
  @ApiOperation({
    operationId: 'updateKey',
    summary: 'Change an API key',
    description:
      'Its name, its scopes (replaced) or its monthly credit limit (null: none); what is left out stays. Takes effect at once, ' +
      'in every API process. A key can set only scopes it holds and no limit above its own, on itself as on any other key.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: KeyDto })
  @AuthedEndpoint('keys:manage', {
    403: 'The key lacks `keys:manage`, or sets a scope it does not hold or a limit above its own (`forbidden`)',
    404: 'No such key of yours, or it is revoked (`not_found`)',
    413: true,
    422: 'The name is too long, a scope is unknown or repeated, or the limit is not a whole number ≥ 0 (`validation_failed` with `errors`)',
  })
  async updateKey(@AccountId() accountId: string, @Req() req: AuthedRequest, @Param('id') id: string, @Body() body: UpdateKeyDto): Promise<KeyDto> {
    const key = await this.accounts.updateKey(accountId, id, { name: body.name, scopes: body.scopes, monthlyCreditLimit: body.monthly_credit_limit }, req.keyId ?? null);
    return keyView(key, await this.accounts.spentThisMonth(key.id));
  }

  @Delete('keys/:id')
  @HttpCode(200)
  @RateClassOf('account')
  @ApiOperation({ operationId: 'revokeKey', summary: 'Revoke an API key', description: 'Takes effect at once. Revoking the key you are using is allowed.' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: KeyDto })
  @AuthedEndpoint('keys:manage', { 404: 'No such key of yours (`not_found`)' })
  async revoke(@AccountId() accountId: string, @Param('id') id: string): Promise<KeyDto> {
    const key = await this.accounts.revokeKey(accountId, id);
    return keyView(key, await this.accounts.spentThisMonth(key.id));
  }
}
