import { BullModule } from '@nestjs/bullmq';
import { Module, type DynamicModule, type Provider, type Type } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CONFIG, type Config } from './config.js';
import { AccountController } from './core/accounts/account.controller.js';
import { BatchController } from './core/batches/batch.controller.js';
import { DownloadController } from './modules/download/download.controller.js';
import { FilesController } from './core/jobs/files.controller.js';
import { HealthController } from './platform/http/health.controller.js';
import { InfoController } from './modules/info/info.controller.js';
import { JobsController } from './core/jobs/jobs.controller.js';
import { UploadsController } from './core/uploads/uploads.controller.js';
import { TranscribeController } from './modules/transcribe/transcribe.controller.js';
import { WebhooksController } from './core/webhooks/webhooks.controller.js';
import { dataSourceOptions } from './platform/database/data-source.js';
import { QueueName } from './core/jobs/job-types.js';
import { ApiKeyGuard } from './platform/http/api-key.guard.js';
import { ProblemFilter } from './platform/http/problem.filter.js';
import { AccountRepository } from './core/accounts/account.repository.js';
import { BatchRepository } from './core/batches/batch.repository.js';
import { EgressProxyRepository } from './platform/tools/egress-proxy.repository.js';
import { FfmpegRepository } from './platform/tools/ffmpeg.repository.js';
import { JobRepository } from './core/jobs/job.repository.js';
import { LedgerRepository } from './core/ledger/ledger.repository.js';
import { ProcessRepository } from './platform/tools/process.repository.js';
import { QueueRepository } from './platform/tools/queue.repository.js';
import { RedisRepository } from './platform/tools/redis.repository.js';
import { StorageRepository } from './platform/tools/storage.repository.js';
import { UploadRepository } from './core/uploads/upload.repository.js';
import { LocalSpeechRepository } from './platform/tools/speech.repository.js';
import { TranscriptRepository } from './modules/transcribe/transcript.repository.js';
import { ApertiumRepository } from './platform/tools/apertium.repository.js';
import { OpenAiRepository } from './platform/tools/openai.repository.js';
import { WebhookHttpRepository } from './platform/tools/webhook-http.repository.js';
import { WebhookRepository } from './core/webhooks/webhook.repository.js';
import { YtdlpRepository } from './platform/tools/ytdlp.repository.js';
import { AccountsService } from './core/accounts/accounts.service.js';
import { BatchesService } from './core/batches/batches.service.js';
import { DownloadService } from './modules/download/download.handler.js';
import { InfoService } from './modules/info/info.service.js';
import { JobEventsService } from './core/jobs/job-events.service.js';
import { JobsService } from './core/jobs/jobs.service.js';
import { UploadsService } from './core/uploads/uploads.service.js';
import { TranscribeService } from './modules/transcribe/transcribe.handler.js';
import { TranscriptsService } from './modules/transcribe/transcribe.service.js';
import { TranslateService } from './modules/translate/translate.handler.js';
import { UrlGuardService } from './platform/tools/url-guard.service.js';
import { WebhooksService } from './core/webhooks/webhooks.service.js';
import { bullConnection } from './platform/tools/bull-connection.js';
import { MediaWorker } from './core/jobs/job.worker.js';
import { SweeperService } from './core/jobs/sweeper.service.js';
import { WebhookWorker } from './core/webhooks/webhook.worker.js';

const REPOSITORIES: Type[] = [
  AccountRepository, BatchRepository, EgressProxyRepository, FfmpegRepository, JobRepository, LedgerRepository, ProcessRepository,
  QueueRepository, RedisRepository, StorageRepository, LocalSpeechRepository, TranscriptRepository, ApertiumRepository, OpenAiRepository, UploadRepository, WebhookHttpRepository, WebhookRepository, YtdlpRepository,
];
const SERVICES: Type[] = [
  AccountsService, BatchesService, DownloadService, InfoService, JobEventsService, JobsService, TranscribeService, TranscriptsService, TranslateService, UploadsService, UrlGuardService, WebhooksService,
];
const CONTROLLERS: Type[] = [
  AccountController, BatchController, DownloadController, FilesController, HealthController, InfoController, JobsController, TranscribeController, UploadsController, WebhooksController,
];

export interface Parts {
  /** Serve HTTP (role `api` or `all`). */
  http: boolean;
  /** Run queue workers and the sweeper (role `worker` or `all`). */
  workers: boolean;
}

@Module({})
export class AppModule {
  static forRoot(config: Config, parts: Parts): DynamicModule {
    const providers: Provider[] = [{ provide: CONFIG, useValue: config }, ...REPOSITORIES, ...SERVICES];
    if (parts.http) {
      providers.push({ provide: APP_GUARD, useClass: ApiKeyGuard }, { provide: APP_FILTER, useClass: ProblemFilter });
    }
    if (parts.workers) providers.push(MediaWorker, SweeperService, WebhookWorker);
    return {
      module: AppModule,
      imports: [
        TypeOrmModule.forRoot({ ...dataSourceOptions(config.databaseUrl), retryAttempts: 3, retryDelay: 1000 }),
        BullModule.forRoot({ connection: bullConnection(config.redisUrl), prefix: config.redisPrefix }),
        BullModule.registerQueue({ name: QueueName.Media }, { name: QueueName.Webhooks }),
      ],
      controllers: parts.http ? CONTROLLERS : [],
      providers,
      exports: [AccountsService],
    };
  }
}
