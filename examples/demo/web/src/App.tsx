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
  contactFormSpec,
} from './mizan';
import { ContactPage, ContactThanksPage } from './ContactPage';

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

/** The demo's pages, by path: few enough that a router would be more code than it saves. */
function Page({ path }: { path: string }) {
  switch (path) {
    case '/contact':
      return <ContactPage />;
    case '/contact/thanks':
      return <ContactThanksPage />;
    default:
      return (
        <>
          <EchoForm />
          <Greeter />
          <AdminPanel />
        </>
      );
  }
}

/**
 * A post without JavaScript that failed is answered at the post's own address
 * (`/api/mizan/form/contact`, spec §2.13.5) with the form's page re-rendered; when the script runs
 * there (the post left before it loaded), that is the form's page. The address bar is set back to
 * the page, so a reload shows the form rather than sending the post again.
 */
function currentPath(): string {
  // Trailing slashes are the same page: `/contact/` is where a typed address often ends.
  const path = window.location.pathname.replace(/(.)\/+$/, '$1');
  if (path === `/api/mizan/form/${contactFormSpec.name}`) {
    window.history.replaceState(null, '', contactFormSpec.page);
    return contactFormSpec.page;
  }
  return path;
}

export function App() {
  const [path] = useState(currentPath);
  return (
    <main>
      <ReloadBanner />
      <h1>Mizan demo</h1>
      <nav>
        <a href="/">Functions</a> · <a href="/contact">Contact</a>
      </nav>
      <CurrentUser />
      <Page path={path} />
    </main>
  );
}
