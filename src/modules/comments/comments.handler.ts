import { Inject, Logger } from '@nestjs/common';
import { createReadStream, createWriteStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CONFIG, type Config } from '../../config.js';
import { HandlesJob, type Job, type JobContext, type JobHandler, type JobOutcome } from '../../core/jobs/job-handler.js';
import { AppError } from '../../errors.js';
import { EgressProxyRepository } from '../../platform/tools/egress-proxy.repository.js';
import type { RunResult } from '../../platform/tools/process.repository.js';
import { classifyYtdlpError, lastErrorLine } from '../../platform/tools/ytdlp-errors.js';
import { YtdlpRepository } from '../../platform/tools/ytdlp.repository.js';
import { platformOf } from '../info/index.js';
import { commentsArgs, commentsPrice, INFO_JSON_NAME, parseSiteCount, type CommentLimits } from './comments-args.js';
import { CommentSelection, type SelectionCounts } from './comments-selection.js';
import { normalizeComment, readInfoJson, type InfoJsonSummary } from './comments-stream.js';
import type { Comment, CommentsJobInput, CommentsJobResult } from './comments.job.js';
import { CommentsRepository } from './comments.repository.js';

/** A comment longer than this as JSON (a site's limit is a few thousand characters) is left out. */
const MAX_COMMENT_CHARS = 256 * 1024;
/** What is read of the info JSON at a time. */
const READ_CHUNK = 256 * 1024;
const TOP_LEVEL_FIELDS = ['comment_count', 'extractor_key', 'extractor'];

/**
 * A comments job: yt-dlp fetches the comments (through the egress proxy) into its info JSON,
 * which is read as a stream, never whole, while the comments to return are chosen (at most
 * `max_comments` held); they are written to a JSON file and, when the job completes, to the
 * table its pages are read from. Costs the comments price per started thousand returned, never
 * less than one thousand's; the lifecycle refunds the rest of the reservation.
 */
@HandlesJob('comments')
export class CommentsHandler implements JobHandler<'comments'> {
  private readonly logger = new Logger(CommentsHandler.name);

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly ytdlp: YtdlpRepository,
    private readonly egress: EgressProxyRepository,
    private readonly comments: CommentsRepository,
  ) {}

  async run(job: Job<'comments'>, ctx: JobContext): Promise<JobOutcome<'comments'>> {
    const input = job.input;
    const limits: CommentLimits = {
      maxComments: input.max_comments,
      sort: input.sort,
      includeReplies: input.include_replies,
      maxRepliesPerThread: input.max_replies_per_thread ?? null,
    };
    ctx.progress(5);
    const infoJson = await this.fetch(input, limits, ctx);
    ctx.progress(60);
    const selection = new CommentSelection(limits);
    let index = 0;
    const summary = await readInfoJson(createReadStream(infoJson.file, { encoding: 'utf8', highWaterMark: READ_CHUNK }), {
      fields: TOP_LEVEL_FIELDS,
      maxCommentChars: MAX_COMMENT_CHARS,
      onComment: (raw) => selection.add(normalizeComment(raw, index++)),
    });
    await rm(infoJson.file, { force: true });
    if (summary.skipped) this.logger.warn(`job ${job.id}: ${summary.skipped} comment(s) left out (too long or not objects)`);
    ctx.platform(platformOf(summary.fields));
    ctx.progress(80);
    const counts = selection.counts();
    const result: CommentsJobResult = {
      comment_count: infoJson.siteCount ?? siteCountFallback(summary),
      comments_available: summary.hasComments,
      returned: counts.returned,
      threads: counts.threads,
      sort: input.sort,
      comments_file: 'comments.json',
      metadata: input.metadata ?? null,
    };
    const file = path.join(ctx.workDir, result.comments_file);
    await pipeline(Readable.from(commentsFile(result, counts, selection.ordered())), createWriteStream(file));
    const output = await ctx.store(file, result.comments_file, 'comments', 'application/json');
    return {
      result,
      outputs: [output],
      cost: Math.min(job.creditsCharged, commentsPrice(this.config.prices, counts.returned)),
      settle: async (tx) => {
        await this.comments.save(tx, job.id, selection.ordered());
      },
    };
  }

  /**
   * Runs yt-dlp; the info JSON it wrote, and the comment count the site gave. A page whose only
   * video is in a list, or that has no video, or a site that fails, is an error.
   */
  private async fetch(input: CommentsJobInput, limits: CommentLimits, ctx: JobContext): Promise<{ file: string; siteCount: number | null }> {
    const session = await this.egress.open();
    let res: RunResult;
    try {
      res = await this.ytdlp.run(commentsArgs(input.url, { ...limits, proxy: session?.proxyUrl, outputDir: ctx.workDir }), {
        timeoutMs: this.config.worker.jobTimeoutSeconds * 1000,
        signal: ctx.signal,
        maxStdoutBytes: 64 * 1024,
      });
      if (session?.denied.length) throw new AppError('url_not_allowed', 'The URL led to a private or reserved network address');
    } finally {
      session?.close();
    }
    const file = path.join(ctx.workDir, `${INFO_JSON_NAME}.info.json`);
    const written = await stat(file).then((s) => s.isFile(), () => false);
    if (!written) {
      if (res.timedOut) throw new AppError('upstream_failed', 'Fetching the comments took too long');
      if (res.exitCode === 0 && !/ERROR:/.test(res.stderr)) {
        // Skipped by `--match-filter !playlist_index`: the URL is a list of videos.
        throw new AppError('validation_failed', 'This page has several videos; ask for the comments of one video at a time');
      }
      const classified = classifyYtdlpError(res.stderr);
      this.logger.debug(`yt-dlp comments failed (${classified.code}): ${lastErrorLine(res.stderr)}`);
      throw new AppError(classified.code, classified.message);
    }
    return { file, siteCount: parseSiteCount(res.stdout) };
  }
}

/**
 * The count yt-dlp's info JSON gives when the site's own was not printed: the number of comments
 * it fetched (all of them, when nothing limited it), or null when there were none to fetch.
 */
function siteCountFallback(summary: InfoJsonSummary): number | null {
  const n = summary.fields.comment_count;
  return summary.hasComments && typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : null;
}

/** The comments file: the result's counts, then every comment returned, in order, one per line. */
async function* commentsFile(result: CommentsJobResult, counts: SelectionCounts, comments: Iterable<Comment>): AsyncGenerator<string> {
  const head = { comment_count: result.comment_count, comments_available: result.comments_available, returned: counts.returned, threads: counts.threads, sort: result.sort };
  yield `${JSON.stringify(head).slice(0, -1)},"comments":[`;
  let first = true;
  for (const comment of comments) {
    yield `${first ? '\n' : ',\n'}${JSON.stringify(comment)}`;
    first = false;
  }
  yield '\n]}\n';
}
