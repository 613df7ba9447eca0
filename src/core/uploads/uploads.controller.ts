import { Controller, Delete, Get, HttpCode, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../errors.js';
import { AccountId, AuthedEndpoint, RateClassOf } from '../../platform/http/decorators.js';
import { UploadsService, type UploadView } from './uploads.service.js';

export class UploadDto {
  @ApiProperty({ format: 'uuid', description: 'Use as upload_id wherever url is accepted' }) upload_id: string;
  @ApiProperty() filename: string;
  @ApiProperty({ type: 'integer', description: 'Bytes' }) size: number;
  @ApiProperty({ example: 'video/mp4' }) content_type: string;
  @ApiProperty({ nullable: true, type: Number, description: 'Seconds, from ffprobe' }) duration: number | null;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ format: 'date-time', description: 'Deleted after this' }) expires_at: string;
}

@ApiTags('uploads')
@ApiSecurity('bearer')
@ApiSecurity('apiKey')
@Controller('v1/uploads')
export class UploadsController {
  constructor(@Inject(UploadsService) private readonly uploads: UploadsService) {}

  @Post()
  @RateClassOf('jobs')
  @ApiOperation({
    operationId: 'createUpload',
    summary: 'Upload your own audio or video file',
    description: 'multipart/form-data with the file in the field `file`; streamed to storage (MAX_UPLOAD_SIZE_MB). Free. A file ffprobe cannot read is refused with `unsupported_media` and deleted.',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary' } } } })
  @ApiCreatedResponse({ type: UploadDto })
  @AuthedEndpoint('jobs:write', {
    413: 'The file is larger than MAX_UPLOAD_SIZE_MB, or would take the account past its upload storage (`file_too_large`, with `quota_mb`)',
    415: 'ffprobe cannot read the file as audio or video, or it is a playlist (`unsupported_media`)',
    422: 'Not multipart/form-data, or no file in the field `file` (`validation_failed`)',
    507: true,
  })
  async create(@AccountId() accountId: string, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<UploadView> {
    try {
      if (!req.isMultipart()) throw new AppError('validation_failed', 'Send multipart/form-data with the file in the field `file`');
      const part = await req.file().catch((err: unknown) => {
        throw malformed(err);
      });
      if (!part || part.fieldname !== 'file') throw new AppError('validation_failed', 'The file must be in the field `file`');
      return await this.uploads.accept(accountId, { stream: part.file, filename: part.filename, mimetype: part.mimetype });
    } catch (err) {
      // The rest of a refused body is never read: the connection closes after the answer, so the
      // client's next request does not wait behind bytes nobody will consume.
      void reply.header('connection', 'close');
      throw err;
    }
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getUpload', summary: 'An upload' })
  @ApiOkResponse({ type: UploadDto })
  @AuthedEndpoint('jobs:read', { 404: 'No such upload of yours (`not_found`)' })
  get(@AccountId() accountId: string, @Param('id') id: string): Promise<UploadView> {
    return this.uploads.get(accountId, id);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ operationId: 'deleteUpload', summary: 'Delete an upload now' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @AuthedEndpoint('jobs:write', { 404: 'No such upload of yours (`not_found`)' })
  async remove(@AccountId() accountId: string, @Param('id') id: string): Promise<void> {
    await this.uploads.delete(accountId, id);
  }
}

/** A multipart body that is not one (no boundary, ends early…): the client's mistake, not ours. */
export function malformed(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if ((err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') return new AppError('file_too_large', 'The file is larger than the upload limit');
  return new AppError('validation_failed', `The multipart body is malformed: ${(err as Error).message}`);
}
