// Every call goes through the client generated from openapi.json: the dashboard uses the public
// API and nothing else, and a contract change that breaks a page fails its type check.
import { client, followJob, getJob, type CreateUploadData, type JobDto, type JobEventDto, type ProblemDto, type UploadDto } from '../../clients/typescript/src/index.js';
import { getKey } from './session';

export * from '../../clients/typescript/src/index.js';

client.setConfig({ baseUrl: location.origin });
client.interceptors.request.use((request) => {
  const key = getKey();
  if (key) request.headers.set('authorization', `Bearer ${key}`);
  return request;
});

/** Fired when the API refuses the key (revoked meanwhile, or not a key at all): the app signs out. */
export const KEY_REFUSED = 'mediary:key-refused';

client.interceptors.response.use((response) => {
  if (response.status === 401 && getKey()) dispatchEvent(new Event(KEY_REFUSED));
  return response;
});

/** An answer that was not a success, with its problem (RFC 9457) — or why no answer came. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Partial<ProblemDto>,
  ) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
    this.name = 'ApiError';
  }

  get code(): ProblemDto['code'] | undefined {
    return this.problem.code;
  }
}

function problemOf(status: number, body: unknown): ApiError {
  if (body && typeof body === 'object' && 'detail' in body) return new ApiError(status, body as Partial<ProblemDto>);
  return new ApiError(status, { status, detail: status ? `The API answered ${status}` : 'The API could not be reached' });
}

/** The data of a generated SDK call; an ApiError carrying the problem otherwise. */
export async function ok<R extends { data?: unknown; error?: unknown; response?: Response }>(call: Promise<R>): Promise<NonNullable<R['data']>> {
  let res: R;
  try {
    res = await call;
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, { detail: `The API could not be reached (${(err as Error).message})` });
  }
  if (res.error !== undefined || !res.response?.ok) throw problemOf(res.response?.status ?? 0, res.error);
  return res.data as NonNullable<R['data']>;
}

/**
 * POST /v1/uploads with upload progress (fetch cannot report it): the same multipart request the
 * SDK's createUpload sends, typed by it.
 */
export function uploadFile(body: CreateUploadData['body'], onProgress: (fraction: number) => void, signal?: AbortSignal): Promise<UploadDto> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `${location.origin}/v1/uploads`);
    const key = getKey();
    if (key) xhr.setRequestHeader('authorization', `Bearer ${key}`);
    xhr.responseType = 'json';
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () => (xhr.status >= 200 && xhr.status < 300 ? resolve(xhr.response as UploadDto) : reject(problemOf(xhr.status, xhr.response)));
    xhr.onerror = () => reject(problemOf(0, null));
    signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.onabort = () => reject(new DOMException('Upload canceled', 'AbortError'));
    const form = new FormData();
    form.append('file', body.file);
    xhr.send(form);
  });
}

export const ENDED: ReadonlySet<JobDto['status']> = new Set(['completed', 'failed', 'canceled']);

export interface JobUpdate extends JobEventDto {
  /** The whole job, once it has ended. */
  job?: JobDto;
}

// A browser opens at most six HTTP/1.1 connections to one origin, and each event stream keeps
// one: a few jobs are followed live, the others by polling, so the page's own calls never wait.
const MAX_STREAMS = 3;
const POLL_MS = 3000;
let openStreams = 0;

const pause = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

/**
 * Follows a job until it ends: its Server-Sent Events (GET /v1/jobs/{id}/events, read with fetch
 * because EventSource cannot send the key), or GET /v1/jobs/{id} every 3 s when too many streams
 * are open or the stream breaks. Returns a function that stops following.
 */
export function watchJob(id: string, onUpdate: (update: JobUpdate) => void): () => void {
  const stop = new AbortController();
  const { signal } = stop;
  void (async () => {
    if (openStreams < MAX_STREAMS) {
      openStreams++;
      try {
        const { stream } = await followJob({ path: { id }, signal, sseMaxRetryAttempts: 2 });
        for await (const event of stream) {
          if (signal.aborted) return;
          onUpdate(event);
          if (event.job && ENDED.has(event.job.status)) return;
        }
      } catch {
        // Polling below takes over.
      } finally {
        openStreams--;
      }
    }
    while (!signal.aborted) {
      const { data, response } = await getJob({ path: { id }, signal }).catch(() => ({ data: undefined, response: undefined }));
      if (signal.aborted) return;
      // Gone, not ours, or a key without the scope: asking again will not help (429 and 5xx will).
      if (!data && response && response.status >= 400 && response.status < 500 && response.status !== 429) return;
      if (data) {
        onUpdate({ status: data.status, progress: data.progress, ...(ENDED.has(data.status) ? { job: data } : {}) });
        if (ENDED.has(data.status)) return;
      }
      await pause(POLL_MS, signal);
    }
  })();
  return () => stop.abort();
}
