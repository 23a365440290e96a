import { useMizanClient } from 'mizan-react';
import { REQUEST_LOG_LIMIT, type LoggedRequest } from './requestLog';
import { apiPath, contextParams, shownStatus, statusKind } from './requests';
import { useRequestLog, useRequestLogStore } from './useRequestLog';

/** The details of one request worth a second line: what Mizan did beyond the status. */
function details(entry: LoggedRequest, baseUrl: string): string[] {
  const out: string[] = [];
  if (entry.method === 'GET' && apiPath(entry, baseUrl).includes('?p=')) out.push(`params ${contextParams(entry)}`);
  if (entry.calls !== undefined) out.push(`${entry.calls.length} calls: ${entry.calls.join(', ')}`);
  if (entry.results !== undefined && entry.results.some((result) => result !== 'ok')) {
    out.push(`results: ${entry.results.join(', ')}`);
  }
  if (entry.httpCache === 'revalidated') out.push('revalidated: If-None-Match → 304, no body');
  if (entry.httpCache === 'stored') out.push('from the browser cache');
  if (entry.cacheStatus !== undefined) out.push(`server cache: ${entry.cacheStatus}`);
  if (entry.invalidated !== undefined) {
    out.push(`purged ${entry.invalidated.join(' ')}${entry.rev === undefined ? '' : ` → rev ${entry.rev}`}`);
  }
  if (entry.method === 'WS') out.push(`frames ↑${entry.framesOut} ↓${entry.framesIn}`);
  if (entry.error !== undefined) out.push(entry.error);
  return out;
}

function Row({ entry, baseUrl }: { entry: LoggedRequest; baseUrl: string }) {
  const path = apiPath(entry, baseUrl);
  const more = details(entry, baseUrl);
  return (
    <li
      className="log-row"
      data-testid="logged-request"
      data-method={entry.method}
      data-path={path}
      data-status={shownStatus(entry)}
      data-calls={entry.calls?.length}
    >
      <span className="log-method">{entry.method}</span>
      <span className="log-path" title={path}>
        {path}
      </span>
      <span className={`log-status log-status-${statusKind(entry)}`}>{shownStatus(entry)}</span>
      <span className="log-ms">{entry.ms === undefined ? '' : `${Math.round(entry.ms)} ms`}</span>
      {more.length > 0 ? <span className="log-details">{more.join(' · ')}</span> : null}
    </li>
  );
}

/**
 * Every request the page's Mizan client made, newest first: the proof of what each section says.
 * The hydrated first render shows none for `current_user`.
 */
export function RequestLogPanel() {
  const { entries } = useRequestLog();
  const log = useRequestLogStore();
  const baseUrl = useMizanClient().baseUrl;
  return (
    <aside className="log-panel" aria-labelledby="request-log-title">
      <div className="log-head">
        <h2 id="request-log-title">Requests</h2>
        <button type="button" className="quiet" onClick={log.clear} disabled={entries.length === 0}>
          Clear
        </button>
      </div>
      <p className="log-note">
        What this page's Mizan client sent to <code>{baseUrl}</code>, newest first; the last{' '}
        {REQUEST_LOG_LIMIT} are kept.
      </p>
      {entries.length === 0 ? (
        <p className="log-empty" data-testid="request-log-empty">
          No request yet: the page rendered from the HTML it came with.
        </p>
      ) : null}
      <ol className="log" data-testid="request-log">
        {entries.map((entry) => (
          <Row key={entry.id} entry={entry} baseUrl={baseUrl} />
        ))}
      </ol>
    </aside>
  );
}
