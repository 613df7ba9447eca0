import { Inject, Injectable, Logger } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import { CONFIG, type Config } from '../../config.js';
import { AppError } from '../../errors.js';
import { EgressProxyRepository } from '../../platform/tools/egress-proxy.repository.js';
import { FfmpegRepository } from '../../platform/tools/ffmpeg.repository.js';
import { HttpGetRepository } from '../../platform/tools/http-get.repository.js';
import { ChargesRepository } from '../../core/ledger/charges.repository.js';
import { CreditsRepository } from '../../core/ledger/credits.repository.js';
import { IdempotencyRepository } from '../../core/ledger/idempotency.repository.js';
import type { IdempotencyInput, StoredResponse } from '../../platform/http/idempotency.js';
import { RedisRepository } from '../../platform/tools/redis.repository.js';
import { YtdlpRepository } from '../../platform/tools/ytdlp.repository.js';
import { applyProbe, formatsToProbe, hlsDuration, normalizeInfo, type MediaInfo } from './info-normalize.js';
import { Semaphore } from '../../platform/concurrency.js';
import { creditsCharged } from '../../platform/metrics.js';
import { normalizeUrl } from '../../platform/tools/url-safety.js';
import { classifyYtdlpError, lastErrorLine } from '../../platform/tools/ytdlp-errors.js';

import { settleCharge } from '../../core/ledger/charge-outcome.js';
import { UrlGuardService } from '../../platform/tools/url-guard.service.js';
import { estimateCredits, infoArgs } from './info-args.js';

export const MAX_PLAYLIST_ENTRIES = 25;
/** The longest one yt-dlp -J may run. */
const RESOLVE_TIMEOUT_MS = 60_000;
const MAX_PROBES = 6;
/** ffprobe runs one info request may have going at once. */
const PROBES_AT_ONCE = 4;

export type InfoDocument =
  | ({ type: 'video' } & MediaInfo & { estimated_credits: Record<string, number> })
  | { type: 'playlist'; id: string; title: string | null; platform: string; webpage_url: string | null; entries: InfoDocument[] };

/** Synchronous metadata: yt-dlp -J, ffprobe for what it leaves unknown, cached per URL. */
@Injectable()
export class InfoService {
  private readonly logger = new Logger(InfoService.name);
  private readonly inflight = new Map<string, Promise<{ doc: InfoDocument; resolvedHere: boolean }>>();

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly guard: UrlGuardService,
    private readonly ytdlp: YtdlpRepository,
    private readonly ffmpeg: FfmpegRepository,
    private readonly egress: EgressProxyRepository,
    private readonly redis: RedisRepository,
    private readonly http: HttpGetRepository,
    private readonly charges: ChargesRepository,
    private readonly credits: CreditsRepository,
    private readonly idempotency: IdempotencyRepository,
  ) {}

  /**
   * The info document for an account: free from cache, otherwise resolved and then charged,
   * so a URL that fails costs nothing. A repeated Idempotency-Key returns the first answer.
   */
  async infoFor(accountId: string, urlText: string, idem: IdempotencyInput | null): Promise<StoredResponse> {
    const url = await this.guard.check(urlText);
    if (idem) {
      const earlier = await this.idempotency.findReplay(accountId, idem);
      if (earlier) return settleCharge(earlier, 0);
    }
    const cached = await this.redis.getJson<InfoDocument>(this.cacheKey(url));
    if (cached) return this.free(accountId, cached, idem);
    const price = this.config.prices.info;
    // Checked before the slow part so an empty account gets its 402 at once; the charge
    // below re-checks atomically.
    const available = await this.credits.balance(accountId);
    if (available < price) throw new AppError('insufficient_credits', 'Insufficient credits', { required: price, available });
    const { doc, resolvedHere } = await this.lookup(url);
    // Another caller resolved it while this one waited: served from the cache, free.
    if (!resolvedHere) return this.free(accountId, doc, idem);
    const response = { statusCode: 200, body: { ...doc, cached: false, credits_charged: price } };
    const outcome = await this.charges.chargeRequest(accountId, price, 'info', idem, response);
    if (outcome.kind === 'charged') creditsCharged.inc({ operation: 'info' }, price);
    return settleCharge(outcome, price, response);
  }

  private async free(accountId: string, doc: InfoDocument, idem: IdempotencyInput | null): Promise<StoredResponse> {
    const response = { statusCode: 200, body: { ...doc, cached: true, credits_charged: 0 } };
    if (!idem) return response;
    const raced = await this.idempotency.claim(accountId, idem, response);
    return raced ? settleCharge(raced, 0) : response;
  }

  /** The info document of a checked URL, from the cache when it is there (no charge: internal use). */
  async document(url: URL): Promise<InfoDocument> {
    return (await this.lookup(url)).doc;
  }

  /**
   * The document from the cache, or resolved by exactly one caller while the others wait for it:
   * one promise per URL in this process, one Redis lock per URL across processes.
   */
  private async lookup(url: URL): Promise<{ doc: InfoDocument; resolvedHere: boolean }> {
    const key = this.cacheKey(url);
    const cached = await this.redis.getJson<InfoDocument>(key);
    if (cached) return { doc: cached, resolvedHere: false };
    const running = this.inflight.get(key);
    if (running) return { doc: (await running).doc, resolvedHere: false };
    const mine = this.resolveShared(url, key);
    this.inflight.set(key, mine);
    try {
      return await mine;
    } finally {
      this.inflight.delete(key);
    }
  }

  private async resolveShared(url: URL, key: string): Promise<{ doc: InfoDocument; resolvedHere: boolean }> {
    const lock = `${key}:resolving`;
    const token = randomUUID();
    const deadline = Date.now() + RESOLVE_TIMEOUT_MS + 30_000;
    for (;;) {
      if (await this.redis.lock(lock, token, RESOLVE_TIMEOUT_MS + 15_000)) {
        try {
          const doc = await this.resolve(url.href);
          await this.redis.setJson(key, doc, this.config.infoCacheTtlSeconds);
          return { doc, resolvedHere: true };
        } finally {
          await this.redis.unlock(lock, token).catch(() => undefined);
        }
      }
      await new Promise((r) => setTimeout(r, 100));
      const doc = await this.redis.getJson<InfoDocument>(key);
      if (doc) return { doc, resolvedHere: false };
      if (Date.now() > deadline) throw new AppError('upstream_failed', 'Resolving the URL took too long');
    }
  }

  private cacheKey(url: URL): string {
    return this.redis.key('info', createHash('sha256').update(normalizeUrl(url)).digest('hex'));
  }

  /** Runs yt-dlp -J (through the egress proxy when private networks are off) and normalizes. */
  async resolve(url: string): Promise<InfoDocument> {
    const session = await this.egress.open();
    try {
      const args = infoArgs(url, {
        proxy: session?.proxyUrl,
        maxDurationSeconds: this.config.limits.maxDurationSeconds,
        maxEntries: MAX_PLAYLIST_ENTRIES,
      });
      const res = await this.ytdlp.run(args, { timeoutMs: RESOLVE_TIMEOUT_MS });
      if (session?.denied.length) throw new AppError('url_not_allowed', 'The URL led to a private or reserved network address');
      if (res.timedOut) throw new AppError('upstream_failed', 'Resolving the URL took too long');
      let raw: Record<string, unknown> | null = null;
      try {
        raw = res.stdout.trim() ? (JSON.parse(res.stdout) as Record<string, unknown>) : null;
      } catch {
        raw = null;
      }
      if (!raw) {
        const classified = classifyYtdlpError(res.stderr);
        this.logger.debug(`yt-dlp -J failed (${classified.code}): ${lastErrorLine(res.stderr)}`);
        throw new AppError(classified.code, classified.message);
      }
      return await this.normalize(raw, session?.proxyUrl, new Semaphore(PROBES_AT_ONCE));
    } finally {
      session?.close();
    }
  }

  /** One document; `probes` bounds the ffprobe runs of the whole request (a page of 25 entries × 6 formats). */
  private async normalize(raw: Record<string, unknown>, proxy: string | undefined, probes: Semaphore): Promise<InfoDocument> {
    if (raw._type === 'playlist' && Array.isArray(raw.entries)) {
      const entries = (raw.entries as Array<Record<string, unknown> | null>).filter((e): e is Record<string, unknown> => !!e);
      if (entries.length === 1) return this.normalize(entries[0]!, proxy, probes);
      if (entries.length === 0) throw new AppError('media_unavailable', 'The page has no playable media');
      const first = normalizeInfo(raw);
      return {
        type: 'playlist',
        id: first.id,
        title: first.title,
        platform: first.platform,
        webpage_url: first.webpage_url,
        entries: await Promise.all(entries.map((e) => this.normalize(e, proxy, probes))),
      };
    }
    const info = normalizeInfo(raw);
    await Promise.all(
      formatsToProbe(info, MAX_PROBES).map((format) =>
        probes.run(async () => {
          // ffmpeg's hls demuxer would open whatever a playlist names with the protocols HTTPS
          // needs (tcp, tls), past the egress proxy: HLS is read here instead, as text.
          if (/^m3u8/.test(format.protocol ?? '')) {
            const playlist = await this.http.text(format.url!, { maxBytes: 1024 * 1024, timeoutMs: 15_000 });
            info.duration ??= playlist ? hlsDuration(playlist) : null;
            return;
          }
          const probe = await this.ffmpeg.probe(format.url!, { proxy, timeoutMs: 15_000 });
          if (probe) applyProbe(info, format, probe);
        }),
      ),
    );
    // After the probes: yt-dlp leaves the duration of direct files, HLS and DASH unknown.
    if (info.duration !== null && info.duration > this.config.limits.maxDurationSeconds) {
      throw new AppError('media_too_long', `The media is longer than ${this.config.limits.maxDurationSeconds} s`);
    }
    for (const f of info.formats) delete f.url;
    return { type: 'video', ...info, estimated_credits: estimateCredits(this.config.prices) };
  }
}
