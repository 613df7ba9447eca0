/**
 * The typed job union. Each operation module declares its job type by augmenting `JobTypes`
 * with the input it stores at submit and the result its handler returns:
 *
 *   declare module '../../core/jobs/job-types.js' {
 *     interface JobTypes { download: { input: DownloadJobInput; result: DownloadJobResult } }
 *   }
 *
 * and lists the type in `JOB_TYPES` (the runtime list the boot check and the API filters use).
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by declaration merging
export interface JobTypes {}

export type JobType = keyof JobTypes & string;
export type JobInput<T extends JobType = JobType> = JobTypes[T] extends { input: infer I } ? I : never;
export type JobResult<T extends JobType = JobType> = JobTypes[T] extends { result: infer R } ? R : never;

export const JOB_TYPES = ['download', 'transcribe', 'translate', 'preview', 'fingerprint', 'comments'] as const satisfies readonly JobType[];

/** Compile-time check that every declared job type is listed in JOB_TYPES. */
type Unlisted = Exclude<JobType, (typeof JOB_TYPES)[number]>;
export const EVERY_JOB_TYPE_LISTED: [Unlisted] extends [never] ? true : Unlisted = true;

export const JOB_STATUSES = ['pending', 'processing', 'completed', 'failed', 'canceled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const TERMINAL_STATUSES: ReadonlySet<JobStatus> = new Set(['completed', 'failed', 'canceled']);
