import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { HandlesJob, type Job, type JobContext, type JobHandler, type JobOutcome } from '../../core/jobs/job-handler.js';
import { AppError } from '../../errors.js';
import { FfmpegRepository } from '../../platform/tools/ffmpeg.repository.js';
import { localInput } from '../../platform/tools/ffprobe.js';
import { MediaSourceService } from '../download/index.js';
import { fingerprintArgs } from './fingerprint-args.js';
import { FingerprintRepository } from './fingerprint.repository.js';
import type { AudioFingerprint, Fingerprint } from './fingerprint.job.js';
import { AUDIO_ITEM_SECONDS } from './matching.js';
import { HASH_SIDE, phash, VIDEO_ALGORITHM, VIDEO_VERSION } from './phash.js';

const FRAME_BYTES = HASH_SIDE * HASH_SIDE;

/**
 * A fingerprint job: the media fetched, decoded once (a frame per second for the video hashes,
 * the audio for Chromaprint), and the fingerprint added to the account's library when the job
 * completes — in the completion's transaction, so a job that does not complete adds nothing.
 */
@HandlesJob('fingerprint')
export class FingerprintHandler implements JobHandler<'fingerprint'> {
  constructor(
    private readonly sources: MediaSourceService,
    private readonly ffmpeg: FfmpegRepository,
    private readonly library: FingerprintRepository,
  ) {}

  async run(job: Job<'fingerprint'>, ctx: JobContext): Promise<JobOutcome<'fingerprint'>> {
    const media = await this.sources.acquire(job.accountId, job.input, { ...ctx, progress: (p) => ctx.progress(p * 0.5) });
    const probe = await this.ffmpeg.probe(media.file, { signal: ctx.signal });
    if (!probe || (!probe.video && !probe.audio)) throw new AppError('media_unavailable', 'The media has neither video nor audio that can be read');
    const frames = probe.video ? path.join(ctx.workDir, 'frames.gray') : null;
    const chroma = probe.audio ? path.join(ctx.workDir, 'audio.chromaprint') : null;
    const duration = probe.duration;
    const res = await this.ffmpeg.run(fingerprintArgs(localInput(media.file), frames, chroma), {
      timeoutMs: 60 * 60_000,
      signal: ctx.signal,
      onSeconds: (s) => duration && ctx.progress(50 + 45 * Math.min(1, s / duration)),
    });
    if (res.exitCode !== 0) throw new AppError('media_unavailable', 'The media could not be decoded');
    const fingerprint: Fingerprint = {
      duration,
      video: frames ? { algorithm: VIDEO_ALGORITHM, version: VIDEO_VERSION, interval: 1, hashes: await this.hashFrames(frames) } : null,
      audio: chroma ? await this.audio(chroma, duration) : null,
    };
    if (!fingerprint.video?.hashes.length && !fingerprint.audio) throw new AppError('media_unavailable', 'Nothing in the media could be fingerprinted');
    return {
      result: { ...fingerprint, metadata: job.input.metadata ?? null },
      outputs: [],
      cost: job.creditsCharged,
      settle: (tx) => this.library.save(tx, job.id, job.accountId, fingerprint),
    };
  }

  /** Hashes the raw frames as they stream in, a frame's 1,024 bytes at a time (any length of video fits). */
  private async hashFrames(file: string): Promise<Array<string | null>> {
    const hashes: Array<string | null> = [];
    let pending: Buffer = Buffer.alloc(0);
    for await (const chunk of createReadStream(file, { highWaterMark: 64 * FRAME_BYTES })) {
      pending = pending.length ? Buffer.concat([pending, chunk as Buffer]) : (chunk as Buffer);
      let offset = 0;
      for (; offset + FRAME_BYTES <= pending.length; offset += FRAME_BYTES) hashes.push(phash(pending.subarray(offset, offset + FRAME_BYTES)));
      pending = pending.subarray(offset);
    }
    return hashes;
  }

  private async audio(file: string, duration: number | null): Promise<AudioFingerprint | null> {
    const raw = await readFile(file);
    if (raw.length < 4) return null;
    const items = raw.length >> 2;
    return {
      algorithm: 'chromaprint',
      version: 1,
      item_duration: Math.round(AUDIO_ITEM_SECONDS * 1e6) / 1e6,
      fingerprint: raw.subarray(0, items * 4).toString('base64'),
      duration: duration ?? Math.round(items * AUDIO_ITEM_SECONDS * 1000) / 1000,
    };
  }
}
