import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { CONFIG, type Config } from '../../config.js';
import { JobLifecycleService } from '../../core/jobs/job-lifecycle.service.js';
import { JobsService } from '../../core/jobs/jobs.service.js';
import { AppError } from '../../errors.js';
import type { IdempotencyInput, StoredResponse } from '../../platform/http/idempotency.js';
import { readCursor, toPage } from '../../platform/http/pagination.js';
import { UrlGuardService } from '../../platform/tools/url-guard.service.js';
import { commentsPrice } from './comments-args.js';
import type { Comment, CommentsJobInput } from './comments.job.js';
import { CommentsRepository } from './comments.repository.js';
import { DEFAULT_MAX_COMMENTS, type CommentsRequestDto } from './dto/comments.dto.js';

const DEFAULT_PAGE = 100;

/** Comments on the API side: checked and priced before the charge; a completed job's comments read a page at a time. */
@Injectable()
export class CommentsService implements OnModuleInit {
  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly jobs: JobsService,
    private readonly lifecycle: JobLifecycleService,
    private readonly guard: UrlGuardService,
    private readonly comments: CommentsRepository,
  ) {}

  onModuleInit(): void {
    // A job's comments are one of its outputs: they go when its files go (retention or DELETE).
    this.lifecycle.onOutputsDeleted('comments', async (job) => {
      if (job.type === 'comments') await this.comments.delete(job.id);
    });
  }

  /** Reserves the price of `max_comments` (1 credit per started 1,000); the job settles to what it returns. */
  async submit(accountId: string, req: CommentsRequestDto, idem: IdempotencyInput | null): Promise<StoredResponse> {
    const earlier = await this.jobs.replay(accountId, idem);
    if (earlier) return earlier;
    const max = req.max_comments ?? DEFAULT_MAX_COMMENTS;
    const problems: Array<{ field: string; message: string }> = [];
    if (max > this.config.limits.maxComments) problems.push({ field: 'max_comments', message: `max_comments must be at most ${this.config.limits.maxComments}` });
    if (req.include_replies === false && req.max_replies_per_thread !== undefined) {
      problems.push({ field: 'max_replies_per_thread', message: 'max_replies_per_thread does not apply when include_replies is false' });
    }
    if (problems.length) throw new AppError('validation_failed', problems.map((p) => p.message).join('; '), { errors: problems });
    await this.guard.check(req.url);
    if (req.webhook_url) await this.guard.check(req.webhook_url);
    const input: CommentsJobInput = { ...req, max_comments: max, sort: req.sort ?? 'top', include_replies: req.include_replies ?? true };
    const price = commentsPrice(this.config.prices, max);
    // Canceled while running, a job keeps the minimum price and gives back the rest.
    return this.jobs.submit(accountId, 'comments', input, { price, committed: commentsPrice(this.config.prices, 0) }, idem);
  }

  /** A page of a completed job's comments, in the job's order. */
  async page(accountId: string, jobId: string, cursor: string | undefined, limit: number | undefined): Promise<{ data: Comment[]; next_cursor: string | null }> {
    const after = readCursor(cursor, 1, ([p]) => typeof p === 'number' && Number.isInteger(p) && p >= 0);
    const job = await this.jobs.ownedOf(accountId, jobId, 'comments');
    if (!job) throw new AppError('not_found', 'No such comments job');
    if (job.status !== 'completed') throw new AppError('conflict', `The job is ${job.status}; its comments are not ready`);
    if (job.outputsDeletedAt) throw new AppError('not_found', 'The comments of this job were deleted with its outputs');
    const n = limit ?? DEFAULT_PAGE;
    const rows = await this.comments.page(job.id, after ? (after[0] as number) : -1, n + 1);
    const page = toPage(rows, n, (r) => [r.position]);
    return { data: page.rows.map((r) => r.comment), next_cursor: page.next_cursor };
  }
}
