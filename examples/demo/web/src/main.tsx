import { QueryClient } from '@tanstack/react-query';
import { createMizanClient, MizanProvider, readHydration } from 'mizan-react';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { createRequestLog } from './log/requestLog';
import { RequestLogProvider } from './log/useRequestLog';
import './styles.css';

// The server embeds the global contexts in the page, so the first render needs no request.
const hydration = readHydration();
// Every request the client makes goes through the log's `fetch` (and its socket through the log's
// `WebSocket`): the page's request log panel shows them. Every POST carries X-Mizan-CSRF, which
// the server asks of cookie-authenticated writes.
const log = createRequestLog();
const client = createMizanClient({ fetch: log.fetch, channels: { WebSocket: log.WebSocket } });
const queryClient = new QueryClient();

// `createRoot`, not `hydrateRoot`: on a form's page (`/contact`) the root already holds the
// server's HTML of the form for browsers without JavaScript, which React must replace (its first
// render clears the root) rather than adopt: the React form is not the same markup.
const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <RequestLogProvider log={log}>
        <MizanProvider client={client} queryClient={queryClient} {...(hydration ? { hydration } : {})}>
          <App />
        </MizanProvider>
      </RequestLogProvider>
    </StrictMode>,
  );
}
