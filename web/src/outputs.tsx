import { useState } from 'preact/hooks';
import {
  compareFingerprints,
  getTranscript,
  listJobComments,
  listJobs,
  ok,
  type CommentDto,
  type CompareResponseDto,
  type FingerprintJobDto,
  type JobFileDto,
  type PreviewResultDto,
  type TranscriptSegmentDto,
} from './api';
import { Link } from './router';
import { Button, formatBytes, formatSeconds, Problem, Time, useAction, useLoad } from './ui';

/** One output file shown the way people look at it: a player, a picture, or a link. */
export function FileView({ file, loop }: { file: JobFileDto; loop?: boolean }) {
  const type = file.content_type.split(';')[0]!;
  if (type.startsWith('video/'))
    return loop ? (
      <video class="media" src={file.url} autoplay loop muted playsInline />
    ) : (
      <video class="media" src={file.url} controls preload="metadata" data-testid="player" />
    );
  if (type.startsWith('audio/')) return <audio class="media" src={file.url} controls preload="metadata" data-testid="player" />;
  if (type.startsWith('image/')) return <img class="picture" src={file.url} alt={file.filename} loading="lazy" />;
  return null;
}

export function FileList({ files }: { files: JobFileDto[] }) {
  if (!files.length) return <p class="muted">The outputs were deleted.</p>;
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th>File</th>
            <th>Kind</th>
            <th>Type</th>
            <th class="num">Size</th>
            <th>Link expires</th>
          </tr>
        </thead>
        <tbody>
          {files.map((f) => (
            <tr key={f.filename}>
              <td>
                <a href={f.url} download={f.filename}>
                  {f.filename}
                </a>
              </td>
              <td>{f.kind}</td>
              <td>{f.content_type}</td>
              <td class="num">{formatBytes(f.size)}</td>
              <td>
                <Time iso={f.expires_at} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Saves a response body the page fetched with the key (links that need auth cannot be plain <a href>). */
function saveBlob(blob: Blob, filename: string) {
  const url = URL.createObjectURL(blob);
  const a = Object.assign(document.createElement('a'), { href: url, download: filename });
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function TranscriptView({ jobId, segments, language }: { jobId: string; segments: TranscriptSegmentDto[]; language: string }) {
  const [filter, setFilter] = useState('');
  const action = useAction();
  const needle = filter.trim().toLowerCase();
  const shown = needle ? segments.filter((s) => s.text.toLowerCase().includes(needle)) : segments;
  const save = (format: 'srt' | 'vtt' | 'txt' | 'json') =>
    void action.run(async () => {
      // Served as a file in the asked format; the SDK's type describes only the JSON one.
      const body: unknown = await ok(getTranscript({ path: { id: jobId }, query: { format }, parseAs: 'blob' }));
      saveBlob(body as Blob, `transcript-${jobId.slice(0, 8)}.${format}`);
    });
  return (
    <div class="transcript">
      <div class="row">
        <input type="search" placeholder="Find in the transcript" value={filter} onInput={(e) => setFilter(e.currentTarget.value)} aria-label="Find in the transcript" />
        <span class="muted">
          {shown.length} of {segments.length} segments · {language}
        </span>
        <span class="spacer" />
        {(['srt', 'vtt', 'txt', 'json'] as const).map((f) => (
          <Button key={f} class="secondary small" busy={action.busy} onClick={() => save(f)}>
            .{f}
          </Button>
        ))}
      </div>
      <Problem error={action.error} />
      <ol class="segments" data-testid="transcript">
        {shown.map((s, i) => (
          <li key={i}>
            <span class="ts">
              {formatSeconds(s.start, 1)} → {formatSeconds(s.end, 1)}
            </span>
            <span>{s.words?.length ? s.words.map((w, j) => <span key={j} title={`${formatSeconds(w.start, 2)}`}>{w.word} </span>) : s.text}</span>
          </li>
        ))}
      </ol>
    </div>
  );
}

export function PreviewView({ result }: { result: PreviewResultDto }) {
  const loops = result.type === 'gif';
  return (
    <div class="preview">
      <p class="muted">
        {result.type} · {result.format}
        {result.width ? ` · ${result.width}×${result.height}` : ''}
        {result.timestamp !== undefined ? ` · at ${formatSeconds(result.timestamp, 2)}` : ''}
        {result.start !== undefined ? ` · from ${formatSeconds(result.start, 2)}` : ''}
        {result.duration !== undefined ? ` · ${result.duration.toFixed(1)} s` : ''}
        {result.frames !== undefined ? ` · ${result.frames} frames` : ''}
        {result.source.bytes_read ? ` · ${formatBytes(result.source.bytes_read)} of the source read` : ''}
      </p>
      <div class="gallery">
        {result.files.map((f) => (
          <figure key={f.filename}>
            <FileView file={f} loop={loops} />
            <figcaption>{f.filename}</figcaption>
          </figure>
        ))}
      </div>
      {result.timestamps?.length ? <p class="muted">Frames at {result.timestamps.map((t) => formatSeconds(t)).join(', ')}</p> : null}
      {result.peaks?.length ? <Peaks peaks={result.peaks} /> : null}
    </div>
  );
}

/** The waveform's peaks drawn as a bar row (one bar per few peaks), so they can be checked by eye. */
function Peaks({ peaks }: { peaks: number[] }) {
  const step = Math.max(1, Math.ceil(peaks.length / 200));
  const bars: number[] = [];
  for (let i = 0; i < peaks.length; i += step) bars.push(Math.max(...peaks.slice(i, i + step)));
  return (
    <svg class="peaks" viewBox={`0 0 ${bars.length} 100`} preserveAspectRatio="none" role="img" aria-label="Waveform peaks">
      {bars.map((p, i) => (
        <rect key={i} x={i + 0.1} width={0.8} y={50 - p * 50} height={Math.max(0.5, p * 100)} />
      ))}
    </svg>
  );
}

interface Thread {
  comment: CommentDto;
  replies: CommentDto[];
}

/** Comments in the job's order, grouped into threads: each reply under the thread it belongs to. */
function threadsOf(comments: CommentDto[]): Thread[] {
  const byId = new Map(comments.map((c) => [c.id, c]));
  const threads = new Map<string, Thread>();
  const rootOf = (c: CommentDto): string => {
    let at = c;
    for (let hops = 0; at.parent_id && byId.has(at.parent_id) && hops < 50; hops++) at = byId.get(at.parent_id)!;
    return at.id;
  };
  for (const c of comments) {
    const root = rootOf(c);
    if (root === c.id) threads.set(c.id, { comment: c, replies: threads.get(c.id)?.replies ?? [] });
    else {
      const t = threads.get(root) ?? { comment: byId.get(root)!, replies: [] };
      t.replies.push(c);
      threads.set(root, t);
    }
  }
  return [...threads.values()];
}

function Comment({ c }: { c: CommentDto }) {
  return (
    <div class="comment">
      <div class="meta">
        <strong>{c.author ?? 'unknown'}</strong>
        {c.by_uploader ? <span class="badge">uploader</span> : null}
        {c.pinned ? <span class="badge">pinned</span> : null}
        {c.hearted ? <span class="badge" title="Hearted by the uploader">♥</span> : null}
        <span class="muted">
          {c.likes.toLocaleString()} likes {c.timestamp ? <>· <Time iso={c.timestamp} /></> : null}
          {c.edited ? ' · edited' : ''}
        </span>
      </div>
      <p>{c.text}</p>
    </div>
  );
}

export function CommentThreads({ jobId }: { jobId: string }) {
  const [pages, setPages] = useState<CommentDto[]>([]);
  const [cursor, setCursor] = useState<string | null | undefined>(undefined);
  const more = useAction();
  const first = useLoad(async (signal) => {
    const page = await ok(listJobComments({ path: { id: jobId }, query: { limit: 200 }, signal }));
    setPages(page.data);
    setCursor(page.next_cursor);
    return page;
  }, [jobId]);
  const loadMore = () =>
    void more.run(async () => {
      const page = await ok(listJobComments({ path: { id: jobId }, query: { limit: 200, cursor: cursor ?? undefined } }));
      setPages([...pages, ...page.data]);
      setCursor(page.next_cursor);
    });
  if (first.error) return <Problem error={first.error} />;
  if (first.loading && !pages.length) return <p class="muted">Loading comments…</p>;
  const threads = threadsOf(pages);
  return (
    <div class="threads" data-testid="comments">
      {threads.map((t) => (
        <div class="thread" key={t.comment.id}>
          <Comment c={t.comment} />
          {t.replies.length ? (
            <div class="replies">
              {t.replies.map((r) => (
                <Comment key={r.id} c={r} />
              ))}
            </div>
          ) : null}
        </div>
      ))}
      {cursor ? (
        <Button class="secondary" busy={more.busy} onClick={loadMore}>
          More comments
        </Button>
      ) : null}
      <Problem error={more.error} />
    </div>
  );
}

const pct = (x: number) => `${Math.round(x * 100)}%`;

export function FingerprintView({ job }: { job: FingerprintJobDto }) {
  const r = job.result!;
  const [other, setOther] = useState('');
  const [comparison, setComparison] = useState<CompareResponseDto>();
  const action = useAction();
  const candidates = useLoad((signal) => ok(listJobs({ query: { type: 'fingerprint', status: 'completed', limit: 50 }, signal })), []);
  const compare = (e: Event) => {
    e.preventDefault();
    void action.run(async () => setComparison(await ok(compareFingerprints({ body: { a: job.id, b: other.trim() } }))));
  };
  const hashed = r.video?.hashes.filter((h) => h !== null).length ?? 0;
  return (
    <div>
      <p>
        {r.duration !== null ? `${r.duration.toFixed(1)} s · ` : ''}
        video: {r.video ? `${hashed} of ${r.video.hashes.length} seconds hashed (${r.video.algorithm})` : 'none'} · audio: {r.audio ? `${r.audio.algorithm}, ${r.audio.duration.toFixed(1)} s` : 'none'}
      </p>
      <form class="row" onSubmit={compare}>
        <label>
          Compare with
          <input list="fingerprint-jobs" placeholder="a fingerprint job id" value={other} onInput={(e) => setOther(e.currentTarget.value)} required />
        </label>
        <datalist id="fingerprint-jobs">
          {(candidates.data?.data ?? [])
            .filter((j) => j.id !== job.id)
            .map((j) => (
              <option key={j.id} value={j.id}>
                {String((j.input as { url?: string }).url ?? j.id)}
              </option>
            ))}
        </datalist>
        <Button type="submit" busy={action.busy}>
          Compare
        </Button>
      </form>
      <Problem error={action.error} />
      {comparison ? (
        <div class="comparison" data-testid="comparison">
          <p class="big">{pct(comparison.similarity)} similar</p>
          <p>
            Compared on {comparison.compared_on.join(' and ') || 'nothing in common'} ·{' '}
            {comparison.offset_seconds === null ? 'no common offset' : `the other starts at ${comparison.offset_seconds} s of this one`} · this one covered{' '}
            {pct(comparison.a_coverage)}, the other {pct(comparison.b_coverage)}
          </p>
          {comparison.matches.length ? (
            <table>
              <thead>
                <tr>
                  <th>This job</th>
                  <th>The other</th>
                </tr>
              </thead>
              <tbody>
                {comparison.matches.map((m, i) => (
                  <tr key={i}>
                    <td>
                      {formatSeconds(m.a_start)}–{formatSeconds(m.a_end)}
                    </td>
                    <td>
                      {formatSeconds(m.b_start)}–{formatSeconds(m.b_end)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
          <Link to={`/jobs/${other.trim()}`}>Open the other job</Link>
        </div>
      ) : null}
    </div>
  );
}
