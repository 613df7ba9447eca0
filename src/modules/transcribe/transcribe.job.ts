import type { Segment } from '../../platform/tools/speech-types.js';
import type { TranscriptFormat } from './transcript-formats.js';

/** A transcript as stored and returned: timed segments (and words when asked) in one language. */
export interface Transcript {
  language: string;
  source: 'captions' | 'asr';
  provider: string;
  duration: number | null;
  /**
   * Where speech recognition stopped (seconds), when the media was longer than the credits
   * reserved for it and the account could not pay the rest; null or absent when it was all heard.
   */
  truncated_at?: number | null;
  text: string;
  segments: Segment[];
}

/** Decided at submit, followed by the worker: what the job does and what it reserved. */
export interface TranscribePlan {
  mode: 'captions' | 'asr';
  language: string;
  kind?: 'manual' | 'auto';
  /** Who makes the transcript: `captions`, or the speech provider. */
  provider: string;
  source_key: string;
  duration: number | null;
}

/** What POST /v1/transcribe accepts. */
export interface TranscribeRequest {
  url?: string;
  upload_id?: string;
  language?: string;
  source?: 'auto' | 'captions' | 'asr';
  format?: TranscriptFormat;
  timestamps?: 'segment' | 'word';
  filename?: string;
  webhook_url?: string;
  metadata?: Record<string, unknown>;
}

/** What a transcription job stores at submit: the request with its defaults, and the plan. */
export type TranscribeJobInput = TranscribeRequest & {
  source: 'auto' | 'captions' | 'asr';
  format: TranscriptFormat;
  timestamps: 'segment' | 'word';
  plan: TranscribePlan;
};

/** What a completed transcription reports (its transcript, the file aside). */
export type TranscribeJobResult = Transcript & {
  format: TranscriptFormat;
  /** The account already owned this transcript: nothing was made again, and it cost nothing. */
  reused: boolean;
  metadata: Record<string, unknown> | null;
};

declare module '../../core/jobs/job-types.js' {
  interface JobTypes {
    transcribe: { input: TranscribeJobInput; result: TranscribeJobResult };
  }
}
