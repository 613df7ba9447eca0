import { useEffect, useState } from 'preact/hooks';
import {
  ApiError,
  deleteWebhookEndpoint,
  getWebhookEndpoint,
  getWebhookSecret,
  listWebhookDeliveries,
  ok,
  retryWebhookDelivery,
  rotateWebhookSecret,
  setWebhookEndpoint,
  testWebhook,
  type DeliveryDto,
  type EndpointDto,
  type SecretDto,
  type TestWebhookResultDto,
} from '../api';
import { Button, ConfirmButton, CopyButton, Loaded, Pager, Problem, Status, Time, useAction, useLoad, usePages } from '../ui';

const EVENTS: Array<[EndpointDto['events'][number], string]> = [
  ['job.completed', 'a job completed'],
  ['job.failed', 'a job failed'],
  ['batch.completed', 'every job of a batch ended'],
  ['job.progress', 'every 10 % of a job (many events)'],
];

function EndpointForm({ onSaved }: { onSaved: () => void }) {
  // No endpoint yet is a 404, which is not a problem to show.
  const endpoint = useLoad(
    (signal) =>
      ok(getWebhookEndpoint({ signal })).catch((err: unknown) => {
        if (err instanceof ApiError && err.status === 404) return null;
        throw err;
      }),
    [],
  );
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<Set<string>>(new Set(['job.completed', 'job.failed', 'batch.completed']));
  useEffect(() => {
    if (endpoint.data) {
      setUrl(endpoint.data.url);
      setEvents(new Set(endpoint.data.events));
    }
  }, [endpoint.data]);
  const save = useAction();
  const remove = useAction();
  const submit = (e: Event) => {
    e.preventDefault();
    void save.run(async () => {
      endpoint.setData(await ok(setWebhookEndpoint({ body: { url: url.trim(), events: [...events] as EndpointDto['events'] } })));
      onSaved();
    });
  };
  const toggle = (ev: string, on: boolean) => {
    const next = new Set(events);
    if (on) next.add(ev);
    else next.delete(ev);
    setEvents(next);
  };
  return (
    <form class="card" onSubmit={submit}>
      <h2>Endpoint</h2>
      {endpoint.error ? <Problem error={endpoint.error} /> : null}
      <label class="field">
        <span>URL that receives the events</span>
        <input name="webhook-url" type="url" required placeholder="https://example.com/hooks/mediary" value={url} onInput={(e) => setUrl(e.currentTarget.value)} />
      </label>
      <fieldset class="checks">
        <legend>Events</legend>
        {EVENTS.map(([ev, what]) => (
          <label key={ev} class="check">
            <input type="checkbox" name={ev} checked={events.has(ev)} onChange={(e) => toggle(ev, e.currentTarget.checked)} /> <code>{ev}</code> <span class="muted">{what}</span>
          </label>
        ))}
      </fieldset>
      <div class="row">
        <Button type="submit" busy={save.busy}>
          Save endpoint
        </Button>
        {endpoint.data ? (
          <ConfirmButton busy={remove.busy} confirm="Remove the endpoint" onConfirm={() => void remove.run(async () => (await ok(deleteWebhookEndpoint()), endpoint.setData(null), setUrl('')))}>
            Remove
          </ConfirmButton>
        ) : null}
        {endpoint.data ? (
          <span class="muted">
            saved <Time iso={endpoint.data.updated_at} />
          </span>
        ) : null}
      </div>
      <Problem error={save.error ?? remove.error} />
    </form>
  );
}

function SecretCard() {
  const [secret, setSecret] = useState<SecretDto>();
  const reveal = useAction();
  const rotate = useAction();
  return (
    <div class="card">
      <h2>Signing secret</h2>
      <p class="muted">Deliveries are signed per Standard Webhooks with this secret: verify them with any of its libraries.</p>
      <div class="row">
        <code class="secret" data-testid="webhook-secret">
          {secret ? secret.secret : 'whsec_••••••••••••••••'}
        </code>
        {secret ? (
          <>
            <CopyButton text={secret.secret} />
            <Button class="secondary" onClick={() => setSecret(undefined)}>
              Hide
            </Button>
          </>
        ) : (
          <Button class="secondary" busy={reveal.busy} onClick={() => void reveal.run(async () => setSecret(await ok(getWebhookSecret())))}>
            Reveal
          </Button>
        )}
        <ConfirmButton busy={rotate.busy} confirm="Rotate now" onConfirm={() => void rotate.run(async () => setSecret(await ok(rotateWebhookSecret())))}>
          Rotate
        </ConfirmButton>
      </div>
      {secret?.previous_secret_expires_at ? (
        <p class="muted">
          Until <Time iso={secret.previous_secret_expires_at} /> deliveries also carry a signature made with the previous secret.
        </p>
      ) : null}
      <Problem error={reveal.error ?? rotate.error} />
    </div>
  );
}

function TestCard({ onSent }: { onSent: () => void }) {
  const [result, setResult] = useState<TestWebhookResultDto>();
  const action = useAction();
  return (
    <div class="card">
      <h2>Send a test event</h2>
      <div class="row">
        <Button busy={action.busy} onClick={() => void action.run(async () => (setResult(await ok(testWebhook({ body: {} }))), onSent()))}>
          Send test event
        </Button>
        {result ? (
          <span data-testid="test-result" class={result.delivered ? 'ok' : 'problem'}>
            {result.delivered ? 'Delivered' : 'Not delivered'}
            {result.status_code !== null ? ` · HTTP ${result.status_code}` : ''} · {result.latency_ms} ms{result.error ? ` · ${result.error}` : ''}
          </span>
        ) : null}
      </div>
      {result?.response_excerpt ? <pre class="json">{result.response_excerpt}</pre> : null}
      <Problem error={action.error} />
    </div>
  );
}

function DeliveryRow({ d, onRetried }: { d: DeliveryDto; onRetried: () => void }) {
  const action = useAction();
  return (
    <>
      <tr data-delivery-id={d.id}>
        <td>
          <code>{d.event_type}</code>
        </td>
        <td>
          <Status status={d.status} />
        </td>
        <td class="num">{d.attempt_count}</td>
        <td>{d.last_status_code ?? '—'}</td>
        <td>
          <Time iso={d.created_at} />
        </td>
        <td>{d.status === 'pending' && d.next_attempt_at ? <>next <Time iso={d.next_attempt_at} /></> : null}</td>
        <td>
          {d.status !== 'pending' ? (
            <Button class="secondary small" busy={action.busy} onClick={() => void action.run(async () => (await ok(retryWebhookDelivery({ path: { id: d.id } })), onRetried()))}>
              Retry
            </Button>
          ) : null}
          <Problem error={action.error} />
        </td>
      </tr>
      {d.attempts.length ? (
        <tr class="attempts">
          <td colSpan={7}>
            <details>
              <summary>
                {d.attempts.length} attempt{d.attempts.length === 1 ? '' : 's'} to <code>{d.url}</code>
              </summary>
              <ol>
                {d.attempts.map((a, i) => (
                  <li key={i}>
                    <Time iso={a.attempted_at} /> · {a.status_code !== null ? `HTTP ${a.status_code}` : 'no answer'} · {a.latency_ms} ms
                    {a.error ? ` · ${a.error}` : ''}
                    {a.response_excerpt ? <pre class="json">{a.response_excerpt}</pre> : null}
                  </li>
                ))}
              </ol>
            </details>
          </td>
        </tr>
      ) : null}
    </>
  );
}

export function WebhooksPage() {
  const pages = usePages();
  const { cursor } = pages;
  const deliveries = useLoad((signal) => ok(listWebhookDeliveries({ query: { cursor, limit: 25 }, signal })), [cursor]);
  return (
    <section>
      <h1>Webhooks</h1>
      <div class="grid2">
        <EndpointForm onSaved={deliveries.reload} />
        <div>
          <SecretCard />
          <TestCard onSent={deliveries.reload} />
        </div>
      </div>
      <div class="card">
        <h2>
          Deliveries{' '}
          <Button class="secondary small" busy={deliveries.loading} onClick={deliveries.reload}>
            Refresh
          </Button>
        </h2>
        <Loaded state={deliveries}>
          {(page) =>
            page.data.length ? (
              <>
                <div class="table-wrap">
                  <table class="deliveries">
                    <thead>
                      <tr>
                        <th>Event</th>
                        <th>Status</th>
                        <th class="num">Attempts</th>
                        <th>Last HTTP</th>
                        <th>Created</th>
                        <th />
                        <th />
                      </tr>
                    </thead>
                    <tbody>
                      {page.data.map((d) => (
                        <DeliveryRow key={d.id} d={d} onRetried={deliveries.reload} />
                      ))}
                    </tbody>
                  </table>
                </div>
                <Pager pages={pages} next={page.next_cursor} />
              </>
            ) : (
              <p class="muted">No deliveries yet.</p>
            )
          }
        </Loaded>
      </div>
    </section>
  );
}
