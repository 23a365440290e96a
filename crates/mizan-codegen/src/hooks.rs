//! React hooks (`hooks.ts`) on the public API of `mizan-react`.

use crate::model::{Kind, Model};

const CALL: &str = r#"
/** Calls `__NAME__` (`POST /call/__NAME__`); the input is checked with Zod before it is sent. */
export function use__P__(): UseMutationResult<t.__P__Output, MizanError, t.__P__Input> {
  return useMizanCall<t.__P__Input, t.__P__Output>("__NAME__", s.__P__InputSchema);
}
"#;

const GLOBAL: &str = r#"
/** The global context `__NAME__`: seeded from the page's hydration payload, so the first render makes no request. */
export function use__P__(options?: { rev?: number }): UseQueryResult<t.__P__Output, MizanError> {
  return useMizanContext<t.__P__Input, t.__P__Output>("__NAME__", {}, s.__P__InputSchema, { rev: options?.rev ?? 0, staleTime: Infinity });
}
"#;

const LOCAL: &str = r#"
/** Reads the local context `__NAME__` (`GET /context/__NAME__?p=...`). */
export function use__P__Query(params: t.__P__Input, options?: { rev?: number }): UseQueryResult<t.__P__Output, MizanError> {
  return useMizanContext<t.__P__Input, t.__P__Output>("__NAME__", params, s.__P__InputSchema, { rev: options?.rev ?? 0 });
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

/// `hooks.ts`: a mutation hook per call, a hook per global context, and a query hook plus a
/// provider and its hook per local context.
pub(crate) fn emit(model: &Model, header: &str) -> String {
    let mut out = String::from(header);
    out.push('\n');
    if model.functions.iter().any(|f| f.kind == Kind::LocalContext) {
        out.push_str("import { createContext, createElement, useContext, type ReactElement, type ReactNode } from \"react\";\n");
    }
    out.push_str(
        "import type { UseMutationResult, UseQueryResult } from \"@tanstack/react-query\";\n",
    );
    out.push_str(
        "import { useMizanCall, useMizanContext, type MizanError } from \"mizan-react\";\n",
    );
    out.push_str("import * as s from \"./schemas.js\";\nimport type * as t from \"./types.js\";\n");
    for f in &model.functions {
        let template = match f.kind {
            Kind::Call => CALL,
            Kind::GlobalContext => GLOBAL,
            Kind::LocalContext => LOCAL,
        };
        // Names are checked identifiers and function names never contain quotes or markers.
        out.push_str(
            &template
                .replace("__NAME__", &f.name)
                .replace("__P__", &f.pascal),
        );
    }
    out
}
