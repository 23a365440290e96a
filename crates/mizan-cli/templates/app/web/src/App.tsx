import { isMizanError } from 'mizan-react';
import { useState, type FormEvent, type ReactElement } from 'react';
// Generated from the Rust functions (src/functions.rs) by `cargo run -- --mizan-generate web/src/mizan`.
import { GreetProvider, useAdminStats, useCurrentUser, useEcho, useGreet } from './mizan';

/** An error as the server reported it: its status, code and message. */
function describe(error: unknown): string {
  return isMizanError(error) ? `${error.status} ${error.code}: ${error.message}` : String(error);
}

function CurrentUser(): ReactElement {
  const user = useCurrentUser().data;
  return (
    <p data-testid="current-user">
      {user?.id ? `Signed in as ${user.id}${user.staff ? ' (staff)' : ''}` : 'Not signed in'}
    </p>
  );
}

function Echo(): ReactElement {
  const echo = useEcho();
  const [text, setText] = useState('Hello');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    echo.mutate({ text });
  };
  return (
    <section>
      <h2>A call: echo</h2>
      <form onSubmit={submit}>
        <input aria-label="text" value={text} onChange={(event) => setText(event.target.value)} />{' '}
        <button type="submit">Send</button>
      </form>
      {echo.data && <p>{`${echo.data.message} (echo #${echo.data.count})`}</p>}
      {echo.error && <p className="error">{describe(echo.error)}</p>}
    </section>
  );
}

function GreetingText(): ReactElement {
  const greeting = useGreet();
  if (greeting.error) return <p className="error">{describe(greeting.error)}</p>;
  return <p>{greeting.data ? greeting.data.text : 'Loading…'}</p>;
}

function Greet(): ReactElement {
  const [name, setName] = useState('Ada');
  return (
    <section>
      <h2>A context: greet</h2>
      <input aria-label="name" value={name} onChange={(event) => setName(event.target.value)} />
      <GreetProvider name={name}>
        <GreetingText />
      </GreetProvider>
    </section>
  );
}

function AdminStats(): ReactElement {
  const stats = useAdminStats();
  return (
    <section>
      <h2>Staff only: admin.stats</h2>
      <button onClick={() => stats.mutate({})}>Load the server's statistics</button>
      {stats.data && <p>{`${stats.data.echoes} echoes served`}</p>}
      {stats.error && <p className="error">{describe(stats.error)}</p>}
    </section>
  );
}

export function App(): ReactElement {
  return (
    <main>
      <h1>{{name}}</h1>
      <CurrentUser />
      <Echo />
      <Greet />
      <AdminStats />
    </main>
  );
}
