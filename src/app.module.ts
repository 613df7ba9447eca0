import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import type { Config } from './config.js';
import { AccountsModule } from './core/accounts/accounts.module.js';
import { BatchesModule } from './core/batches/batches.module.js';
import { JobWorker } from './core/jobs/job.worker.js';
import { JobsModule } from './core/jobs/jobs.module.js';
import { SweeperService } from './core/jobs/sweeper.service.js';
import { LedgerModule } from './core/ledger/ledger.module.js';
import { UploadsModule } from './core/uploads/uploads.module.js';
import { WebhookWorker } from './core/webhooks/webhook.worker.js';
import { WebhooksModule } from './core/webhooks/webhooks.module.js';
import { CommentsModule } from './modules/comments/index.js';
import { BillingModule } from './modules/billing/index.js';
import { DownloadModule } from './modules/download/index.js';
import { FingerprintModule } from './modules/fingerprint/index.js';
import { InfoModule } from './modules/info/index.js';
import { PreviewModule } from './modules/preview/index.js';
import { TranscribeModule } from './modules/transcribe/index.js';
import { TranslateModule } from './modules/translate/translate.module.js';
import { ApiKeyGuard } from './platform/http/api-key.guard.js';
import { HealthController } from './platform/http/health.controller.js';
import { ProblemFilter } from './platform/http/problem.filter.js';
import { PlatformModule } from './platform/platform.module.js';

/** The operations of the API, one module each. */
const OPERATIONS = [InfoModule, DownloadModule, TranscribeModule, TranslateModule, PreviewModule, FingerprintModule, CommentsModule, BillingModule];

/** The HTTP side (ROLE api or all): every route needs an API key unless marked public; errors are problem+json. */
@Module({
  imports: [AccountsModule],
  controllers: [HealthController],
  providers: [
    { provide: APP_GUARD, useClass: ApiKeyGuard },
    { provide: APP_FILTER, useClass: ProblemFilter },
  ],
})
export class ApiModule {}

/** The worker side (ROLE worker or all): media jobs, webhook deliveries, and the sweeper's repairs. */
@Module({
  imports: [JobsModule, LedgerModule, UploadsModule, WebhooksModule],
  providers: [JobWorker, WebhookWorker, SweeperService],
})
export class WorkerModule {}

export interface Parts {
  /** Serve HTTP (role `api` or `all`). */
  http: boolean;
  /** Run queue workers and the sweeper (role `worker` or `all`). */
  workers: boolean;
}

@Module({})
export class AppModule {
  static forRoot(config: Config, parts: Parts): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot(config),
        AccountsModule,
        UploadsModule,
        WebhooksModule,
        BatchesModule,
        ...OPERATIONS,
        ...(parts.http ? [ApiModule] : []),
        ...(parts.workers ? [WorkerModule] : []),
      ],
    };
  }
}
