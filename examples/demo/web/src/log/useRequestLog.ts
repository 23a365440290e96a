import { createContext, createElement, useContext, useSyncExternalStore, type ReactElement, type ReactNode } from 'react';
import type { RequestLog, RequestLogSnapshot } from './requestLog';

const RequestLogContext = createContext<RequestLog | null>(null);

/** Makes `log` the request log of everything below it. */
export function RequestLogProvider({ log, children }: { log: RequestLog; children?: ReactNode }): ReactElement {
  return createElement(RequestLogContext.Provider, { value: log }, children);
}

/** The request log of the nearest {@link RequestLogProvider}. */
export function useRequestLogStore(): RequestLog {
  const log = useContext(RequestLogContext);
  if (log === null) throw new Error('useRequestLog() must be called inside <RequestLogProvider>');
  return log;
}

/** The request log now; the component renders again whenever it changes. */
export function useRequestLog(): RequestLogSnapshot {
  const log = useRequestLogStore();
  return useSyncExternalStore(log.subscribe, log.snapshot);
}
