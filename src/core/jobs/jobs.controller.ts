import { Controller, Delete, Get, Headers, Inject, Param, Query, Req, Res } from '@nestjs/common';
import { ApiExtraModels, ApiHeader, ApiOkResponse, ApiOperation, ApiParam, ApiSecurity, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { JOB_SCHEMA, JobEventDto, JobListDto, ListJobsQueryDto } from './dto/jobs.dto.js';
import { AccountId, AuthedEndpoint } from '../../platform/http/decorators.js';
import { JobEventsService } from './job-events.service.js';
import { JobsService } from './jobs.service.js';

@ApiTags('jobs')
@ApiExtraModels(JobEventDto)
@ApiSecurity('bearer')
@ApiSecurity('apiKey')
@Controller('v1/jobs')
export class JobsController {
  constructor(
    @Inject(JobsService) private readonly jobs: JobsService,
    @Inject(JobEventsService) private readonly events: JobEventsService,
  ) {}

  @Get()
  @ApiOperation({ operationId: 'listJobs', summary: 'List jobs', description: 'Newest first, cursor-paginated. Free.' })
  @ApiOkResponse({ type: JobListDto })
  @AuthedEndpoint('jobs:read', { 422: 'A filter or the cursor is invalid (`validation_failed` with `errors`)' })
  list(@AccountId() accountId: string, @Query() q: ListJobsQueryDto) {
    return this.jobs.list(
      accountId,
      {
        status: q.status,
        type: q.type,
        platform: q.platform,
        createdAfter: q.created_after ? new Date(q.created_after) : undefined,
        createdBefore: q.created_before ? new Date(q.created_before) : undefined,
      },
      q.cursor,
      q.limit ?? 50,
    );
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getJob', summary: 'Get a job', description: 'State, progress, result files (signed links) or error. Free.' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ schema: { $ref: getSchemaPath(JOB_SCHEMA) } })
  @AuthedEndpoint('jobs:read', { 404: 'No such job of yours (`not_found`)' })
  get(@AccountId() accountId: string, @Param('id') id: string) {
    return this.jobs.get(accountId, id);
  }

  @Get(':id/events')
  @ApiOperation({
    operationId: 'followJob',
    summary: 'Follow a job live (Server-Sent Events)',
    description:
      'An `event: job` on every state or progress change, with `data` `{status, progress, speed_bps, eta_seconds}` ' +
      '(where known); the final event also carries the whole `job` and the stream closes. A comment line ' +
      'is sent every 15 s as a heartbeat. Reconnect with `Last-Event-ID` to get only newer events; a client ' +
      'connecting after the job ended gets the final state at once.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'The id of the last event received' })
  @ApiOkResponse({
    description: 'An event stream: frames of `id`, `event: job` and `data`; the schema is that of each frame’s JSON `data`',
    content: { 'text/event-stream': { schema: { $ref: getSchemaPath(JobEventDto) }, example: { status: 'processing', progress: 42, speed_bps: 1250000, eta_seconds: 12 } } },
  })
  @AuthedEndpoint('jobs:read', { 404: 'No such job of yours (`not_found`)' })
  async follow(
    @AccountId() accountId: string,
    @Param('id') id: string,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.jobs.get(accountId, id); // a 404 is still an ordinary problem+json response
    reply.hijack();
    reply.raw.writeHead(200, {
      ...(reply.getHeaders() as Record<string, string>),
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    reply.raw.write('retry: 2000\n\n');
    const last = lastEventId && /^\d+$/.test(lastEventId) ? Number(lastEventId) : null;
    const stop = await this.events.follow(accountId, id, last, {
      write: (chunk) => reply.raw.write(chunk),
      end: () => reply.raw.end(),
    });
    req.raw.on('close', stop);
  }

  @Delete(':id')
  @ApiOperation({
    operationId: 'cancelJob',
    summary: 'Cancel a job, or delete its outputs',
    description: 'A pending or processing job is canceled (refunded if it had not started; a running download is stopped). A finished job has its output files deleted. Returns the job.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ schema: { $ref: getSchemaPath(JOB_SCHEMA) } })
  @AuthedEndpoint('jobs:write', { 404: 'No such job of yours (`not_found`)' })
  cancel(@AccountId() accountId: string, @Param('id') id: string) {
    return this.jobs.cancelOrDelete(accountId, id);
  }
}
