import { Controller, Delete, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { JobDto, JobListDto, ListJobsQueryDto } from '../dtos/jobs.dto.js';
import { AccountId, AuthedEndpoint } from '../http/decorators.js';
import { JobsService } from '../services/jobs.service.js';

@ApiTags('jobs')
@ApiSecurity('bearer')
@ApiSecurity('apiKey')
@Controller('v1/jobs')
export class JobsController {
  constructor(@Inject(JobsService) private readonly jobs: JobsService) {}

  @Get()
  @ApiOperation({ summary: 'List jobs', description: 'Newest first, cursor-paginated. Free.' })
  @ApiOkResponse({ type: JobListDto })
  @AuthedEndpoint(422)
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
  @ApiOperation({ summary: 'Get a job', description: 'State, progress, result files (signed links) or error. Free.' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: JobDto })
  @AuthedEndpoint(404)
  get(@AccountId() accountId: string, @Param('id') id: string) {
    return this.jobs.get(accountId, id);
  }

  @Delete(':id')
  @ApiOperation({
    summary: 'Cancel a job, or delete its outputs',
    description: 'A pending or processing job is canceled (refunded if it had not started; a running download is stopped). A finished job has its output files deleted. Returns the job.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: JobDto })
  @AuthedEndpoint(404)
  cancel(@AccountId() accountId: string, @Param('id') id: string) {
    return this.jobs.cancelOrDelete(accountId, id);
  }
}
