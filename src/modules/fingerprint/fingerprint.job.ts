/** What POST /v1/fingerprint accepts. */
export interface FingerprintRequest {
  url?: string;
  upload_id?: string;
  webhook_url?: string;
  metadata?: Record<string, unknown>;
}

export type FingerprintJobInput = FingerprintRequest;

/** One perceptual hash per second of video (16 hex digits; null for a frame with no detail). */
export interface VideoFingerprint {
  algorithm: string;
  version: number;
  /** Seconds between hashed frames. */
  interval: number;
  hashes: Array<string | null>;
}

/** The audio's Chromaprint, raw (so it can be aligned): little-endian uint32 items, base64. */
export interface AudioFingerprint {
  algorithm: 'chromaprint';
  version: number;
  /** Seconds per item. */
  item_duration: number;
  fingerprint: string;
  duration: number;
}

export interface Fingerprint {
  duration: number | null;
  video: VideoFingerprint | null;
  audio: AudioFingerprint | null;
}

export type FingerprintJobResult = Fingerprint & { metadata: Record<string, unknown> | null };

declare module '../../core/jobs/job-types.js' {
  interface JobTypes {
    fingerprint: { input: FingerprintJobInput; result: FingerprintJobResult };
  }
}
