import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { CONFIG, type Config } from '../../config.js';
import { JobsService } from '../../core/jobs/jobs.service.js';
import { UploadsService } from '../../core/uploads/uploads.service.js';
import { AppError } from '../../errors.js';
import type { IdempotencyInput, StoredResponse } from '../../platform/http/idempotency.js';
import { UUID } from '../../platform/ids.js';
import { UrlGuardService } from '../../platform/tools/url-guard.service.js';
import { compareFingerprints, type FingerprintComparison } from './compare.js';
import type { FingerprintRequestDto, SearchRequestDto } from './dto/fingerprint.dto.js';
import { FingerprintRepository } from './fingerprint.repository.js';
import type { Fingerprint } from './fingerprint.job.js';
import { VIDEO_MATCH_BITS } from './matching.js';

/** The longest fingerprint accepted inline: a day of seconds. */
const MAX_SECONDS = 86_400;
const HEX16 = /^[0-9a-f]{16}$/;

/** Fingerprints on the API side: jobs that make them, and comparing and searching the account's library. */
@Injectable()
export class FingerprintService implements OnModuleInit {
  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly jobs: JobsService,
    private readonly uploads: UploadsService,
    private readonly guard: UrlGuardService,
    private readonly library: FingerprintRepository,
  ) {}

  onModuleInit(): void {
    // Deleting a fingerprint job removes it from the library (retention of output files does not).
    this.jobs.onDeleted('fingerprint library', async (job) => {
      if (job.type === 'fingerprint') await this.library.delete(job.accountId, job.id);
    });
  }

  async submit(accountId: string, req: FingerprintRequestDto, idem: IdempotencyInput | null): Promise<StoredResponse> {
    if (!req.url === !req.upload_id) {
      throw new AppError('validation_failed', 'give exactly one of url and upload_id', { errors: [{ field: 'url', message: 'give exactly one of url and upload_id' }] });
    }
    if (req.url) await this.guard.check(req.url);
    else await this.uploads.owned(accountId, req.upload_id!);
    if (req.webhook_url) await this.guard.check(req.webhook_url);
    return this.jobs.submit(accountId, 'fingerprint', { ...req }, this.config.prices.fingerprint, idem);
  }

  async compare(accountId: string, a: unknown, b: unknown): Promise<FingerprintComparison> {
    const [fa, fb] = await Promise.all([this.resolve(accountId, a, 'a'), this.resolve(accountId, b, 'b')]);
    return compareFingerprints(fa, fb);
  }

  /** The account's library, best matches first; candidates come from the band index, then each is compared. */
  async search(accountId: string, req: SearchRequestDto) {
    if ((req.job_id === undefined) === (req.fingerprint === undefined)) {
      throw new AppError('validation_failed', 'give exactly one of job_id and fingerprint', { errors: [{ field: 'job_id', message: 'give exactly one of job_id and fingerprint' }] });
    }
    const query = await this.resolve(accountId, req.job_id ?? req.fingerprint, req.job_id ? 'job_id' : 'fingerprint');
    if (!query.video?.hashes.some((h) => h !== null)) {
      throw new AppError('validation_failed', 'Search looks for video hashes; this fingerprint has none (compare audio with POST /v1/fingerprint/compare)');
    }
    const limit = req.limit ?? 10;
    const minimum = req.min_similarity ?? 0.5;
    const candidates = await this.library.candidates(accountId, query.video.hashes, VIDEO_MATCH_BITS, limit * 3, req.job_id ?? null);
    const entries = await this.library.findMany(accountId, candidates.map((c) => c.jobId));
    const matches = entries
      .map((e) => {
        const c = compareFingerprints(query, e.fingerprint);
        return { job_id: e.jobId, similarity: c.similarity, offset_seconds: c.offset_seconds, a_coverage: c.a_coverage, b_coverage: c.b_coverage, source: e.source };
      })
      .filter((m) => m.similarity >= minimum && m.similarity > 0)
      .sort((x, y) => y.similarity - x.similarity || y.b_coverage - x.b_coverage)
      .slice(0, limit);
    return { matches };
  }

  /** A job id of the account's library, or a fingerprint object checked field by field. */
  private async resolve(accountId: string, ref: unknown, field: string): Promise<Fingerprint> {
    if (typeof ref === 'string') {
      const entry = UUID.test(ref) ? await this.library.find(accountId, ref) : null;
      if (!entry) throw new AppError('not_found', `${field}: no fingerprint job with this id (or it was deleted)`);
      return entry.fingerprint;
    }
    const problems: Array<{ field: string; message: string }> = [];
    const bad = (at: string, message: string) => problems.push({ field: `${field}${at}`, message });
    if (typeof ref !== 'object' || ref === null || Array.isArray(ref)) {
      bad('', 'must be a fingerprint job id or a fingerprint object');
    } else {
      const f = ref as Record<string, unknown>;
      const video = f.video as Record<string, unknown> | null | undefined;
      const audio = f.audio as Record<string, unknown> | null | undefined;
      if (video != null) {
        if (typeof video !== 'object') bad('.video', 'must be an object or null');
        else if (!Array.isArray(video.hashes) || video.hashes.length > MAX_SECONDS) bad('.video.hashes', `must be an array of at most ${MAX_SECONDS} hashes`);
        else {
          const i = video.hashes.findIndex((h) => h !== null && (typeof h !== 'string' || !HEX16.test(h)));
          if (i >= 0) bad(`.video.hashes[${i}]`, 'must be 16 lowercase hex digits or null');
          if (typeof video.algorithm !== 'string' || typeof video.version !== 'number' || typeof video.interval !== 'number') {
            bad('.video', 'needs algorithm, version and interval as a job returned them');
          }
        }
      }
      if (audio != null) {
        if (typeof audio !== 'object' || audio.algorithm !== 'chromaprint' || typeof audio.fingerprint !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(audio.fingerprint)) {
          bad('.audio', 'must be a chromaprint fingerprint as a job returned it (base64)');
        } else if (audio.fingerprint.length > (MAX_SECONDS * 9 * 4 * 4) / 3) bad('.audio.fingerprint', 'is longer than a day of audio');
      }
      if (video == null && audio == null) bad('', 'needs video or audio');
    }
    if (problems.length) throw new AppError('validation_failed', problems.map((p) => `${p.field}: ${p.message}`).join('; '), { errors: problems });
    return { duration: null, video: null, audio: null, ...(ref as Partial<Fingerprint>) } as Fingerprint;
  }
}
