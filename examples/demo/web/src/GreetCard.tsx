import { useMizanClient } from 'mizan-react';
import { useState } from 'react';
import { describe } from './describe';
import { Explain } from './Explain';
import { apiPath, contextParams, isContextRead } from './log/requests';
import { useRequestLog } from './log/useRequestLog';
import { GreetProvider, useGreet } from './mizan';

function GreetingText() {
  const greeting = useGreet();
  return (
    <p data-testid="greeting" className="answer">
      {greeting.data ? greeting.data.text : greeting.error ? describe(greeting.error) : 'Loading…'}
    </p>
  );
}

/** What the last read of `greet` was, from the log: its URL and how it was answered. */
function GreetFacts() {
  const greeting = useGreet();
  const baseUrl = useMizanClient().baseUrl;
  const { entries } = useRequestLog();
  // The newest read that got an answer: one aborted as the name changed says nothing.
  const last = entries.find((entry) => isContextRead(entry, baseUrl, 'greet') && entry.status !== 0);
  const answer =
    last === undefined || last.status === undefined
      ? '…'
      : last.httpCache === 'revalidated'
        ? '304 Not Modified'
        : `${last.status}${last.error === undefined ? '' : ` ${last.error}`}`;
  return (
    <Explain testId="greet-facts">
      <li>
        A context is read with a canonical <code>GET</code>: the same params always make the same
        URL, so the browser and any CDN can cache it.{' '}
        {last ? (
          <>
            Params <code>{contextParams(last)}</code> →{' '}
            <code className="url" data-testid="greet-url">
              {baseUrl}
              {apiPath(last, baseUrl)}
            </code>
          </>
        ) : null}
      </li>
      <li>
        Last answer: <strong data-testid="greet-status">{answer}</strong>
        {last?.httpCache === 'revalidated'
          ? '. The browser sent its copy’s ETag (If-None-Match) and the server answered that it is unchanged, without a body.'
          : last?.cacheStatus
            ? ` (server cache: ${last.cacheStatus}).`
            : '.'}{' '}
        <button type="button" onClick={() => void greeting.refetch()} disabled={greeting.isFetching}>
          Read again
        </button>
      </li>
    </Explain>
  );
}

/** The local context `greet(name)`, read as the name is typed. */
export function GreetCard() {
  const [name, setName] = useState('Ada');
  return (
    <section className="card" aria-labelledby="greet-title">
      <h2 id="greet-title">Greet: a cached read</h2>
      <label className="field">
        <span>Name</span>
        <input aria-label="name" value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <GreetProvider name={name}>
        <GreetingText />
        <GreetFacts />
      </GreetProvider>
    </section>
  );
}
