import { isMizanError, useMizanStaleClient } from 'mizan-react';
import { useState, type FormEvent } from 'react';
import { GreetProvider, useAdminStats, useCurrentUser, useEcho, useGreet, contactFormSpec } from './mizan';
import { AccountHeader, AccountPanel } from './AccountPanel';
import { ChatPanel } from './ChatPanel';
import { NotesPanel } from './NotesPanel';
import { ContactPage, ContactThanksPage } from './ContactPage';
import { describe } from './describe';

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

/** The server's refusal of a staff-only call, and what it means here. */
function refusal(error: unknown): string {
  if (isMizanError(error) && error.status === 401) return `${describe(error)} (sign in first)`;
  if (isMizanError(error) && error.status === 403) return `${describe(error)} (staff only)`;
  return describe(error);
}

function AdminPanel() {
  const stats = useAdminStats();
  return (
    <section>
      <h2>Staff only</h2>
      <button onClick={() => stats.mutate({})}>Load server stats</button>
      <p data-testid="admin-result" role={stats.error ? 'alert' : 'status'}>
        {stats.data ? `echoes: ${stats.data.echoes}` : stats.error ? refusal(stats.error) : ''}
      </p>
    </section>
  );
}

/**
 * The functions page. Each user starts with fresh forms and answers: nothing of the previous
 * user's (a staff answer, a typed password) stays on screen after a sign-in or sign-out.
 */
function Home() {
  const who = useCurrentUser().data?.id ?? 'anonymous';
  return (
    <>
      <AccountPanel key={`account-${who}`} />
      <EchoForm />
      <Greeter />
      <AdminPanel key={`admin-${who}`} />
      <ChatPanel key={`chat-${who}`} />
      <NotesPanel />
    </>
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
      return <Home />;
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
      <AccountHeader />
      <Page path={path} />
    </main>
  );
}
