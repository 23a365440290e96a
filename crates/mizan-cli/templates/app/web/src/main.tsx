import { QueryClient } from '@tanstack/react-query';
import { createMizanClient, MizanProvider, readHydration } from 'mizan-react';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';

// The server embeds the global contexts (the current user) in the page: no request for them.
const hydration = readHydration();
// Every POST carries X-Mizan-CSRF, which the server asks of cookie-authenticated writes.
const client = createMizanClient();
const queryClient = new QueryClient();

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <MizanProvider client={client} queryClient={queryClient} {...(hydration ? { hydration } : {})}>
        <App />
      </MizanProvider>
    </StrictMode>,
  );
}
