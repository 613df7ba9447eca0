import { useState } from 'preact/hooks';
import { cancelJob, ENDED, listJobs, ok, type JobDto, type ListJobsData } from '../api';
import { Link } from '../router';
import { Button, Loaded, Pager, Problem, ProgressBar, Status, Time, useAction, useLiveJob, useLoad, usePages } from '../ui';

type Filters = NonNullable<ListJobsData['query']>;
const STATUSES: Array<NonNullable<Filters['status']>> = ['pending', 'processing', 'completed', 'failed', 'canceled'];
const TYPES: Array<NonNullable<Filters['type']>> = ['download', 'transcribe', 'translate', 'preview', 'fingerprint', 'comments'];

/** What a job was asked to work on, in a few words. */
export function jobSource(job: JobDto): string {
  const input = job.input as { url?: string; upload_id?: string; transcript_job_id?: string; type?: string };
  const what = input.url ?? (input.upload_id ? `upload ${input.upload_id.slice(0, 8)}` : input.transcript_job_id ? `transcript of ${input.transcript_job_id.slice(0, 8)}` : '');
  return job.type === 'preview' && input.type ? `${input.type} · ${what}` : what;
}

export function CancelButton({ job, onDone, label }: { job: JobDto; onDone: (job: JobDto) => void; label?: string }) {
  const action = useAction();
  return (
    <span class="inline-action">
      <Button class="danger small" busy={action.busy} onClick={() => void action.run(async () => onDone(await ok(cancelJob({ path: { id: job.id } }))))}>
        {label ?? 'Cancel'}
      </Button>
      <Problem error={action.error} />
    </span>
  );
}

function JobRow({ job: listed, onChanged }: { job: JobDto; onChanged: () => void }) {
  // What canceling returned, until the list is read again.
  const [canceled, setCanceled] = useState<JobDto>();
  const { job, live } = useLiveJob(canceled ?? listed);
  const running = !ENDED.has(job.status);
  return (
    <tr data-job-id={job.id}>
      <td>
        <Link to={`/jobs/${job.id}`}>
          <code>{job.id.slice(0, 8)}</code>
        </Link>
      </td>
      <td>{job.type}</td>
      <td class="ellipsis" title={jobSource(job)}>
        {jobSource(job)}
      </td>
      <td>
        <Status status={job.status} />
      </td>
      <td>
        {running ? <ProgressBar value={job.progress} label={`Progress of job ${job.id}`} /> : null}
        {running && live?.speed_bps ? <small class="muted"> {(live.speed_bps / 1e6).toFixed(1)} MB/s</small> : null}
      </td>
      <td class="num">{job.credits_charged - job.credits_refunded}</td>
      <td>
        <Time iso={job.created_at} />
      </td>
      <td>
        {running ? (
          <CancelButton
            job={job}
            onDone={(j) => {
              setCanceled(j);
              onChanged();
            }}
          />
        ) : null}
      </td>
    </tr>
  );
}

export function JobsTable({ jobs, onChanged }: { jobs: JobDto[]; onChanged: () => void }) {
  if (!jobs.length) return <p class="muted">No jobs yet. <Link to="/new">Start one</Link>.</p>;
  return (
    <div class="table-wrap">
      <table class="jobs">
        <thead>
          <tr>
            <th>Job</th>
            <th>Type</th>
            <th>Source</th>
            <th>Status</th>
            <th>Progress</th>
            <th class="num">Credits</th>
            <th>Created</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {jobs.map((j) => (
            <JobRow key={j.id} job={j} onChanged={onChanged} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A date input's day as the start of that local day, or the start of the next one (for "until"). */
const dayStart = (value: string, next = false) => {
  const d = new Date(`${value}T00:00:00`);
  if (next) d.setDate(d.getDate() + 1);
  return d.toISOString();
};

export function JobsPage() {
  const [filters, setFilters] = useState<{ status: string; type: string; from: string; until: string }>({ status: '', type: '', from: '', until: '' });
  const pages = usePages();
  const { cursor } = pages;
  const page = useLoad(
    (signal) =>
      ok(
        listJobs({
          query: {
            limit: 25,
            cursor,
            status: (filters.status || undefined) as Filters['status'],
            type: (filters.type || undefined) as Filters['type'],
            created_after: filters.from ? dayStart(filters.from) : undefined,
            created_before: filters.until ? dayStart(filters.until, true) : undefined,
          },
          signal,
        }),
      ),
    [cursor, filters.status, filters.type, filters.from, filters.until],
  );
  const set = (patch: Partial<typeof filters>) => {
    setFilters({ ...filters, ...patch });
    pages.first();
  };
  return (
    <section>
      <h1>
        Jobs <Link to="/new" class="button">New job</Link>
      </h1>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Status
          <select name="status" value={filters.status} onChange={(e) => set({ status: e.currentTarget.value })}>
            <option value="">any</option>
            {STATUSES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Type
          <select name="type" value={filters.type} onChange={(e) => set({ type: e.currentTarget.value })}>
            <option value="">any</option>
            {TYPES.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </label>
        <label>
          From
          <input type="date" name="from" value={filters.from} onChange={(e) => set({ from: e.currentTarget.value })} />
        </label>
        <label>
          Until
          <input type="date" name="until" value={filters.until} onChange={(e) => set({ until: e.currentTarget.value })} />
        </label>
        <Button class="secondary" busy={page.loading} onClick={page.reload}>
          Refresh
        </Button>
      </form>
      <Loaded state={page}>
        {(p) => (
          <>
            <JobsTable jobs={p.data} onChanged={page.reload} />
            <Pager pages={pages} next={p.next_cursor} />
          </>
        )}
      </Loaded>
    </section>
  );
}
