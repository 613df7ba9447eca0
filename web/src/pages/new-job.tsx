import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import {
  createComments,
  createDownload,
  createFingerprint,
  createInfo,
  createPreview,
  createTranscription,
  createTranslation,
  getJob,
  ok,
  uploadFile,
  type DownloadRequestDto,
  type InfoResponseDto,
  type JobDto,
  type PreviewRequestDto,
  type TranscribeRequestDto,
  type UploadDto,
} from '../api';
import { Link, navigate } from '../router';
import { Button, formatBytes, formatCredits, formatSeconds, Problem, ProgressBar, Status, useAction, useLiveJob } from '../ui';

const KINDS = ['download', 'transcribe', 'translate', 'preview', 'fingerprint', 'comments'] as const;
type Kind = (typeof KINDS)[number];

const REENCODED_FORMATS = new Set(['mp3', 'wav', 'ogg', 'opus', 'flac']);
const DOWNLOAD_FORMATS = ['mp4', 'webm', 'mkv', 'mov', 'mp3', 'm4a', 'wav', 'ogg', 'opus', 'flac'] as const;
const PREVIEW_FORMATS: Record<PreviewRequestDto['type'], Array<NonNullable<PreviewRequestDto['format']>>> = {
  thumbnail: ['jpg', 'png', 'webp'],
  gif: ['gif', 'webp', 'mp4'],
  mosaic: ['jpg', 'png', 'webp'],
  clip: ['mp4', 'webm'],
  storyboard: ['jpg', 'webp'],
  waveform: ['png', 'svg'],
};

/** What the form asks about, as strings, the way inputs hold them. */
type Fields = Record<string, string>;
const num = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : Number(v));

type Source = { url: string } | { upload_id: string } | { transcript_job_id: string };

/** The price of the request the form describes, from /v1/info's estimated_credits. */
function priceOf(kind: Kind, f: Fields, estimates: Record<string, number>): number | undefined {
  switch (kind) {
    case 'download': {
      const reencode = Boolean(f.trim_start || f.trim_end) || REENCODED_FORMATS.has(f.format ?? '');
      return estimates[reencode ? 'download_reencode' : 'download'];
    }
    case 'comments':
      return estimates.comments === undefined ? undefined : estimates.comments * Math.max(1, Math.ceil((num(f.max_comments) ?? 1000) / 1000));
    case 'transcribe':
    case 'translate':
    case 'preview':
    case 'fingerprint':
      return estimates[kind];
  }
}

async function submit(kind: Kind, source: Source, f: Fields): Promise<{ job_id: string; credits_charged: number }> {
  switch (kind) {
    case 'download': {
      const body: DownloadRequestDto = {
        ...source,
        format: (f.format || undefined) as DownloadRequestDto['format'],
        quality: f.quality || undefined,
        include_thumbnail: f.include_thumbnail === 'on' || undefined,
        trim: f.trim_start || f.trim_end ? { start: num(f.trim_start) ?? 0, end: num(f.trim_end)! } : undefined,
      } as DownloadRequestDto;
      return ok(createDownload({ body }));
    }
    case 'transcribe': {
      const body = {
        ...source,
        language: f.language || undefined,
        source: (f.source || undefined) as TranscribeRequestDto['source'],
        format: (f.format || undefined) as TranscribeRequestDto['format'],
        timestamps: (f.timestamps || undefined) as TranscribeRequestDto['timestamps'],
      } as TranscribeRequestDto;
      return ok(createTranscription({ body }));
    }
    case 'translate':
      return ok(createTranslation({ body: { ...source, target_language: f.target_language ?? '', source_language: f.source_language || undefined } }));
    case 'preview': {
      const type = (f.type || 'thumbnail') as PreviewRequestDto['type'];
      const body: PreviewRequestDto = {
        ...(source as { url: string }),
        type,
        format: (f.format || undefined) as PreviewRequestDto['format'],
        width: num(f.width),
        ...(type === 'thumbnail' ? { timestamp: num(f.timestamp) } : {}),
        ...(type === 'gif' || type === 'clip' ? { start: num(f.start), duration: num(f.duration) } : {}),
        ...(type === 'mosaic' ? { columns: num(f.columns), rows: num(f.rows) } : {}),
      };
      return ok(createPreview({ body }));
    }
    case 'fingerprint':
      return ok(createFingerprint({ body: source as { url: string } }));
    case 'comments':
      if (!('url' in source)) throw new Error('Comments are read from a page URL');
      return ok(
        createComments({ body: { url: source.url, max_comments: num(f.max_comments), sort: (f.sort || undefined) as 'top' | 'new' | undefined, include_replies: f.include_replies !== 'off' } }),
      );
  }
}

function Field({ label, children, hint }: { label: string; children: ComponentChildren; hint?: string }) {
  return (
    <label class="field">
      <span>{label}</span>
      {children}
      {hint ? <small class="muted">{hint}</small> : null}
    </label>
  );
}

type SourceMode = 'url' | 'file' | 'transcript';

/** The ways a kind of job can be given its media. */
function modesOf(kind: Kind): Array<[SourceMode, string]> {
  const modes: Array<[SourceMode, string]> = [['url', 'A URL']];
  if (kind !== 'comments') modes.push(['file', 'A file of mine']);
  if (kind === 'translate') modes.push(['transcript', 'A transcription job']);
  return modes;
}

/** Where the media comes from: a URL, a file uploaded now (with its progress), or a transcript job. */
function SourcePicker({ kind, mode, setMode, url, setUrl, upload, setUpload, transcriptJob, setTranscriptJob }: {
  kind: Kind;
  mode: SourceMode;
  setMode: (m: SourceMode) => void;
  url: string;
  setUrl: (v: string) => void;
  upload?: UploadDto;
  setUpload: (u?: UploadDto) => void;
  transcriptJob: string;
  setTranscriptJob: (v: string) => void;
}) {
  const [progress, setProgress] = useState<number>();
  const action = useAction();
  const modes = modesOf(kind);
  const pick = (file: File) =>
    void action.run(async () => {
      setUpload(undefined);
      setProgress(0);
      try {
        setUpload(await uploadFile({ file }, setProgress));
      } finally {
        setProgress(undefined);
      }
    });
  return (
    <fieldset>
      <legend>Source</legend>
      {modes.length > 1 ? (
        <div class="segmented" role="radiogroup">
          {modes.map(([m, label]) => (
            <label key={m}>
              <input type="radio" name="source-mode" checked={mode === m} onChange={() => setMode(m)} /> {label}
            </label>
          ))}
        </div>
      ) : null}
      {mode === 'url' ? (
        <Field label="Page or media URL">
          <input name="url" type="url" required placeholder="https://www.youtube.com/watch?v=…" value={url} onInput={(e) => setUrl(e.currentTarget.value)} />
        </Field>
      ) : mode === 'file' ? (
        <Field label="Audio or video file" hint="Uploads are free and expire with the outputs.">
          <input name="file" type="file" accept="audio/*,video/*" onChange={(e) => e.currentTarget.files?.[0] && pick(e.currentTarget.files[0])} />
          {progress !== undefined ? <ProgressBar value={progress * 100} label="Upload progress" /> : null}
          {upload ? (
            <span class="ok" data-testid="uploaded">
              Uploaded {upload.filename} ({formatBytes(upload.size)}
              {upload.duration !== null ? `, ${formatSeconds(upload.duration)}` : ''})
            </span>
          ) : null}
          <Problem error={action.error} />
        </Field>
      ) : (
        <Field label="Transcription job id">
          <input name="transcript_job_id" required value={transcriptJob} onInput={(e) => setTranscriptJob(e.currentTarget.value)} />
        </Field>
      )}
    </fieldset>
  );
}

function Options({ kind, f, set }: { kind: Kind; f: Fields; set: (name: string, value: string) => void }) {
  const text = (name: string, props: Record<string, unknown> = {}) => <input name={name} value={f[name] ?? ''} onInput={(e) => set(name, e.currentTarget.value)} {...props} />;
  const select = (name: string, options: readonly string[], empty = 'default') => (
    <select name={name} value={f[name] ?? ''} onChange={(e) => set(name, e.currentTarget.value)}>
      <option value="">{empty}</option>
      {options.map((o) => (
        <option key={o}>{o}</option>
      ))}
    </select>
  );
  const number = (name: string, props: Record<string, unknown> = {}) => text(name, { type: 'number', step: 'any', min: 0, ...props });
  switch (kind) {
    case 'download':
      return (
        <div class="fields">
          <Field label="Format">{select('format', DOWNLOAD_FORMATS, 'as the source (mp4)')}</Field>
          <Field label="Quality" hint="best, worst, 720p…, or 128k for audio">
            {text('quality', { placeholder: 'best' })}
          </Field>
          <Field label="Trim from (s)">{number('trim_start')}</Field>
          <Field label="Trim to (s)">{number('trim_end')}</Field>
          <label class="check">
            <input type="checkbox" checked={f.include_thumbnail === 'on'} onChange={(e) => set('include_thumbnail', e.currentTarget.checked ? 'on' : '')} /> Also the thumbnail
          </label>
        </div>
      );
    case 'transcribe':
      return (
        <div class="fields">
          <Field label="Language" hint="e.g. en; default: detected">
            {text('language')}
          </Field>
          <Field label="Source">{select('source', ['auto', 'captions', 'asr'])}</Field>
          <Field label="File format">{select('format', ['json', 'srt', 'vtt', 'txt'])}</Field>
          <Field label="Timestamps">{select('timestamps', ['segment', 'word'])}</Field>
        </div>
      );
    case 'translate':
      return (
        <div class="fields">
          <Field label="Into (language)">{text('target_language', { required: true, placeholder: 'es' })}</Field>
          <Field label="From (language)" hint="default: detected">
            {text('source_language')}
          </Field>
        </div>
      );
    case 'preview': {
      const type = (f.type || 'thumbnail') as PreviewRequestDto['type'];
      return (
        <div class="fields">
          <Field label="Type">{select('type', Object.keys(PREVIEW_FORMATS), 'thumbnail')}</Field>
          <Field label="Format">{select('format', PREVIEW_FORMATS[type])}</Field>
          <Field label="Width (px)">{number('width', { step: 1 })}</Field>
          {type === 'thumbnail' ? <Field label="At (s)">{number('timestamp')}</Field> : null}
          {type === 'gif' || type === 'clip' ? (
            <>
              <Field label="Start (s)">{number('start')}</Field>
              <Field label="Duration (s)">{number('duration')}</Field>
            </>
          ) : null}
          {type === 'mosaic' ? (
            <>
              <Field label="Columns">{number('columns', { step: 1, min: 1 })}</Field>
              <Field label="Rows">{number('rows', { step: 1, min: 1 })}</Field>
            </>
          ) : null}
        </div>
      );
    }
    case 'fingerprint':
      return <p class="muted">Per-second video hashes and the audio’s Chromaprint, kept in your library for compare and search.</p>;
    case 'comments':
      return (
        <div class="fields">
          <Field label="At most (comments)">{number('max_comments', { step: 1, min: 1, placeholder: '1000' })}</Field>
          <Field label="Order">{select('sort', ['top', 'new'])}</Field>
          <label class="check">
            <input type="checkbox" checked={f.include_replies !== 'off'} onChange={(e) => set('include_replies', e.currentTarget.checked ? '' : 'off')} /> Replies
          </label>
        </div>
      );
  }
}

/** A job just submitted, followed live until it ends. */
function Submitted({ job: accepted, charged }: { job: JobDto; charged: number }) {
  const { job, live } = useLiveJob(accepted);
  return (
    <div class="card submitted" data-testid="submitted" data-job-id={job.id}>
      <p>
        Job <Link to={`/jobs/${job.id}`}>{job.id}</Link> accepted, {formatCredits(charged)} charged. <Status status={job.status} />
      </p>
      <div class="row">
        <ProgressBar value={job.progress} label="Job progress" />
        {live?.speed_bps ? <span class="muted">{formatBytes(live.speed_bps)}/s</span> : null}
      </div>
      {job.error ? <Problem error={new Error(`${job.error.code}: ${job.error.message}`)} /> : null}
      {job.status === 'completed' ? <Button onClick={() => navigate(`/jobs/${job.id}`)}>Open the result</Button> : null}
    </div>
  );
}

export function NewJobPage({ kind: asked }: { kind: string | null }) {
  const kind: Kind = (KINDS as readonly string[]).includes(asked ?? '') ? (asked as Kind) : 'download';
  const [chosenMode, setMode] = useState<SourceMode>('url');
  // A mode this kind of job does not take falls back to a URL.
  const mode = modesOf(kind).some(([m]) => m === chosenMode) ? chosenMode : 'url';
  const [url, setUrl] = useState('');
  const [upload, setUpload] = useState<UploadDto>();
  const [transcriptJob, setTranscriptJob] = useState('');
  const [fields, setFields] = useState<Record<Kind, Fields>>({ download: {}, transcribe: {}, translate: {}, preview: {}, fingerprint: {}, comments: {} });
  const [info, setInfo] = useState<InfoResponseDto>();
  const [submitted, setSubmitted] = useState<{ job: JobDto; charged: number }>();
  const priceCheck = useAction();
  const sending = useAction();
  const f = fields[kind];
  const set = (name: string, value: string) => setFields({ ...fields, [kind]: { ...f, [name]: value } });
  const source = (): Source => {
    if (mode === 'transcript') return { transcript_job_id: transcriptJob.trim() };
    if (mode === 'url') return { url: url.trim() };
    if (!upload) throw new Error('Choose a file and wait for its upload first');
    return { upload_id: upload.upload_id };
  };
  const price = info?.estimated_credits ? priceOf(kind, f, info.estimated_credits) : undefined;
  const checkPrice = () => void priceCheck.run(async () => setInfo(await ok(createInfo({ body: { url: url.trim() } }))));
  const send = (e: Event) => {
    e.preventDefault();
    void sending.run(async () => {
      const accepted = await submit(kind, source(), f);
      setSubmitted({ job: await ok(getJob({ path: { id: accepted.job_id } })), charged: accepted.credits_charged });
    });
  };
  return (
    <section>
      <h1>New job</h1>
      <nav class="tabs" aria-label="Operation">
        {KINDS.map((k) => (
          <Link key={k} to={`/new?type=${k}`} aria-current={k === kind ? 'page' : undefined}>
            {k}
          </Link>
        ))}
      </nav>
      <form class="card" onSubmit={send}>
        <SourcePicker kind={kind} mode={mode} setMode={(m) => (setMode(m), setInfo(undefined))} url={url} setUrl={(v) => (setUrl(v), setInfo(undefined))} upload={upload} setUpload={setUpload} transcriptJob={transcriptJob} setTranscriptJob={setTranscriptJob} />
        <Options kind={kind} f={f} set={set} />
        <div class="price row" data-testid="price">
          {info ? (
            <span>
              <strong>{info.title ?? 'This media'}</strong>
              {info.duration ? ` (${formatSeconds(info.duration)})` : ''}: {price !== undefined ? <strong>{formatCredits(price)}</strong> : 'price unknown'}
              {kind === 'transcribe' ? <small class="muted"> with captions; speech recognition is 1 credit a started minute (at least 3)</small> : null}
            </span>
          ) : mode !== 'url' ? (
            <span class="muted">The price is shown in the answer (uploads and transcripts are not looked up).</span>
          ) : (
            <Button class="secondary" busy={priceCheck.busy} disabled={!url.trim()} onClick={checkPrice}>
              Show the price
            </Button>
          )}
          {!info && mode === 'url' ? <small class="muted">Looks the URL up with /v1/info: 1 credit, free when cached.</small> : null}
          <Problem error={priceCheck.error} />
        </div>
        <Button type="submit" busy={sending.busy}>
          Start {kind}
        </Button>
        <Problem error={sending.error} />
      </form>
      {submitted ? <Submitted key={submitted.job.id} job={submitted.job} charged={submitted.charged} /> : null}
    </section>
  );
}
