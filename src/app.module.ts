import { BullModule } from '@nestjs/bullmq';
import { Module, type DynamicModule, type Provider, type Type } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CONFIG, type Config } from './config.js';
import { AccountController } from './controllers/account.controller.js';
import { BatchController } from './controllers/batch.controller.js';
import { DownloadController } from './controllers/download.controller.js';
import { FilesController } from './controllers/files.controller.js';
import { HealthController } from './controllers/health.controller.js';
import { InfoController } from './controllers/info.controller.js';
import { JobsController } from './controllers/jobs.controller.js';
import { UploadsController } from './controllers/uploads.controller.js';
import { TranscribeController } from './controllers/transcribe.controller.js';
import { WebhooksController } from './controllers/webhooks.controller.js';
import { dataSourceOptions } from './data-source.js';
import { QueueName } from './enum.js';
import { ApiKeyGuard } from './http/api-key.guard.js';
import { ProblemFilter } from './http/problem.filter.js';
import { AccountRepository } from './repositories/account.repository.js';
import { BatchRepository } from './repositories/batch.repository.js';
import { EgressProxyRepository } from './repositories/egress-proxy.repository.js';
import { FfmpegRepository } from './repositories/ffmpeg.repository.js';
import { JobRepository } from './repositories/job.repository.js';
import { LedgerRepository } from './repositories/ledger.repository.js';
import { ProcessRepository } from './repositories/process.repository.js';
import { QueueRepository } from './repositories/queue.repository.js';
import { RedisRepository } from './repositories/redis.repository.js';
import { StorageRepository } from './repositories/storage.repository.js';
import { UploadRepository } from './repositories/upload.repository.js';
import { LocalSpeechRepository } from './repositories/speech.repository.js';
import { TranscriptRepository } from './repositories/transcript.repository.js';
import { ApertiumRepository } from './repositories/translation.repository.js';
import { OpenAiRepository } from './repositories/openai.repository.js';
import { WebhookHttpRepository } from './repositories/webhook-http.repository.js';
import { WebhookRepository } from './repositories/webhook.repository.js';
import { YtdlpRepository } from './repositories/ytdlp.repository.js';
import { AccountsService } from './services/accounts.service.js';
import { BatchesService } from './services/batches.service.js';
import { DownloadService } from './services/download.service.js';
import { InfoService } from './services/info.service.js';
import { JobEventsService } from './services/job-events.service.js';
import { JobsService } from './services/jobs.service.js';
import { UploadsService } from './services/uploads.service.js';
import { TranscribeService } from './services/transcribe.service.js';
import { TranscriptsService } from './services/transcripts.service.js';
import { TranslateService } from './services/translate.service.js';
import { UrlGuardService } from './services/url-guard.service.js';
import { WebhooksService } from './services/webhooks.service.js';
import { bullConnection } from './workers/bull-connection.js';
import { MediaWorker } from './workers/media.worker.js';
import { SweeperService } from './workers/sweeper.service.js';
import { WebhookWorker } from './workers/webhook.worker.js';

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
