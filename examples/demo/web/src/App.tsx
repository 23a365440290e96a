import { isMizanError, useMizanStaleClient } from 'mizan-react';
import { useState, type FormEvent } from 'react';
import {
  GreetProvider,
  useAdminStats,
  useCurrentUser,
  useDemoSignIn,
  useDemoSignOut,
  useEcho,
  useGreet,
} from './mizan';

function describe(error: unknown): string {
  return isMizanError(error) ? `${error.status} ${error.code}: ${error.message}` : String(error);
}

function CurrentUser() {
  const user = useCurrentUser();
  const signIn = useDemoSignIn();
  const signOutCall = useDemoSignOut();
  // The server sets and removes the HttpOnly token cookie; the page never sees the token. A reload
  // hydrates the page for the new user.
  const reload = () => window.location.reload();
  const become = (name: string) => signIn.mutate({ user: name }, { onSuccess: reload });
  const signOut = () => signOutCall.mutate({}, { onSuccess: reload });
  return (
    <header>
      <strong data-testid="current-user">
        {user.data === undefined ? 'Loading…' : user.data.authenticated ? `Signed in as ${user.data.id ?? ''}${user.data.staff ? ' (staff)' : ''}` : 'Anonymous'}
      </strong>{' '}
      <button onClick={() => become('ada')}>Sign in as ada</button>{' '}
      <button onClick={() => become('grace')}>Sign in as grace (staff)</button>{' '}
      <button onClick={signOut}>Sign out</button>
      {signIn.error || signOutCall.error ? (
        <span role="alert"> {describe(signIn.error ?? signOutCall.error)}</span>
      ) : null}
    </header>
  );
}

function EchoForm() {
  const echo = useEcho();
  const [text, setText] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    echo.mutate({ text });
  };
  return (
    <form onSubmit={submit}>
      <h2>Echo</h2>
      <input aria-label="echo text" value={text} onChange={(e) => setText(e.target.value)} />
      <button type="submit">Send</button>
      <p data-testid="echo-result">
        {echo.data ? `${echo.data.message} (#${echo.data.count})` : echo.error ? describe(echo.error) : ''}
      </p>
    </form>
  );
}

function GreetingText() {
  const greeting = useGreet();
  return (
    <p data-testid="greeting">
      {greeting.data ? greeting.data.text : greeting.error ? describe(greeting.error) : 'Loading…'}
    </p>
  );
}

function Greeter() {
  const [name, setName] = useState('Ada');
  return (
    <section>
      <h2>Greet</h2>
      <input aria-label="name" value={name} onChange={(e) => setName(e.target.value)} />
      <GreetProvider name={name}>
        <GreetingText />
      </GreetProvider>
    </section>
  );
}

function AdminPanel() {
  const stats = useAdminStats();
  return (
    <section>
      <h2>Staff only</h2>
      <button onClick={() => stats.mutate({})}>Load server stats</button>
      <p data-testid="admin-result">
        {stats.data ? `echoes: ${stats.data.echoes}` : stats.error ? describe(stats.error) : ''}
      </p>
    </section>
  );
}

// Shown once the server answers `stale_client`: a deploy changed a function this page was built
// against. Unchanged functions keep working, so the page stays usable until the user reloads.
function ReloadBanner() {
  const stale = useMizanStaleClient();
  if (!stale) return null;
  return (
    <p role="alert" data-testid="reload-banner">
      A new version of this app is available.{' '}
      <button onClick={() => window.location.reload()}>Reload</button>
    </p>
  );
}

export function App() {
  return (
    <main>
      <ReloadBanner />
      <h1>Mizan demo</h1>
      <CurrentUser />
      <EchoForm />
      <Greeter />
      <AdminPanel />
    </main>
  );
}
