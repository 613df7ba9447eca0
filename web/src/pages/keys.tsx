import { useState } from 'preact/hooks';
import { createKey, listKeys, ok, revokeKey, updateKey, type CreatedKeyDto, type CreateKeyDto, type KeyDto } from '../api';
import { Button, ConfirmButton, CopyButton, formatCredits, Loaded, Problem, Time, useAction, useLoad } from '../ui';

type Scope = NonNullable<CreateKeyDto['scopes']>[number];
const SCOPES: Array<[Scope, string]> = [
  ['jobs:write', 'spend credits: look up URLs, submit, upload, cancel'],
  ['jobs:read', 'read jobs, their progress and outputs'],
  ['account:read', 'balance, ledger and usage'],
  ['keys:manage', 'API keys and webhooks'],
  ['billing', 'buy credits, see payments'],
];

function Spend({ k }: { k: KeyDto }) {
  if (k.monthly_credit_limit === null) return <span class="muted">{formatCredits(k.spent_this_month)} this month · no limit</span>;
  return (
    <span class="spend">
      <meter min={0} max={k.monthly_credit_limit} value={k.spent_this_month} aria-label="Spent of the monthly limit" />
      <span>
        {k.spent_this_month.toLocaleString()} of {formatCredits(k.monthly_credit_limit)} this month
      </span>
    </span>
  );
}

/** Changes a key's monthly credit limit in place (empty: no limit). */
function LimitEditor({ k, onSaved }: { k: KeyDto; onSaved: () => void }) {
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState('');
  const save = useAction();
  if (!editing) {
    return (
      <Button class="secondary" onClick={() => (setValue(k.monthly_credit_limit === null ? '' : String(k.monthly_credit_limit)), setEditing(true))}>
        Change limit
      </Button>
    );
  }
  const submit = (e: Event) => {
    e.preventDefault();
    void save.run(async () => {
      await ok(updateKey({ path: { id: k.id }, body: { monthly_credit_limit: value.trim() === '' ? null : Number(value) } }));
      setEditing(false);
      onSaved();
    });
  };
  return (
    <form class="inline" onSubmit={submit}>
      <input name="new-limit" aria-label="New monthly credit limit" type="number" min={0} step={1} placeholder="no limit" value={value} onInput={(e) => setValue(e.currentTarget.value)} />
      <Button type="submit" busy={save.busy}>
        Save
      </Button>
      <Button class="secondary" onClick={() => setEditing(false)}>
        Cancel
      </Button>
      <Problem error={save.error} />
    </form>
  );
}

function KeyRow({ k, onChanged }: { k: KeyDto; onChanged: () => void }) {
  const action = useAction();
  return (
    <tr data-key-id={k.id} class={k.revoked_at ? 'revoked' : undefined}>
      <td>{k.name ?? <span class="muted">—</span>}</td>
      <td>
        <code>
          {k.prefix}…{k.last4}
        </code>
      </td>
      <td class="scopes">
        {k.scopes.length === SCOPES.length ? (
          <span class="badge">all scopes</span>
        ) : (
          k.scopes.map((s) => (
            <span key={s} class="badge">
              {s}
            </span>
          ))
        )}
      </td>
      <td>
        <Spend k={k} />
        {k.revoked_at ? null : <LimitEditor k={k} onSaved={onChanged} />}
      </td>
      <td>
        <Time iso={k.created_at} />
      </td>
      <td>{k.revoked_at ? <>revoked <Time iso={k.revoked_at} /></> : <span class="status status-completed">active</span>}</td>
      <td>
        {k.revoked_at ? null : (
          <ConfirmButton busy={action.busy} confirm="Revoke now" onConfirm={() => void action.run(async () => (await ok(revokeKey({ path: { id: k.id } })), onChanged()))}>
            Revoke
          </ConfirmButton>
        )}
        <Problem error={action.error} />
      </td>
    </tr>
  );
}

export function KeysPage() {
  const keys = useLoad((signal) => ok(listKeys({ signal })), []);
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<Set<Scope>>(new Set(SCOPES.map(([s]) => s)));
  const [limit, setLimit] = useState('');
  const [minted, setMinted] = useState<CreatedKeyDto>();
  const mint = useAction();
  const submit = (e: Event) => {
    e.preventDefault();
    void mint.run(async () => {
      const body: CreateKeyDto = { name: name.trim() || undefined, scopes: [...scopes], monthly_credit_limit: limit.trim() === '' ? null : Number(limit) };
      setMinted(await ok(createKey({ body })));
      setName('');
      setLimit('');
      keys.reload();
    });
  };
  const toggle = (scope: Scope, on: boolean) => {
    const next = new Set(scopes);
    if (on) next.add(scope);
    else next.delete(scope);
    setScopes(next);
  };
  return (
    <section>
      <h1>API keys</h1>
      <form class="card" onSubmit={submit}>
        <h2>Mint a key</h2>
        <div class="fields">
          <label class="field">
            <span>Name</span>
            <input name="key-name" placeholder="e.g. archive pipeline" maxLength={100} value={name} onInput={(e) => setName(e.currentTarget.value)} />
          </label>
          <label class="field">
            <span>Monthly credit limit</span>
            <input name="monthly-limit" type="number" min={0} step={1} placeholder="no limit" value={limit} onInput={(e) => setLimit(e.currentTarget.value)} />
          </label>
        </div>
        <fieldset class="checks">
          <legend>Scopes</legend>
          {SCOPES.map(([scope, what]) => (
            <label key={scope} class="check">
              <input type="checkbox" name={scope} checked={scopes.has(scope)} onChange={(e) => toggle(scope, e.currentTarget.checked)} /> <code>{scope}</code> <span class="muted">{what}</span>
            </label>
          ))}
        </fieldset>
        <Button type="submit" busy={mint.busy}>
          Mint key
        </Button>
        <Problem error={mint.error} />
      </form>
      {minted ? (
        <div class="card minted" role="status">
          <p>
            <strong>Your new key.</strong> It is shown this once: copy it now. Mediary keeps only its hash.
          </p>
          <div class="row">
            <code class="secret" data-testid="minted-key">
              {minted.key}
            </code>
            <CopyButton text={minted.key} />
            <Button class="secondary" onClick={() => setMinted(undefined)}>
              Done
            </Button>
          </div>
        </div>
      ) : null}
      <div class="card">
        <h2>Keys</h2>
        <Loaded state={keys}>
          {(list) => (
            <div class="table-wrap">
              <table class="keys">
                <thead>
                  <tr>
                    <th>Name</th>
                    <th>Key</th>
                    <th>Scopes</th>
                    <th>This month</th>
                    <th>Created</th>
                    <th>State</th>
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {list.data.map((k) => (
                    <KeyRow key={k.id} k={k} onChanged={keys.reload} />
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </Loaded>
      </div>
    </section>
  );
}
