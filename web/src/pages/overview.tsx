import { getAccount, getUsage, listJobs, ok } from '../api';
import { DailyBars, NamedBars } from '../chart';
import { Link } from '../router';
import { formatCredits, Loaded, useLoad } from '../ui';
import { JobsTable } from './jobs';

const DAY = 86_400_000;

const plural = (n: number, what: string) => `${n.toLocaleString()} ${what}${n === 1 ? '' : 's'}`;

/** Every UTC day in [from, to), as YYYY-MM-DD. */
function daysBetween(from: Date, to: Date): string[] {
  const days: string[] = [];
  for (let t = from.getTime(); t < to.getTime(); t += DAY) days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}

export function OverviewPage() {
  const now = new Date();
  const monthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const chartFrom = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - 29 * DAY);
  const chartTo = new Date(chartFrom.getTime() + 30 * DAY);
  const account = useLoad((signal) => ok(getAccount({ signal })), []);
  const month = useLoad((signal) => ok(getUsage({ query: { from: monthStart.toISOString(), group_by: 'operation' }, signal })), []);
  const byDay = useLoad((signal) => ok(getUsage({ query: { from: chartFrom.toISOString(), to: chartTo.toISOString(), group_by: 'day' }, signal })), []);
  const recent = useLoad((signal) => ok(listJobs({ query: { limit: 8 }, signal })), []);
  return (
    <section>
      <h1>Overview</h1>
      <div class="tiles">
        <div class="tile">
          <h2>Balance</h2>
          <Loaded state={account}>
            {(a) => (
              <>
                <p class="big" data-testid="balance">
                  {formatCredits(a.balance)}
                </p>
                {a.credits_owed > 0 ? <p class="problem">{formatCredits(a.credits_owed)} owed after a refund or dispute</p> : null}
                <Link to="/credits">Buy credits</Link>
              </>
            )}
          </Loaded>
        </div>
        <div class="tile">
          <h2>Used this month</h2>
          <Loaded state={month}>
            {(u) => (
              <>
                <p class="big" data-testid="month-usage">
                  {formatCredits(u.totals.credits_net)}
                </p>
                <p class="muted">
                  {plural(u.totals.jobs, 'job')} · {formatCredits(u.totals.credits_refunded)} refunded
                </p>
              </>
            )}
          </Loaded>
        </div>
      </div>
      <div class="grid2">
        <div class="card">
          <h2>Credits used per day (last 30 days)</h2>
          <Loaded state={byDay}>
            {(u) => {
              const net = new Map(u.data.map((r) => [r.day!, r.credits_net]));
              const days = daysBetween(chartFrom, chartTo);
              return <DailyBars days={days} values={days.map((d) => net.get(d) ?? 0)} label="Credits used per day" />;
            }}
          </Loaded>
        </div>
        <div class="card">
          <h2>By operation (this month)</h2>
          <Loaded state={month}>
            {(u) =>
              u.data.length ? (
                <NamedBars rows={u.data.map((r) => ({ name: r.operation ?? '?', value: r.credits_net, note: r.jobs ? plural(r.jobs, 'job') : undefined }))} />
              ) : (
                <p class="muted">Nothing used yet this month.</p>
              )
            }
          </Loaded>
        </div>
      </div>
      <div class="card">
        <h2>
          Last jobs <Link to="/jobs">all jobs</Link>
        </h2>
        <Loaded state={recent}>{(page) => <JobsTable jobs={page.data} onChanged={recent.reload} />}</Loaded>
      </div>
    </section>
  );
}
