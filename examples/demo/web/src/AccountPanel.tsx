// Accounts through the generated hooks of the accounts module: who is signed in (the global
// context `current_user`, hydrated from the page), signing up, in and out.
import { useQueryClient } from '@tanstack/react-query';
import { channelSocket, useMizanClient } from 'mizan-react';
import { useState, type FormEvent } from 'react';
import {
  invalidateCurrentUser,
  useAuthLogin,
  useAuthLogout,
  useAuthSignup,
  useCurrentUser,
  useDemoSignIn,
} from './mizan';
import { describe } from './describe';
import { Explain } from './Explain';
import { useRequestLog } from './log/useRequestLog';

/**
 * Refetches `current_user` after a sign-in or sign-out: the server changed the session cookie,
 * and the context answers for whoever the next request's cookie names. Its query never goes stale
 * by itself (`staleTime: Infinity`), so it must be told.
 */
function useRefreshCurrentUser(): () => Promise<void> {
  const queryClient = useQueryClient();
  const client = useMizanClient();
  return () => {
    // The channel socket's principal is its upgrade's cookie (spec §2.15.2): a new socket carries
    // the new session, and the chat resumes on it without losing a message.
    channelSocket(client).reconnect();
    return invalidateCurrentUser(queryClient);
  };
}

/** Who is signed in, and the buttons that change it: on every page. */
export function AccountHeader() {
  const user = useCurrentUser();
  const refresh = useRefreshCurrentUser();
  const logout = useAuthLogout();
  // The development sign-in (`--dev` only): a real session for a fixture user, without a password.
  const signIn = useDemoSignIn();
  const become = (name: string) => signIn.mutate({ user: name }, { onSuccess: refresh });
  const data = user.data;
  const error = logout.error ?? signIn.error;
  return (
    <div className="account-header">
      <strong data-testid="current-user" className="who">
        {data === undefined
          ? 'Loading…'
          : data.authenticated
            ? `Signed in as ${data.email ?? data.id ?? ''}${data.superuser ? ' (superuser)' : data.staff ? ' (staff)' : ''}`
            : 'Not signed in'}
      </strong>{' '}
      {data?.authenticated ? (
        <button onClick={() => logout.mutate({}, { onSuccess: refresh })}>Log out</button>
      ) : null}{' '}
      <button onClick={() => become('ada')}>Sign in as ada</button>{' '}
      <button onClick={() => become('grace')}>Sign in as grace (staff)</button>
      {error ? <span role="alert"> {describe(error)}</span> : null}
    </div>
  );
}

/** An email and a password, and a button: the sign-up and log-in forms. */
function Credentials({
  action,
  pending,
  onSubmit,
}: {
  action: string;
  pending: boolean;
  onSubmit: (email: string, password: string) => void;
}) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit(email, password);
  };
  return (
    <form onSubmit={submit} className="credentials">
      <input
        aria-label={`${action} email`}
        type="email"
        placeholder="Email"
        autoComplete="email"
        value={email}
        onChange={(e) => setEmail(e.target.value)}
      />
      <input
        aria-label={`${action} password`}
        type="password"
        placeholder="Password"
        autoComplete={action === 'Sign up' ? 'new-password' : 'current-password'}
        value={password}
        onChange={(e) => setPassword(e.target.value)}
      />
      <button type="submit" disabled={pending}>
        {action}
      </button>
    </form>
  );
}

/** Where the session is and how writes are protected, read live from the page and the log. */
function AccountFacts() {
  const posts = useRequestLog().entries.filter((entry) => entry.method === 'POST');
  const user = useCurrentUser().data;
  // Re-read at each render: the log changes with every request, so this stays current.
  const cookieVisible = document.cookie.includes('mizan_session');
  return (
    <Explain testId="account-facts">
      <li>
        A sign-in starts a session in an <code>HttpOnly</code> cookie, so page scripts never see it.{' '}
        {user?.authenticated ? (
          <>
            Visible to this page's scripts: <strong>{cookieVisible ? 'yes' : 'no'}</strong>.
          </>
        ) : null}
      </li>
      <li>
        Every <code>POST</code> carries <code>X-Mizan-CSRF</code>, which another site's form cannot
        send.{' '}
        {posts.length > 0 ? (
          <>
            POSTs in the log with it:{' '}
            <strong>
              {posts.filter((entry) => entry.csrf).length} of {posts.length}
            </strong>
            .
          </>
        ) : null}
      </li>
    </Explain>
  );
}

/**
 * Signing up and logging in. Signing up does not sign in: the server answers alike whether or not
 * the email had an account, so that nobody learns which emails do.
 */
export function AccountPanel() {
  const signup = useAuthSignup();
  const login = useAuthLogin();
  const refresh = useRefreshCurrentUser();
  return (
    <section className="card" aria-labelledby="account-title">
      <h2 id="account-title">Accounts: sign up and log in</h2>
      <h3>Sign up</h3>
      <Credentials
        action="Sign up"
        pending={signup.isPending}
        onSubmit={(email, password) => signup.mutate({ email, password })}
      />
      <p data-testid="signup-result" role={signup.error ? 'alert' : 'status'}>
        {signup.data ? signup.data.message : signup.error ? describe(signup.error) : ''}
      </p>
      <h3>Log in</h3>
      <Credentials
        action="Log in"
        pending={login.isPending}
        onSubmit={(email, password) => login.mutate({ email, password }, { onSuccess: refresh })}
      />
      <p data-testid="login-error" role="alert">
        {login.error ? describe(login.error) : ''}
      </p>
      <AccountFacts />
    </section>
  );
}
