import send from '@fastify/send';
import { Controller, Get, Inject, Param, Query, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags, ApiHeader } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import path from 'node:path';
import { CONFIG, type Config } from '../../config.js';
import { AppError } from '../../errors.js';
import { Public, PublicEndpoint } from '../../platform/http/decorators.js';
import { JobRepository } from './job.repository.js';
import { StorageRepository } from '../../platform/tools/storage.repository.js';


import { verifySignedPath } from '../../platform/http/signing.js';
import { UUID } from '../../platform/ids.js';
import { filePath } from './job-outputs.js';
import { contentDisposition } from '../../platform/filenames.js';

const BINARY = { schema: { type: 'string' as const, format: 'binary' } };
/** What a job's files can be: media, subtitles, thumbnails, transcripts, previews (pictures, animations, storyboards) and comments. */
const FILE_CONTENT = Object.fromEntries(
  ['video/*', 'audio/*', 'image/*', 'text/vtt', 'application/x-subrip', 'text/plain', 'application/json', 'application/octet-stream'].map((t) => [t, BINARY]),
);

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
    operationId: 'getFile', security: [],
    summary: 'Download an output file',
    description:
      'The links in a job result (`result.files[].url`) are signed and expire; no API key is needed. The content type is the ' +
      'file’s (`content_type` in the result). Supports Range requests.',
  })
  @ApiParam({ name: 'jobId', format: 'uuid' })
  @ApiParam({ name: 'filename', example: 'talk.mp4' })
  @ApiQuery({ name: 'expires', required: true, schema: { type: 'integer' }, description: 'Unix time the link expires at' })
  @ApiQuery({ name: 'signature', required: true, schema: { type: 'string' }, description: 'The link’s signature' })
  @ApiHeader({ name: 'Range', required: false, description: 'Part of the file, e.g. `bytes=0-1023`' })
  @ApiOkResponse({ description: 'The file', content: FILE_CONTENT })
  @ApiResponse({ status: 206, description: 'Part of the file (Range request)', content: FILE_CONTENT })
  @PublicEndpoint({ 404: 'Unknown, expired or badly signed link, or the outputs were deleted (`not_found`)', 414: true })
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
