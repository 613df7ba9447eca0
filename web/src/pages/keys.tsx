import { useState } from 'preact/hooks';
import { createKey, listKeys, ok, revokeKey, type CreatedKeyDto, type KeyDto } from '../api';
import { Button, ConfirmButton, CopyButton, Loaded, Problem, Time, useAction, useLoad } from '../ui';

function KeyRow({ k, onRevoked }: { k: KeyDto; onRevoked: () => void }) {
  const action = useAction();
  return (
    <tr data-key-id={k.id} class={k.revoked_at ? 'revoked' : undefined}>
      <td>{k.name ?? <span class="muted">—</span>}</td>
      <td>
        <code>
          {k.prefix}…{k.last4}
        </code>
      </td>
      <td>
        <Time iso={k.created_at} />
      </td>
      <td>{k.revoked_at ? <>revoked <Time iso={k.revoked_at} /></> : <span class="status status-completed">active</span>}</td>
      <td>
        {k.revoked_at ? null : (
          <ConfirmButton busy={action.busy} confirm="Revoke now" onConfirm={() => void action.run(async () => (await ok(revokeKey({ path: { id: k.id } })), onRevoked()))}>
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
  const [minted, setMinted] = useState<CreatedKeyDto>();
  const mint = useAction();
  const submit = (e: Event) => {
    e.preventDefault();
    void mint.run(async () => {
      setMinted(await ok(createKey({ body: { name: name.trim() || undefined } })));
      setName('');
      keys.reload();
    });
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
        </div>
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
                    <th>Created</th>
                    <th>State</th>
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {list.data.map((k) => (
                    <KeyRow key={k.id} k={k} onRevoked={keys.reload} />
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
