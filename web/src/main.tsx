import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, getAccount, KEY_REFUSED, ok } from './api';
import { CreditsPage, PaymentSuccessPage } from './pages/credits';
import { JobPage } from './pages/job';
import { JobsPage } from './pages/jobs';
import { KeysPage } from './pages/keys';
import { NewJobPage } from './pages/new-job';
import { OverviewPage } from './pages/overview';
import { WebhooksPage } from './pages/webhooks';
import { Link, match, navigate, useRoute } from './router';
import { clearKey, getKey, setKey } from './session';
import { Button, Problem, useAction } from './ui';
import './styles.css';

const NAV: Array<[string, string]> = [
  ['/', 'Overview'],
  ['/jobs', 'Jobs'],
  ['/new', 'New job'],
  ['/keys', 'Keys'],
  ['/webhooks', 'Webhooks'],
  ['/credits', 'Credits'],
];

function SignIn({ onSignedIn, refused }: { onSignedIn: () => void; refused: boolean }) {
  const [key, setValue] = useState('');
  const action = useAction();
  const submit = (e: Event) => {
    e.preventDefault();
    const candidate = key.trim();
    void action.run(async () => {
      try {
        await ok(getAccount({ headers: { authorization: `Bearer ${candidate}` } }));
      } catch (err) {
        // A key without the account scope is still a key: only a refused key is kept out.
        if (!(err instanceof ApiError && err.code === 'forbidden')) throw err;
      }
      setKey(candidate);
      onSignedIn();
    });
  };
  return (
    <main class="signin">
      <h1>
        <span class="logo" aria-hidden="true" /> Mediary
      </h1>
      <form onSubmit={submit} class="card">
        {refused && !action.error ? <p class="problem">The API no longer accepts the key you signed in with (revoked?): sign in with another.</p> : null}
        <label for="api-key">API key</label>
        <input id="api-key" name="api-key" type="password" autocomplete="off" spellcheck={false} placeholder="mdy_live_…" value={key} onInput={(e) => setValue(e.currentTarget.value)} required />
        <p class="muted">Kept in this tab only (sessionStorage) and sent to this server’s API, nowhere else.</p>
        <Button type="submit" busy={action.busy}>
          Sign in
        </Button>
        <Problem error={action.error} />
      </form>
    </main>
  );
}

function Page({ path, query }: { path: string; query: URLSearchParams }) {
  let params: Record<string, string> | null;
  if (path === '/') return <OverviewPage />;
  if (path === '/jobs') return <JobsPage />;
  if ((params = match('/jobs/:id', path))) return <JobPage id={params.id!} />;
  if (path === '/new') return <NewJobPage kind={query.get('type')} />;
  if (path === '/keys') return <KeysPage />;
  if (path === '/webhooks') return <WebhooksPage />;
  if (path === '/credits') return <CreditsPage canceled={query.has('canceled')} />;
  if (path === '/credits/success') return <PaymentSuccessPage sessionId={query.get('session_id')} />;
  return (
    <section>
      <h1>Not found</h1>
      <p>
        <Link to="/">Back to the overview</Link>
      </p>
    </section>
  );
}

function App() {
  const [signedIn, setSignedIn] = useState(() => getKey() !== null);
  const [refused, setRefused] = useState(false);
  const { path, query } = useRoute();
  useEffect(() => {
    const onRefused = () => {
      clearKey();
      setRefused(true);
      setSignedIn(false);
    };
    addEventListener(KEY_REFUSED, onRefused);
    return () => removeEventListener(KEY_REFUSED, onRefused);
  }, []);
  if (!signedIn)
    return (
      <SignIn
        refused={refused}
        onSignedIn={() => {
          setRefused(false);
          setSignedIn(true);
        }}
      />
    );
  const section = path === '/' ? '/' : `/${path.split('/')[1]}`;
  return (
    <>
      <header class="top">
        <Link to="/" class="brand">
          <span class="logo" aria-hidden="true" /> Mediary
        </Link>
        <nav>
          {NAV.map(([to, label]) => (
            <Link key={to} to={to} aria-current={section === to ? 'page' : undefined}>
              {label}
            </Link>
          ))}
        </nav>
        <button
          class="secondary signout"
          type="button"
          onClick={() => {
            clearKey();
            setSignedIn(false);
            navigate('/', { replace: true });
          }}
        >
          Sign out
        </button>
      </header>
      <main class="content">
        <Page path={path} query={query} />
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
