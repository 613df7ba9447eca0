import { Inject, Injectable } from '@nestjs/common';
import { createReadStream } from 'node:fs';
import OpenAI from 'openai';
import { CONFIG, type Config } from '../../config.js';
import { AppError } from '../../errors.js';
import { type Segment, type Word } from './speech-types.js';


/**
 * OpenAI, or any OpenAI-compatible server (OPENAI_BASE_URL): Whisper-style transcription and
 * chat completions. The SDK retries 429 and 5xx with exponential backoff (honouring Retry-After).
 */
@Injectable()
export class OpenAiRepository {
  private client: OpenAI | null = null;

  constructor(@Inject(CONFIG) private readonly config: Config) {}

  private get api(): OpenAI {
    const o = this.config.speech.openai;
    // A self-hosted server may need no key; the SDK insists on one, so any value does.
    this.client ??= new OpenAI({ apiKey: o.apiKey ?? 'not-needed', baseURL: o.baseUrl, maxRetries: 5, timeout: 15 * 60_000 });
    return this.client;
  }

  /**
   * One file (under the upload limit) → segments with times relative to the file, words
   * inside. 429 and 5xx are retried here with backoff (honouring Retry-After), with a fresh
   * file stream each time: the SDK cannot replay a stream it has consumed.
   */
  async transcribe(file: string, opts: { language?: string; words: boolean; signal?: AbortSignal }): Promise<{ language: string | null; duration: number | null; segments: Segment[] }> {
    try {
      const res = await this.withRetries(
        () =>
          this.api.audio.transcriptions.create(
            {
              file: createReadStream(file),
              model: this.config.speech.openai.model,
              response_format: 'verbose_json',
              timestamp_granularities: opts.words ? ['word', 'segment'] : ['segment'],
              ...(opts.language ? { language: opts.language } : {}),
            },
            { signal: opts.signal, maxRetries: 0 },
          ) as unknown as Promise<VerboseTranscription>,
        opts.signal,
      );
      const words: Word[] = (res.words ?? []).map((w) => ({ word: w.word.trim(), start: w.start, end: w.end }));
      const segments: Segment[] = (res.segments ?? []).map((s) => {
        const inside = words.filter((w) => w.start >= s.start - 0.01 && w.end <= s.end + 0.01);
        return { start: s.start, end: s.end, text: s.text.trim(), ...(opts.words ? { words: inside } : {}) };
      });
      if (segments.length === 0 && res.text?.trim()) segments.push({ start: 0, end: res.duration ?? 0, text: res.text.trim() });
      return { language: res.language ?? null, duration: res.duration ?? null, segments };
    } catch (err) {
      throw this.translateError(err);
    }
  }

  async chat(messages: Array<{ role: 'system' | 'user'; content: string }>, signal?: AbortSignal): Promise<string> {
    try {
      const res = await this.api.chat.completions.create(
        { model: this.config.speech.openai.chatModel, messages, temperature: 0, response_format: { type: 'json_object' } },
        { signal },
      );
      return res.choices[0]?.message?.content ?? '';
    } catch (err) {
      throw this.translateError(err);
    }
  }

  private async withRetries<T>(request: () => Promise<T>, signal?: AbortSignal, attempts = 6): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await request();
      } catch (err) {
        const status = err instanceof OpenAI.APIError ? err.status : undefined;
        const retryable = err instanceof OpenAI.APIConnectionError || status === 429 || (status !== undefined && status >= 500);
        if (!retryable || attempt >= attempts || signal?.aborted) throw err;
        await new Promise((r) => setTimeout(r, retryDelayMs(err, attempt)));
      }
    }
  }

  /** 4xx other than 429 will not get better by retrying; the rest are the server's trouble. */
  private translateError(err: unknown): Error {
    if (err instanceof OpenAI.APIError && err.status && err.status >= 400 && err.status < 500 && err.status !== 429) {
      return new AppError('upstream_failed', `The speech/translation server refused the request (${err.status})`);
    }
    return err instanceof Error ? err : new Error(String(err));
  }
}

interface VerboseTranscription {
  text?: string;
  language?: string;
  duration?: number;
  segments?: Array<{ start: number; end: number; text: string }>;
  words?: Array<{ word: string; start: number; end: number }>;
}

/** Retry-After (ms or s) when the server gives one, else exponential backoff with jitter, ≤ 30 s. */
function retryDelayMs(err: unknown, attempt: number): number {
  const headers = err instanceof OpenAI.APIError ? err.headers : undefined;
  const get = (name: string) => (headers instanceof Headers ? headers.get(name) : (headers as Record<string, string> | undefined)?.[name]);
  const ms = Number(get('retry-after-ms'));
  if (Number.isFinite(ms) && ms >= 0 && get('retry-after-ms') !== null && get('retry-after-ms') !== undefined) return Math.min(ms, 60_000);
  const seconds = Number(get('retry-after'));
  if (get('retry-after') && Number.isFinite(seconds)) return Math.min(seconds * 1000, 60_000);
  return Math.min(30_000, 500 * 2 ** (attempt - 1)) * (0.75 + Math.random() * 0.5);
}
