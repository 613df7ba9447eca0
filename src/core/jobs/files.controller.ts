import send from '@fastify/send';
import { Controller, Get, Inject, Param, Query, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import path from 'node:path';
import { CONFIG, type Config } from '../../config.js';
import { AppError } from '../../errors.js';
import { Public } from '../../platform/http/decorators.js';
import { JobRepository } from './job.repository.js';
import { StorageRepository } from '../../platform/tools/storage.repository.js';


import { verifySignedPath } from '../../platform/http/signing.js';
import { UUID } from '../../platform/ids.js';
import { filePath } from './job-outputs.js';
import { contentDisposition } from '../../platform/filenames.js';

/** Serves stored outputs at signed, expiring links: streamed from disk, with range requests. */
@ApiTags('files')
@Controller('v1/files')
export class FilesController {
  constructor(
    @Inject(CONFIG) private readonly config: Config,
    @Inject(JobRepository) private readonly jobs: JobRepository,
    @Inject(StorageRepository) private readonly storage: StorageRepository,
  ) {}

  @Get(':jobId/:filename')
  @Public()
  @ApiOperation({
    summary: 'Download an output file',
    description: 'The links in a job result are signed and expire; no API key is needed. Supports Range requests.',
  })
  @ApiParam({ name: 'jobId', format: 'uuid' })
  @ApiParam({ name: 'filename' })
  @ApiQuery({ name: 'expires', required: true })
  @ApiQuery({ name: 'signature', required: true })
  @ApiOkResponse({ description: 'The file', content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } })
  @ApiResponse({ status: 206, description: 'Part of the file (Range request)' })
  @ApiResponse({ status: 404, description: 'Unknown, expired or badly signed link (`not_found`)' })
  async file(
    @Param('jobId') jobId: string,
    @Param('filename') filename: string,
    @Query('expires') expires: string | undefined,
    @Query('signature') signature: string | undefined,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const notFound = new AppError('not_found', 'This link is unknown or has expired');
    const secrets = [this.config.signingSecret, ...(this.config.previousSigningSecret ? [this.config.previousSigningSecret] : [])];
    if (!UUID.test(jobId) || !secrets.some((secret) => verifySignedPath(secret, filePath(jobId, filename), expires, signature))) throw notFound;
    const job = await this.jobs.find(jobId);
    const output = job && !job.outputsDeletedAt ? job.outputs.find((o) => o.filename === filename) : undefined;
    const local = output ? await this.storage.localPath(output.key) : null;
    if (!output || !local) throw notFound;
    const result = await send(req.raw, `/${encodeURIComponent(path.basename(local))}`, {
      root: path.dirname(local),
      dotfiles: 'deny',
      index: false,
      acceptRanges: true,
      cacheControl: false,
    });
    if (result.type !== 'file') throw notFound;
    void reply
      .status(result.statusCode)
      .headers(result.headers)
      .header('Content-Type', output.content_type)
      .header('Content-Disposition', contentDisposition(output.filename))
      .header('Cache-Control', 'private, max-age=3600')
      .send(result.stream);
  }
}
