import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module.js';
import { WebhookRepository } from './webhook.repository.js';
import { WebhooksController } from './webhooks.controller.js';
import { WebhooksService } from './webhooks.service.js';

/** Standard Webhooks: the account endpoint and secret, job and batch events, deliveries and attempts. */
@Module({
  imports: [JobsModule],
  controllers: [WebhooksController],
  providers: [WebhookRepository, WebhooksService],
  exports: [WebhooksService],
})
export class WebhooksModule {}
