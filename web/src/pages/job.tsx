import { ENDED, getJob, ok, type JobDto, type JobUpdate } from '../api';
import { CommentThreads, FileList, FileView, FingerprintView, PreviewView, TranscriptView } from '../outputs';
import { Link } from '../router';
import { formatBytes, formatCredits, formatSeconds, Json, Loaded, ProgressBar, Status, Time, useLiveJob, useLoad } from '../ui';
import { CancelButton, jobSource } from './jobs';

export function JobPage({ id }: { id: string }) {
  const state = useLoad((signal) => ok(getJob({ path: { id }, signal })), [id]);
  return (
    <section>
      <p>
        <Link to="/jobs">← Jobs</Link>
      </p>
      <Loaded state={state}>{(job) => <JobView job={job} onChanged={state.setData} />}</Loaded>
    </section>
  );
}

function LiveNote({ live }: { live?: JobUpdate }) {
  if (!live) return null;
  const parts = [live.speed_bps ? `${formatBytes(live.speed_bps)}/s` : '', live.eta_seconds ? `${formatSeconds(live.eta_seconds)} left` : ''].filter(Boolean);
  return parts.length ? <span class="muted">{parts.join(' · ')}</span> : null;
}

function JobView({ job: loaded, onChanged }: { job: JobDto; onChanged: (job: JobDto) => void }) {
  const { job, live } = useLiveJob(loaded, onChanged);
  const running = !ENDED.has(job.status);
  const files = job.result?.files ?? [];
  return (
    <>
      <h1>
        {job.type} <code class="id">{job.id}</code> <Status status={job.status} />
      </h1>
      <p class="muted ellipsis">{jobSource(job)}</p>
      {running ? (
        <div class="row live" data-testid="live-progress">
          <ProgressBar value={job.progress} label="Job progress" />
          <LiveNote live={live} />
          <CancelButton job={job} onDone={onChanged} />
        </div>
      ) : null}
      <dl class="facts">
        <dt>Created</dt>
        <dd>
          <Time iso={job.created_at} />
        </dd>
        <dt>Started</dt>
        <dd>
          <Time iso={job.started_at} />
        </dd>
        <dt>Ended</dt>
        <dd>
          <Time iso={job.completed_at} />
        </dd>
        <dt>Credits</dt>
        <dd>
          {formatCredits(job.credits_charged)} charged{job.credits_refunded ? `, ${formatCredits(job.credits_refunded)} refunded` : ''}
        </dd>
        {job.platform ? (
          <>
            <dt>Platform</dt>
            <dd>{job.platform}</dd>
          </>
        ) : null}
      </dl>
      {job.error ? (
        <div class="problem" role="alert">
          <strong>{job.error.code}</strong>: {job.error.message}
        </div>
      ) : null}
      {job.status === 'completed' && job.result ? (
        <div class="card">
          <h2>Result</h2>
          <Result job={job} />
          {files.length ? (
            <>
              <h3>Files</h3>
              <FileList files={files} />
              <CancelButton job={job} onDone={onChanged} label="Delete the outputs" />
            </>
          ) : (
            <p class="muted">The outputs were deleted.</p>
          )}
        </div>
      ) : null}
      <details class="card">
        <summary>Input</summary>
        <Json value={job.input} />
      </details>
    </>
  );
}

function Result({ job }: { job: JobDto }) {
  switch (job.type) {
    case 'download': {
      const r = job.result!;
      const media = r.files.filter((f) => f.kind === 'media');
      const pictures = r.files.filter((f) => f.kind === 'thumbnail');
      return (
        <>
          <p>
            {r.title ?? 'Untitled'} · {r.format}
            {r.width ? ` · ${r.width}×${r.height}` : ''}
            {r.duration !== null ? ` · ${formatSeconds(r.duration)}` : ''} · {formatBytes(r.size)}
          </p>
          {media.map((f) => (
            <FileView key={f.filename} file={f} />
          ))}
          {pictures.map((f) => (
            <FileView key={f.filename} file={f} />
          ))}
        </>
      );
    }
    case 'transcribe':
    case 'translate': {
      const r = job.result!;
      return (
        <>
          <p class="muted">
            {r.source === 'asr' ? `speech recognition (${r.provider})` : 'captions'}
            {r.duration !== null ? ` · ${formatSeconds(r.duration)}` : ''}
            {r.truncated_at ? ` · stops at ${formatSeconds(r.truncated_at)} (the rest was not paid for)` : ''}
          </p>
          <TranscriptView jobId={job.id} segments={r.segments} language={r.language} />
        </>
      );
    }
    case 'preview':
      return <PreviewView result={job.result!} />;
    case 'fingerprint':
      return <FingerprintView job={job} />;
    case 'comments': {
      const r = job.result!;
      return (
        <>
          <p class="muted">
            {r.returned.toLocaleString()} comments in {r.threads.toLocaleString()} threads ({r.sort})
            {r.comment_count !== null ? ` of ${r.comment_count.toLocaleString()} on the site` : ''}
          </p>
          {r.comments_available ? <CommentThreads jobId={job.id} /> : <p class="muted">This media has no comments to read.</p>}
        </>
      );
    }
  }
}
