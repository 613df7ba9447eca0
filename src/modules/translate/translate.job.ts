import type { Transcript, TranscribeJobInput, TranscriptFormat } from '../transcribe/index.js';

/** What POST /v1/translate accepts. */
export interface TranslateRequest {
  url?: string;
  upload_id?: string;
  transcript_job_id?: string;
  target_language: string;
  source_language?: string;
  format?: TranscriptFormat;
  filename?: string;
  webhook_url?: string;
  metadata?: Record<string, unknown>;
}

/** What a translation job stores at submit. */
export type TranslateJobInput = TranslateRequest & {
  format: TranscriptFormat;
  provider: 'local' | 'openai';
  /** For a URL or upload: the transcription to run first. */
  transcription?: TranscribeJobInput;
};

/** The translated transcript: the source's segments and times, in the target language. */
export type TranslateJobResult = Transcript & {
  source_language: string;
  /** Who made the transcript that was translated. */
  transcript_provider: string;
  format: TranscriptFormat;
  metadata: Record<string, unknown> | null;
};

declare module '../../core/jobs/job-types.js' {
  interface JobTypes {
    translate: { input: TranslateJobInput; result: TranslateJobResult };
  }
}
