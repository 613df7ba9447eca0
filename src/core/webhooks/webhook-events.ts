export const WEBHOOK_EVENTS = ['job.completed', 'job.failed', 'job.progress', 'batch.completed'] as const;

export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** What an endpoint receives when it does not choose: everything but the chatty progress. */
export const DEFAULT_WEBHOOK_EVENTS: WebhookEvent[] = ['job.completed', 'job.failed', 'batch.completed'];
