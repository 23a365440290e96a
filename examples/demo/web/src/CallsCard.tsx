import { useMizanClient } from 'mizan-react';
import { useState, type FormEvent } from 'react';
import { describe } from './describe';
import { Explain } from './Explain';
import { apiPath, carriesCall, shownStatus } from './log/requests';
import { useRequestLog, useRequestLogStore } from './log/useRequestLog';
import { useEcho } from './mizan';

/** How many calls the batch button makes in one click. */
const BATCH_SIZE = 3;

function EchoForm() {
  const echo = useEcho();
  const [text, setText] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    echo.mutate({ text });
  };
  return (
    <form onSubmit={submit} className="inline-form">
      <input aria-label="echo text" placeholder="Say something" value={text} onChange={(e) => setText(e.target.value)} />
      <button type="submit">Send</button>
      <p data-testid="echo-result" className="answer">
        {echo.data ? `${echo.data.message} (#${echo.data.count})` : echo.error ? describe(echo.error) : ''}
      </p>
    </form>
  );
}

/** One click, {@link BATCH_SIZE} calls in the same tick: the client sends them as one request. */
function BatchDemo() {
  const echo = useEcho();
  const log = useRequestLogStore();
  const { entries } = useRequestLog();
  const baseUrl = useMizanClient().baseUrl;
  const [run, setRun] = useState<{ from: number; answers: string[] } | null>(null);
  const fire = () => {
    const from = log.nextId();
    setRun({ from, answers: [] });
    const calls = Array.from({ length: BATCH_SIZE }, (_, i) => echo.mutateAsync({ text: `ping ${i + 1}` }));
    void Promise.allSettled(calls).then((results) =>
      setRun({
        from,
        answers: results.map((result) =>
          result.status === 'fulfilled' ? `#${result.value.count}` : describe(result.reason),
        ),
      }),
    );
  };
  // The requests that carried this click's calls, oldest first.
  const sent = run ? entries.filter((entry) => entry.id >= run.from && carriesCall(entry, baseUrl, 'echo')).reverse() : [];
  return (
    <>
      <p>
        <button type="button" onClick={fire}>
          Echo {BATCH_SIZE} times at once
        </button>
        {run && run.answers.length > 0 ? <span className="answer"> answers {run.answers.join(', ')}</span> : null}
      </p>
      <Explain testId="batch-facts">
        <li>
          Calls made in the same tick go out together as one <code>POST /batch</code> (one round trip,
          one authentication on the server); each promise still settles with its own result.
        </li>
        {run ? (
          <li data-testid="batch-result">
            This click: <strong>{BATCH_SIZE} calls</strong> in{' '}
            <strong>
              {sent.length} {sent.length === 1 ? 'request' : 'requests'}
            </strong>
            {sent.map((entry) => (
              <span key={entry.id}>
                {' '}
                · <code>{`${entry.method} ${apiPath(entry, baseUrl)}`}</code>
                {entry.calls ? ` carrying ${entry.calls.length} calls` : ''} → {shownStatus(entry)}
              </span>
            ))}
          </li>
        ) : null}
      </Explain>
    </>
  );
}

/** Calls (spec §2.2): `echo`, alone from a form, and several at once. */
export function CallsCard() {
  return (
    <section className="card" aria-labelledby="calls-title">
      <h2 id="calls-title">Echo: calls, batched</h2>
      <EchoForm />
      <BatchDemo />
    </section>
  );
}
