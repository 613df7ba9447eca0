export const JOB_TYPES = ['download', 'transcribe', 'translate'] as const;
export type JobType = (typeof JOB_TYPES)[number];

export const JOB_STATUSES = ['pending', 'processing', 'completed', 'failed', 'canceled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const TERMINAL_STATUSES: ReadonlySet<JobStatus> = new Set(['completed', 'failed', 'canceled']);

/** BullMQ queues. Media work runs on `media`; later queues (webhooks) get their own. */
export enum QueueName {
  Media = 'media',
  Webhooks = 'webhooks',
}

export const WEBHOOK_EVENTS = ['job.completed', 'job.failed', 'job.progress', 'batch.completed'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];
/** What an endpoint receives when it does not choose: everything but the chatty progress. */
export const DEFAULT_WEBHOOK_EVENTS: WebhookEvent[] = ['job.completed', 'job.failed', 'batch.completed'];

export const DOWNLOAD_FORMATS = ['mp4', 'webm', 'mkv', 'mov', 'mp3', 'm4a', 'wav', 'ogg', 'opus', 'flac'] as const;
export type DownloadFormat = (typeof DOWNLOAD_FORMATS)[number];
export const AUDIO_FORMATS: ReadonlySet<DownloadFormat> = new Set(['mp3', 'm4a', 'wav', 'ogg', 'opus', 'flac']);
