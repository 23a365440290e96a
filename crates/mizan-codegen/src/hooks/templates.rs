//! The TypeScript of each kind of hook, with markers the emitter replaces: `__NAME__` (the
//! function's or channel's name), `__P__` (its PascalCase), `__C__` (its camelCase), `__HASH__`
//! (its schema hash) and `__LIVE__` (the live-invalidation line of cached contexts, or nothing).
//!
//! `mizan-react` is imported as `m`, React as `react`, the schemas as `s` and the types as `t`:
//! no generated name can be one of these, so no function's name can shadow an import.

pub(super) const CALL: &str = r#"
/** Calls `__NAME__` (`POST /call/__NAME__`); the input is checked with Zod before it is sent. `options` are TanStack's mutation callbacks, typed with the call's input and output. */
export function use__P__<TContext = unknown>(options?: m.MizanCallOptions<t.__P__Input, t.__P__Output, TContext>): UseMutationResult<t.__P__Output, m.MizanError, t.__P__Input, TContext> {
  return m.useMizanCall<t.__P__Input, t.__P__Output, TContext>("__NAME__", s.__P__InputSchema, { ...options, schemaHash: "__HASH__" });
}
"#;

pub(super) const GLOBAL: &str = r#"
/** The query key of the global context `__NAME__`, typed with its data: for `queryClient.getQueryData` and `setQueryData`. */
export function __C__QueryKey(): m.MizanQueryKey<t.__P__Output> {
  return m.mizanQueryKey<t.__P__Output>("__NAME__", {});
}

/** Refetches the global context `__NAME__` (it never goes stale by itself): after a call changed it, a sign-in for example. */
export function invalidate__P__(queryClient: QueryClient): Promise<void> {
  return m.invalidateMizanContext(queryClient, "__NAME__");
}

/** The global context `__NAME__`: seeded from the page's hydration payload, so the first render makes no request. `select` changes the data's type; `staleTime` is `Infinity` unless given. */
export function use__P__<TData = t.__P__Output>(options?: m.MizanContextOptions<t.__P__Output, TData>): UseQueryResult<TData, m.MizanError> {
__LIVE__  return m.useMizanContext<t.__P__Input, t.__P__Output, TData>("__NAME__", {}, s.__P__InputSchema, { ...options, staleTime: options?.staleTime ?? Infinity, schemaHash: "__HASH__" });
}

/** {@link use__P__} that suspends until the data is there (never, when hydrated): `data` is never `undefined`, and a failure goes to the nearest error boundary. */
export function use__P__Suspense<TData = t.__P__Output>(options?: m.MizanSuspenseContextOptions<t.__P__Output, TData>): UseSuspenseQueryResult<TData, m.MizanError> {
__LIVE__  return m.useMizanSuspenseContext<t.__P__Input, t.__P__Output, TData>("__NAME__", {}, s.__P__InputSchema, { ...options, staleTime: options?.staleTime ?? Infinity, schemaHash: "__HASH__" });
}
"#;

pub(super) const LOCAL: &str = r#"
/** The query key of the local context `__NAME__` with `params` (`rev` default 0), typed with its data, for `queryClient.getQueryData` and `setQueryData`; without params, the prefix of every read of it. */
export function __C__QueryKey(params?: t.__P__Input, rev?: number): m.MizanQueryKey<t.__P__Output> {
  return m.mizanQueryKey<t.__P__Output>("__NAME__", params, rev);
}

/** Refetches the reads of the local context `__NAME__` with `params` (whatever their rev), or without params every read of it: after a call changed what it answers. */
export function invalidate__P__(queryClient: QueryClient, params?: t.__P__Input): Promise<void> {
  return m.invalidateMizanContext(queryClient, "__NAME__", params);
}

/** Reads the local context `__NAME__` (`GET /context/__NAME__?p=...`). `options`: TanStack's `enabled`, `select` (changes the data's type), `placeholderData`, `staleTime`, `meta`, and `rev`. */
export function use__P__Query<TData = t.__P__Output>(params: t.__P__Input, options?: m.MizanContextOptions<t.__P__Output, TData>): UseQueryResult<TData, m.MizanError> {
__LIVE__  return m.useMizanContext<t.__P__Input, t.__P__Output, TData>("__NAME__", params, s.__P__InputSchema, { ...options, schemaHash: "__HASH__" });
}

/** {@link use__P__Query} that suspends until the data is there: `data` is never `undefined`, and a failure goes to the nearest error boundary. */
export function use__P__SuspenseQuery<TData = t.__P__Output>(params: t.__P__Input, options?: m.MizanSuspenseContextOptions<t.__P__Output, TData>): UseSuspenseQueryResult<TData, m.MizanError> {
__LIVE__  return m.useMizanSuspenseContext<t.__P__Input, t.__P__Output, TData>("__NAME__", params, s.__P__InputSchema, { ...options, schemaHash: "__HASH__" });
}

const __P__Context = react.createContext<UseQueryResult<t.__P__Output, m.MizanError> | null>(null);

/** Provides the local context `__NAME__` for these params to {@link use__P__} below it. */
export function __P__Provider(props: t.__P__Input & { children?: react.ReactNode; rev?: number }): react.ReactElement {
  const { children, rev, ...params } = props;
  const result = use__P__Query(params as t.__P__Input, { rev: rev ?? 0 });
  return react.createElement(__P__Context.Provider, { value: result }, children);
}

/** The local context `__NAME__` of the nearest {@link __P__Provider}. */
export function use__P__(): UseQueryResult<t.__P__Output, m.MizanError> {
  const result = react.useContext(__P__Context);
  if (result === null) throw new Error("use__P__() must be called inside <__P__Provider>");
  return result;
}
"#;

pub(super) const CHANNEL: &str = r#"
/** Subscribes to the channel `__NAME__` with `params` while mounted (spec §2.15); `send` checks its data with Zod before sending it. */
export function use__P__Channel(params: t.__P__ChannelParams, options?: m.MizanChannelHookOptions<t.__P__ChannelMessage>): m.UseMizanChannelResult<t.__P__ChannelMessage, t.__P__ChannelIncoming> {
  return m.useMizanChannel<t.__P__ChannelParams, t.__P__ChannelMessage, t.__P__ChannelIncoming>("__NAME__", params, { ...options, paramsSchema: s.__P__ChannelParamsSchema, incomingSchema: s.__P__ChannelIncomingSchema, schemaHash: "__HASH__" });
}
"#;

pub(super) const CHANNEL_NO_INCOMING: &str = r#"
/** Subscribes to the channel `__NAME__` with `params` while mounted (spec §2.15); subscribers do not send to it. */
export function use__P__Channel(params: t.__P__ChannelParams, options?: m.MizanChannelHookOptions<t.__P__ChannelMessage>): Omit<m.UseMizanChannelResult<t.__P__ChannelMessage, never>, "send"> {
  return m.useMizanChannel<t.__P__ChannelParams, t.__P__ChannelMessage>("__NAME__", params, { ...options, paramsSchema: s.__P__ChannelParamsSchema, schemaHash: "__HASH__" });
}
"#;
