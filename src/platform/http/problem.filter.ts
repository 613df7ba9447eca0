import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { AppError, isDependencyDown, isStorageFault, toProblem, type ErrorCode } from '../../errors.js';

/** Framework and body-parser statuses that mean "your request is malformed". */
const HTTP_STATUS_CODES: Record<number, ErrorCode> = {
  400: 'validation_failed',
  401: 'invalid_api_key',
  404: 'not_found',
  405: 'not_found',
  409: 'conflict',
  413: 'file_too_large',
  415: 'validation_failed',
  422: 'validation_failed',
  429: 'rate_limited',
};

const RETRY_AFTER_SECONDS = 5;

/**
 * The one place errors become responses: RFC 9457 problem+json with a stable `code`.
 * Anything unexpected is a 500 `internal_error` whose id is logged with the stack, so a
 * client can quote it; stacks, SQL and program output never reach the client.
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<FastifyRequest>();
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const error = this.toAppError(exception, req);
    const problem = toProblem(error, req.url.split('?')[0]);
    if (problem.status === 503) void reply.header('retry-after', String(RETRY_AFTER_SECONDS));
    void reply.status(problem.status).header('content-type', 'application/problem+json').send(problem);
  }

  private toAppError(exception: unknown, req: FastifyRequest): AppError {
    if (exception instanceof AppError) return exception;
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const code = HTTP_STATUS_CODES[status];
      if (code) {
        const detail = status === 404 ? `No route ${req.method} ${req.url.split('?')[0]}` : this.message(exception);
        return new AppError(code, detail);
      }
    }
    // Fastify's own errors (bad JSON, body too large, wrong content type) carry statusCode.
    const statusCode = (exception as { statusCode?: number } | null)?.statusCode;
    if (typeof statusCode === 'number' && statusCode < 500 && HTTP_STATUS_CODES[statusCode]) {
      return new AppError(HTTP_STATUS_CODES[statusCode]!, (exception as Error).message);
    }
    if (isStorageFault(exception)) {
      this.logger.error(`${req.method} ${req.url.split('?')[0]}: storage unavailable (${(exception as Error).message})`);
      return new AppError('storage_unavailable', 'The storage is full or unwritable; nothing was charged. Retry later.');
    }
    if (isDependencyDown(exception)) {
      this.logger.warn(`${req.method} ${req.url.split('?')[0]}: a dependency is unavailable (${(exception as Error).message})`);
      return new AppError('service_unavailable', 'The service is temporarily unavailable; nothing was charged. Retry shortly.');
    }
    const errorId = randomUUID();
    this.logger.error(`error_id=${errorId} ${req.method} ${req.url.split('?')[0]}: ${(exception as Error)?.stack ?? String(exception)}`);
    return new AppError('internal_error', 'An unexpected error occurred', { error_id: errorId });
  }

  private message(exception: HttpException): string {
    const response = exception.getResponse();
    if (typeof response === 'string') return response;
    const message = (response as { message?: unknown }).message;
    return Array.isArray(message) ? message.join('; ') : typeof message === 'string' ? message : exception.message;
  }
}
