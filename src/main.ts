import 'reflect-metadata';
import { bootLogger, createContext, createHttpApp, installCrashGuards } from './bootstrap.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { AccountsService } from './core/accounts/accounts.service.js';

/** One entry point: `node dist/src/main.js [all|api|worker]` (or ROLE). */
async function main(): Promise<void> {
  installCrashGuards();
  let config: Config;
  try {
    const roleArg = process.argv[2];
    config = loadConfig(roleArg ? { ...process.env, ROLE: roleArg } : process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  if (config.role === 'worker') {
    await createContext(config, { http: false, workers: true });
    bootLogger.log(`worker running (concurrency ${config.worker.concurrency})`);
    return;
  }
  const app = await createHttpApp(config, { http: true, workers: config.role === 'all' });
  await app.listen({ port: config.port, host: config.host });
  bootLogger.log(`Mediary ${config.role === 'all' ? 'API and workers' : 'API'} listening on ${config.publicBaseUrl}`);
  bootLogger.log(`API docs: ${config.publicBaseUrl}/docs  (spec: ${config.publicBaseUrl}/openapi.json)`);
  bootLogger.log(`Dashboard: ${config.publicBaseUrl}/app`);
  if (config.env !== 'production') await printDevelopmentKey(app.get(AccountsService), config);
}

/** On a fresh development install, an account to try the API with. */
async function printDevelopmentKey(accounts: AccountsService, config: Config): Promise<void> {
  if ((await accounts.countAccounts()) > 0) return;
  const { account, apiKey } = await accounts.createAccount('development', 1000);
  bootLogger.log(`Development account ${account.id} with 1000 credits. API key (shown once):`);
  bootLogger.log(`  ${apiKey.plaintext}`);
  bootLogger.log(`  curl -H "Authorization: Bearer ${apiKey.plaintext}" ${config.publicBaseUrl}/v1/account`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
