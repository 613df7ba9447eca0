import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DiscoveryModule } from '@nestjs/core';
import { LedgerModule } from '../ledger/ledger.module.js';
import { FilesController } from './files.controller.js';
import { JobEventsService } from './job-events.service.js';
import { JobHandlerRegistry } from './job-handler.registry.js';
import { JobLifecycleService } from './job-lifecycle.service.js';
import { JobRepository } from './job.repository.js';
import { JobsController } from './jobs.controller.js';
import { JobsService } from './jobs.service.js';
import { RetentionRepository } from './retention.repository.js';
import { JobEntity } from './job.entity.js';

/** Jobs: submit, read, cancel, follow live, fetch outputs; the lifecycle and the handler registry. */
@Module({
  imports: [DiscoveryModule, LedgerModule, TypeOrmModule.forFeature([JobEntity])],
  controllers: [JobsController, FilesController],
  providers: [JobRepository, JobsService, JobLifecycleService, JobHandlerRegistry, JobEventsService, RetentionRepository],
  exports: [JobRepository, JobsService, JobLifecycleService, JobHandlerRegistry, RetentionRepository],
})
export class JobsModule {}
