//! React hooks (`hooks.ts`) on the public API of `mizan-react`.

use mizan_core::manifest::{ContextKind, FunctionKind};

use crate::model::Model;

const CALL: &str = r#"
/** Calls `__NAME__` (`POST /call/__NAME__`); the input is checked with Zod before it is sent. */
export function use__P__(): UseMutationResult<t.__P__Output, MizanError, t.__P__Input> {
  return useMizanCall<t.__P__Input, t.__P__Output>("__NAME__", s.__P__InputSchema, "__HASH__");
}
"#;

const GLOBAL: &str = r#"
/** The global context `__NAME__`: seeded from the page's hydration payload, so the first render makes no request. */
export function use__P__(options?: { rev?: number }): UseQueryResult<t.__P__Output, MizanError> {
__LIVE__  return useMizanContext<t.__P__Input, t.__P__Output>("__NAME__", {}, s.__P__InputSchema, { rev: options?.rev ?? 0, staleTime: Infinity, schemaHash: "__HASH__" });
}
"#;

const LOCAL: &str = r#"
/** Reads the local context `__NAME__` (`GET /context/__NAME__?p=...`). */
export function use__P__Query(params: t.__P__Input, options?: { rev?: number }): UseQueryResult<t.__P__Output, MizanError> {
__LIVE__  return useMizanContext<t.__P__Input, t.__P__Output>("__NAME__", params, s.__P__InputSchema, { rev: options?.rev ?? 0, schemaHash: "__HASH__" });
}

const __P__Context = createContext<UseQueryResult<t.__P__Output, MizanError> | null>(null);

/** Provides the local context `__NAME__` for these params to {@link use__P__} below it. */
export function __P__Provider(props: t.__P__Input & { children?: ReactNode; rev?: number }): ReactElement {
  const { children, rev, ...params } = props;
  const result = use__P__Query(params as t.__P__Input, { rev: rev ?? 0 });
  return createElement(__P__Context.Provider, { value: result }, children);
}

/** The local context `__NAME__` of the nearest {@link __P__Provider}. */
export function use__P__(): UseQueryResult<t.__P__Output, MizanError> {
  const result = useContext(__P__Context);
  if (result === null) throw new Error("use__P__() must be called inside <__P__Provider>");
  return result;
}
"#;

const CHANNEL: &str = r#"
/** Subscribes to the channel `__NAME__` with `params` while mounted (spec §2.15); `send` checks its data with Zod before sending it. */
export function use__P__Channel(params: t.__P__ChannelParams, options?: MizanChannelHookOptions<t.__P__ChannelMessage>): UseMizanChannelResult<t.__P__ChannelMessage, t.__P__ChannelIncoming> {
  return useMizanChannel<t.__P__ChannelParams, t.__P__ChannelMessage, t.__P__ChannelIncoming>("__NAME__", params, { ...options, paramsSchema: s.__P__ChannelParamsSchema, incomingSchema: s.__P__ChannelIncomingSchema, schemaHash: "__HASH__" });
}
"#;

const CHANNEL_NO_INCOMING: &str = r#"
/** Subscribes to the channel `__NAME__` with `params` while mounted (spec §2.15); subscribers do not send to it. */
export function use__P__Channel(params: t.__P__ChannelParams, options?: MizanChannelHookOptions<t.__P__ChannelMessage>): Omit<UseMizanChannelResult<t.__P__ChannelMessage, never>, "send"> {
  return useMizanChannel<t.__P__ChannelParams, t.__P__ChannelMessage>("__NAME__", params, { ...options, paramsSchema: s.__P__ChannelParamsSchema, schemaHash: "__HASH__" });
}
"#;

/// `hooks.ts`: a mutation hook per call, a hook per global context, and a query hook plus a
/// provider and its hook per local context. Each sends the schema hash of the function it was
/// generated for, so a server with another version of it answers `stale_client` (§2.7). Then a
/// hook per channel, whose result has `send` only when subscribers may send to it. The hooks of
/// contexts with a cache policy turn live invalidation on.
pub(crate) fn emit(model: &Model, header: &str) -> String {
    let mut out = String::from(header);
    out.push('\n');
    if model
        .functions
        .iter()
        .any(|f| f.kind == FunctionKind::LOCAL_CONTEXT)
    {
        out.push_str("import { createContext, createElement, useContext, type ReactElement, type ReactNode } from \"react\";\n");
    }
    out.push_str(
        "import type { UseMutationResult, UseQueryResult } from \"@tanstack/react-query\";\n",
    );
    out.push_str(
        "import { useMizanCall, useMizanContext, type MizanError } from \"mizan-react\";\n",
    );
    if !model.channels.is_empty() {
        // Only with channels, so that a manifest without any generates the file it always did.
        out.push_str("import { useMizanChannel, type MizanChannelHookOptions, type UseMizanChannelResult } from \"mizan-react\";\n");
    }
    if model.functions.iter().any(|f| f.cache.is_some()) {
        // Cached contexts are refetched when other callers purge their tags (§2.16.5).
        out.push_str("import { useMizanLiveInvalidation } from \"mizan-react\";\n");
    }
    out.push_str("import * as s from \"./schemas.js\";\nimport type * as t from \"./types.js\";\n");
    for f in &model.functions {
        let template = match f.kind {
            FunctionKind::Call => CALL,
            FunctionKind::Context(ContextKind::Global) => GLOBAL,
            FunctionKind::Context(ContextKind::Local) => LOCAL,
        };
        // Names are checked identifiers, function names never contain quotes or markers, and
        // schema hashes are checked base64url.
        out.push_str(
            &template
                .replace("__NAME__", &f.name)
                .replace("__P__", &f.pascal)
                .replace("__HASH__", &f.schema_hash)
                .replace(
                    "__LIVE__",
                    if f.cache.is_some() {
                        "  useMizanLiveInvalidation();\n"
                    } else {
                        ""
                    },
                ),
        );
    }
    for c in &model.channels {
        let template = if c.incoming.is_some() {
            CHANNEL
        } else {
            CHANNEL_NO_INCOMING
        };
        // As for functions: checked names and schema hashes.
        out.push_str(
            &template
                .replace("__NAME__", &c.name)
                .replace("__P__", &c.pascal)
                .replace("__HASH__", &c.schema_hash),
        );
    }
    out
}
