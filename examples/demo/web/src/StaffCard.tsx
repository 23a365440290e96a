import { isMizanError } from 'mizan-react';
import { describe } from './describe';
import { Explain } from './Explain';
import { useAdminStats } from './mizan';

/** The server's refusal of a staff-only call, and what it means here. */
function refusal(error: unknown): string {
  if (isMizanError(error) && error.status === 401) return `${describe(error)} (sign in first)`;
  if (isMizanError(error) && error.status === 403) return `${describe(error)} (staff only)`;
  return describe(error);
}

/** What the refusal means, in the terms of the call's `auth = "staff"`. */
function why(status: number): string {
  if (status === 401) return 'nobody is signed in, so the server cannot tell who asks';
  if (status === 403) return 'you are signed in, but not as staff';
  return 'the call did not run';
}

/** `admin.stats`, declared `auth = "staff"`: the server refuses everyone else before it runs. */
export function StaffCard() {
  const stats = useAdminStats();
  const error = stats.error;
  return (
    <section className="card" aria-labelledby="staff-title">
      <h2 id="staff-title">Staff only: auth checks</h2>
      <p>
        <button onClick={() => stats.mutate({})}>Load server stats</button>
      </p>
      <p data-testid="admin-result" className="answer" role={stats.error ? 'alert' : 'status'}>
        {stats.data ? `echoes: ${stats.data.echoes}` : stats.error ? refusal(stats.error) : ''}
      </p>
      <Explain testId="staff-facts">
        <li>
          <code>admin.stats</code> is declared <code>auth = "staff"</code>: the server checks the
          caller before the function runs, and the client gets a typed error.
        </li>
        {error ? (
          <li>
            Refused with status <strong data-testid="admin-status">{error.status}</strong> and code{' '}
            <strong data-testid="admin-code">{error.code}</strong>: {why(error.status)}.
          </li>
        ) : stats.data ? (
          <li>Allowed: you are staff, so the function ran.</li>
        ) : null}
      </Explain>
    </section>
  );
}
