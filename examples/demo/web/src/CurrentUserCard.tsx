import { readHydration, useMizanClient } from 'mizan-react';
import { useState } from 'react';
import { Explain } from './Explain';
import { contextReadsSinceLoad } from './log/requests';
import { useRequestLog } from './log/useRequestLog';
import { useCurrentUser } from './mizan';

/**
 * The global context `current_user`: the server put its value in the page (spec §2.8), so the
 * first render shows it without asking; the log proves no request was made for it.
 */
export function CurrentUserCard() {
  const user = useCurrentUser().data;
  const baseUrl = useMizanClient().baseUrl;
  const reads = contextReadsSinceLoad(useRequestLog(), baseUrl, 'current_user');
  // Read once: the element stays in the page, but only its first reading seeded the cache.
  const [hydrated] = useState(() => readHydration()?.contexts.current_user !== undefined);
  return (
    <section className="card" aria-labelledby="current-user-title">
      <h2 id="current-user-title">Who is signed in</h2>
      <p>
        {user === undefined
          ? 'Loading…'
          : user.authenticated
            ? `${user.email ?? user.id ?? ''}${user.superuser ? ', superuser' : user.staff ? ', staff' : ''}`
            : 'Nobody: you are anonymous. Sign in with the buttons at the top.'}
      </p>
      <Explain testId="current-user-facts">
        <li>
          The page came with <code>current_user</code> inside it, in{' '}
          <code>&lt;script id="mizan-hydration"&gt;</code>: <strong>{hydrated ? 'yes' : 'no'}</strong>.
        </li>
        <li>
          Requests made for it since the page loaded:{' '}
          <strong data-testid="current-user-requests">{reads}</strong>
          {reads === 0
            ? '. The first render used the value in the page.'
            : '. It was read again after the session changed.'}
        </li>
      </Explain>
    </section>
  );
}
