import { BullModule } from '@nestjs/bullmq';
import { Global, Module, type DynamicModule, type Type } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CONFIG, type Config } from '../config.js';
import { dataSourceOptions } from './database/data-source.js';
import { bullConnection } from './tools/bull-connection.js';
import { EgressProxyRepository } from './tools/egress-proxy.repository.js';
import { FfmpegRepository } from './tools/ffmpeg.repository.js';
import { HttpGetRepository } from './tools/http-get.repository.js';
import { NetworkPolicy } from './tools/network-policy.js';
import { OpenAiRepository } from './tools/openai.repository.js';
import { ProcessRepository } from './tools/process.repository.js';
import { QueueName, QueueRepository } from './tools/queue.repository.js';
import { RedisRepository } from './tools/redis.repository.js';
import { LocalSpeechRepository } from './tools/speech.repository.js';
import { StorageRepository } from './tools/storage.repository.js';
import { StripeRepository } from './tools/stripe.repository.js';
import { ApertiumRepository } from './tools/apertium.repository.js';
import { UrlGuardService } from './tools/url-guard.service.js';
import { WebhookHttpRepository } from './tools/webhook-http.repository.js';
import { YtdlpRepository } from './tools/ytdlp.repository.js';

/** One repository per external system; none holds a business rule. */
const TOOLS: Type[] = [
  ApertiumRepository, EgressProxyRepository, FfmpegRepository, HttpGetRepository, LocalSpeechRepository, NetworkPolicy, OpenAiRepository,
  ProcessRepository, QueueRepository, RedisRepository, StorageRepository, StripeRepository, UrlGuardService, WebhookHttpRepository, YtdlpRepository,
];

/** What every module stands on: the config, Postgres, Redis and the queues, and the tools. */
@Global()
@Module({})
export class PlatformModule {
  static forRoot(config: Config): DynamicModule {
    return {
      module: PlatformModule,
      imports: [
        TypeOrmModule.forRoot({ ...dataSourceOptions(config.databaseUrl, config.databaseQueryTimeoutSeconds * 1000), autoLoadEntities: true, retryAttempts: 3, retryDelay: 1000 }),
        BullModule.forRoot({ connection: bullConnection(config.redisUrl), prefix: config.redisPrefix }),
        BullModule.registerQueue({ name: QueueName.Media }, { name: QueueName.Webhooks }),
      ],
      providers: [{ provide: CONFIG, useValue: config }, ...TOOLS],
      exports: [CONFIG, ...TOOLS],
    };
  }
}
