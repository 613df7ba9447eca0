import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { createContext } from './bootstrap.js';
import { ConfigError, loadConfig } from './config.js';
import { AppError } from './errors.js';
import { AccountsService } from './core/accounts/accounts.service.js';
import { SCOPES, scopesOf, type Scope } from './platform/http/scopes.js';

const USAGE = `Usage: npm run mediary -- <command> [options]

  account:create --name NAME [--credits N]          create an account and its first API key
  credits:grant  --account ID --amount N --reason R add credits to an account
  key:create     --account ID [--name NAME]          mint another API key
                 [--scopes jobs:read,jobs:write,...]  only these scopes (default all: ${SCOPES.join(', ')})
                 [--monthly-limit N]                credits it may spend per month (UTC)
  key:revoke     --key-id ID                         revoke a key

Every command prints one JSON object.`;

async function run(command: string | undefined, args: string[]): Promise<Record<string, unknown>> {
  const { values } = parseArgs({
    args,
    options: {
      name: { type: 'string' },
      credits: { type: 'string' },
      account: { type: 'string' },
      amount: { type: 'string' },
      reason: { type: 'string' },
      'key-id': { type: 'string' },
      scopes: { type: 'string' },
      'monthly-limit': { type: 'string' },
    },
    strict: true,
  });
  const need = (name: keyof typeof values): string => {
    const v = values[name];
    if (!v) throw new UsageError(`--${name} is required`);
    return v;
  };
  const int = (name: keyof typeof values, fallback?: number): number => {
    const raw = values[name] ?? (fallback !== undefined ? String(fallback) : need(name));
    if (!/^\d+$/.test(raw)) throw new UsageError(`--${name} must be a whole number`);
    return Number(raw);
  };
  if (!['account:create', 'credits:grant', 'key:create', 'key:revoke'].includes(command ?? '')) {
    throw new UsageError(command ? `unknown command ${command}` : 'no command given');
  }
  // stdout carries the one JSON answer: framework start-up logs stay out of it unless asked for.
  const config = loadConfig({ LOG_LEVEL: 'error', ...process.env });
  const app = await createContext(config, { http: false, workers: false });
  try {
    const accounts = app.get(AccountsService);
    switch (command) {
      case 'account:create': {
        const { account, apiKey } = await accounts.createAccount(need('name'), int('credits', 0));
        return { account_id: account.id, name: account.name, balance: account.balance, api_key: apiKey.plaintext, key_id: apiKey.key.id };
      }
      case 'credits:grant': {
        const balance = await accounts.grant(need('account'), int('amount'), need('reason'));
        return { account_id: values.account, balance };
      }
      case 'key:create': {
        const accountId = need('account');
        await accounts.getAccount(accountId);
        const scopes = values.scopes?.split(',').map((s) => s.trim());
        const unknown = scopes?.find((s) => !(SCOPES as readonly string[]).includes(s));
        if (unknown !== undefined) throw new UsageError(`--scopes: unknown scope "${unknown}"`);
        const monthlyCreditLimit = values['monthly-limit'] === undefined ? null : int('monthly-limit');
        const minted = await accounts.mintKey(accountId, values.name ?? null, { scopes: scopes as Scope[] | undefined, monthlyCreditLimit });
        return {
          account_id: accountId,
          key_id: minted.key.id,
          api_key: minted.plaintext,
          scopes: scopesOf(minted.key.scopes),
          monthly_credit_limit: minted.key.monthlyCreditLimit,
        };
      }
      default: {
        const key = await accounts.revokeKey(null, need('key-id'));
        return { key_id: key.id, revoked_at: key.revokedAt?.toISOString() };
      }
    }
  } finally {
    await app.close();
  }
}

class UsageError extends Error {}

run(process.argv[2], process.argv.slice(3)).then(
  (out) => {
    process.stdout.write(`${JSON.stringify(out)}\n`);
    process.exit(0);
  },
  (err: unknown) => {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`${(err as Error).message}\n\n${USAGE}\n`);
      process.exit(2);
    }
    if (err instanceof ConfigError) process.stderr.write(`${err.message}\n`);
    else if (err instanceof AppError) process.stderr.write(`${JSON.stringify({ error: err.code, detail: err.message })}\n`);
    else process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
