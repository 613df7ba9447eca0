import type { ButtonHTMLAttributes, ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, ENDED, watchJob, type JobDto, type JobUpdate } from './api';

/** Loads `load()` on mount and whenever `deps` change; `reload` runs it again. */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]) {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const ctrl = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    load(ctrl.signal).then(
      (data) => !ctrl.signal.aborted && setState({ data, loading: false }),
      (error: unknown) => !ctrl.signal.aborted && setState({ error, loading: false }),
    );
    return () => ctrl.abort();
    // The caller names what the load depends on.
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload, setData: (data: T) => setState({ data, loading: false }) };
}

/** One user action at a time: busy while it runs, its problem kept to show beside it. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const run = useCallback(async <T,>(action: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setError(undefined);
    try {
      return await action();
    } catch (err) {
      setError(err);
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, run, clear: () => setError(undefined) };
}

/** Text with `quoted` names (scopes, fields, headers) shown as code. */
function withCode(text: string) {
  return text.split('`').map((part, i) => (i % 2 ? <code key={i}>{part}</code> : part));
}

/** An API problem as the user should read it: its `detail`, and each invalid field. */
export function Problem({ error }: { error: unknown }) {
  if (!error) return null;
  const problem = error instanceof ApiError ? error.problem : { detail: (error as Error)?.message ?? String(error) };
  return (
    <div class="problem" role="alert" data-code={problem.code}>
      <span>{withCode(problem.detail ?? problem.title ?? '')}</span>
      {problem.errors?.length ? (
        <ul>
          {problem.errors.map((e) => (
            <li key={e.field}>
              <code>{e.field}</code>: {e.message}
            </li>
          ))}
        </ul>
      ) : null}
      {problem.error_id ? <small> (error id {problem.error_id})</small> : null}
    </div>
  );
}

/** The states of a loaded section: a spinner, its problem, or its content. */
export function Loaded<T>({ state, children }: { state: { data?: T; error?: unknown; loading: boolean }; children: (data: T) => ComponentChildren }) {
  if (state.error) return <Problem error={state.error} />;
  if (state.data === undefined) return <p class="muted" aria-busy="true">Loading…</p>;
  return <>{children(state.data)}</>;
}

type ButtonProps = Omit<ButtonHTMLAttributes<HTMLButtonElement>, 'type'> & { busy?: boolean; type?: 'button' | 'submit' };

export function Button({ busy, children, disabled, type = 'button', ...rest }: ButtonProps) {
  return (
    <button {...rest} type={type} disabled={disabled || busy} aria-busy={busy ? 'true' : undefined}>
      {busy ? <span class="spinner" aria-hidden="true" /> : null}
      {children}
    </button>
  );
}

/** Cursor paging of a list: the cursor of the page shown (undefined: the first) and the way back. */
export function usePages() {
  const [cursors, setCursors] = useState<Array<string | undefined>>([undefined]);
  return { cursor: cursors[cursors.length - 1], cursors, setCursors, first: () => setCursors([undefined]) };
}

/** Newer / Older buttons over `usePages`; `next` is the page's `next_cursor`. */
export function Pager({ pages, next }: { pages: ReturnType<typeof usePages>; next: string | null | undefined }) {
  const { cursors, setCursors } = pages;
  return (
    <div class="pager">
      <Button class="secondary" disabled={cursors.length < 2} onClick={() => setCursors(cursors.slice(0, -1))}>
        ← Newer
      </Button>
      <span class="muted">Page {cursors.length}</span>
      <Button class="secondary" disabled={!next} onClick={() => next && setCursors([...cursors, next])}>
        Older →
      </Button>
    </div>
  );
}

/** A progress bar with its percentage; without a value it shows that something is under way. */
export function ProgressBar({ value, label }: { value?: number; label?: string }) {
  return (
    <span class="progress">
      <progress max={100} value={value} aria-label={label ?? 'Progress'} />
      {value !== undefined ? <span class="pct">{Math.round(value)}%</span> : null}
    </span>
  );
}

export function Status({ status }: { status: string }) {
  return <span class={`status status-${status}`}>{status}</span>;
}

export function Time({ iso }: { iso: string | null | undefined }) {
  if (!iso) return <span class="muted">—</span>;
  const d = new Date(iso);
  return (
    <time dateTime={iso} title={d.toISOString()}>
      {d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })}
    </time>
  );
}

export const formatCredits = (n: number) => `${n.toLocaleString()} credit${n === 1 ? '' : 's'}`;

export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n.toFixed(i ? 1 : 0)} ${units[i]}`;
}

/** An amount in the currency's smallest unit (cents); `precise` keeps fractions of a cent. */
export function formatMoney(amount: number, currency: string, precise = false): string {
  return new Intl.NumberFormat(undefined, { style: 'currency', currency: currency.toUpperCase(), ...(precise ? { maximumSignificantDigits: 2 } : {}) }).format(amount / 100);
}

/** 83.4 → "1:23.4" */
export function formatSeconds(s: number, decimals = 0): string {
  const m = Math.floor(s / 60);
  const rest = (s - m * 60).toFixed(decimals).padStart(decimals ? 3 + decimals : 2, '0');
  return `${m}:${rest}`;
}

/** The job as it is now: the one given, then what its live events say until it ends. */
export function useLiveJob(job: JobDto, onEnded?: (job: JobDto) => void): { job: JobDto; live?: JobUpdate } {
  const [live, setLive] = useState<JobUpdate>();
  const [ended, setEnded] = useState<JobDto>();
  const endedRef = useRef(onEnded);
  endedRef.current = onEnded;
  useEffect(() => {
    setLive(undefined);
    setEnded(undefined);
    if (ENDED.has(job.status)) return;
    return watchJob(job.id, (update) => {
      setLive(update);
      if (update.job && ENDED.has(update.job.status)) {
        setEnded(update.job);
        endedRef.current?.(update.job);
      }
    });
  }, [job.id, job.status]);
  if (ended) return { job: ended };
  if (!live) return { job };
  return { job: { ...job, status: live.status, progress: live.progress ?? job.progress } as JobDto, live };
}

/** Copies `text` to the clipboard, saying so for a moment. */
export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [done, setDone] = useState<string>();
  return (
    <Button
      class="secondary"
      onClick={() =>
        navigator.clipboard.writeText(text).then(
          () => setDone('Copied'),
          () => setDone('Copy failed: select the text instead'),
        )
      }
    >
      {done ?? label}
    </Button>
  );
}

/** A destructive button that asks once more, inline (no browser dialog). */
export function ConfirmButton({ children, confirm, onConfirm, busy }: { children: ComponentChildren; confirm: string; onConfirm: () => void; busy?: boolean }) {
  const [asking, setAsking] = useState(false);
  if (!asking)
    return (
      <Button class="danger" busy={busy} onClick={() => setAsking(true)}>
        {children}
      </Button>
    );
  return (
    <span class="confirm">
      <Button class="danger" onClick={() => (setAsking(false), onConfirm())}>
        {confirm}
      </Button>
      <Button class="secondary" onClick={() => setAsking(false)}>
        Keep
      </Button>
    </span>
  );
}

export function Json({ value }: { value: unknown }) {
  return <pre class="json">{JSON.stringify(value, null, 2)}</pre>;
}
