import { useMizanStaleClient } from 'mizan-react';
import { useState } from 'react';
import { contactFormSpec, useCurrentUser } from './mizan';
import { AccountHeader, AccountPanel } from './AccountPanel';
import { CallsCard } from './CallsCard';
import { ChatPanel } from './ChatPanel';
import { ContactPage, ContactThanksPage } from './ContactPage';
import { CurrentUserCard } from './CurrentUserCard';
import { GreetCard } from './GreetCard';
import { RequestLogPanel } from './log/RequestLogPanel';
import { NotesPanel } from './NotesPanel';
import { StaffCard } from './StaffCard';

/**
 * The functions page. Each user starts with fresh forms and answers: nothing of the previous
 * user's (a staff answer, a typed password) stays on screen after a sign-in or sign-out.
 */
function Home() {
  const who = useCurrentUser().data?.id ?? 'anonymous';
  return (
    <>
      <p className="intro">
        Each section calls functions written in Rust (<code>examples/demo/src</code>) through the React
        hooks generated from them, then says what Mizan did, read live from the requests this page
        made. The request log lists every one of them.
      </p>
      <CurrentUserCard />
      <GreetCard />
      <CallsCard />
      <StaffCard key={`admin-${who}`} />
      <NotesPanel />
      <ChatPanel key={`chat-${who}`} />
      <AccountPanel key={`account-${who}`} />
    </>
  );
}

// Shown once the server answers `stale_client`: a deploy changed a function this page was built
// against. Unchanged functions keep working, so the page stays usable until the user reloads.
function ReloadBanner() {
  const stale = useMizanStaleClient();
  if (!stale) return null;
  return (
    <p role="alert" data-testid="reload-banner" className="banner">
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
    <>
      <header className="site-header">
        <div className="site-header-inner">
          <div className="brand">
            <h1>Mizan demo</h1>
            <p className="tagline">Typed server functions in Rust, called from React through generated hooks.</p>
          </div>
          <nav aria-label="Pages">
            <a href="/" aria-current={path === '/' ? 'page' : undefined}>
              Functions
            </a>
            <a href="/contact" aria-current={path.startsWith('/contact') ? 'page' : undefined}>
              Contact
            </a>
          </nav>
          <AccountHeader />
        </div>
      </header>
      <ReloadBanner />
      <div className="layout">
        <main className="cards">
          <Page path={path} />
        </main>
        <RequestLogPanel />
      </div>
    </>
  );
}
