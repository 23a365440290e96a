//! React hooks (`hooks.ts`) on the public API of `mizan-react`.

mod templates;

use mizan_core::manifest::{ContextKind, FunctionKind};

use crate::model::Model;
use templates::{CALL, CHANNEL, CHANNEL_NO_INCOMING, GLOBAL, LOCAL};

/// `current_user` / `CurrentUser` -> `currentUser`: the prefix of a context's key helper.
fn camel_case(pascal: &str) -> String {
    let mut chars = pascal.chars();
    chars.next().map_or_else(String::new, |c| {
        c.to_ascii_lowercase().to_string() + chars.as_str()
    })
}

/// Every name `hooks.ts` declares (exported or not) for a function of `kind` whose PascalCase
/// name is `pascal`.
pub(crate) fn declared_names(pascal: &str, kind: FunctionKind) -> Vec<String> {
    let p = pascal;
    let c = camel_case(p);
    match kind {
        FunctionKind::Call => vec![format!("use{p}")],
        FunctionKind::Context(ContextKind::Global) => vec![
            format!("use{p}"),
            format!("use{p}Suspense"),
            format!("{c}QueryKey"),
            format!("invalidate{p}"),
        ],
        FunctionKind::Context(ContextKind::Local) => vec![
            format!("use{p}Query"),
            format!("use{p}SuspenseQuery"),
            format!("{p}Context"),
            format!("{p}Provider"),
            format!("use{p}"),
            format!("{c}QueryKey"),
            format!("invalidate{p}"),
        ],
    }
}

/// `hooks.ts`: per call a mutation hook; per global context its key and invalidation helpers, a
/// hook and a suspense hook; per local context the same plus a provider and its hook. Hooks take
/// TanStack Query's options (typed with the function's input and output; a context's `select`
/// changes the data's type) but not the query key or function, which stay `mizan-react`'s. Each
/// sends the schema hash of the function it was generated for, so a server with another version
/// of it answers `stale_client` (§2.7). Then a hook per channel, whose result has `send` only when
/// subscribers may send to it. The hooks of contexts with a cache policy turn live invalidation
/// on.
pub(crate) fn emit(model: &Model, header: &str) -> String {
    let mut out = String::from(header);
    out.push('\n');
    let has = |kind: FunctionKind| model.functions.iter().any(|f| f.kind == kind);
    let has_contexts = model.functions.iter().any(|f| f.kind.is_context());
    if has(FunctionKind::LOCAL_CONTEXT) {
        out.push_str("import * as react from \"react\";\n");
    }
    // Only the types in use, so that an app compiled with `noUnusedLocals` accepts the file.
    let mut tanstack_types = Vec::new();
    if has_contexts {
        tanstack_types.push("QueryClient");
    }
    if has(FunctionKind::Call) {
        tanstack_types.push("UseMutationResult");
    }
    if has_contexts {
        tanstack_types.extend(["UseQueryResult", "UseSuspenseQueryResult"]);
    }
    if !tanstack_types.is_empty() {
        out.push_str(&format!(
            "import type {{ {} }} from \"@tanstack/react-query\";\n",
            tanstack_types.join(", ")
        ));
    }
    out.push_str("import * as m from \"mizan-react\";\n");
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
                .replace("__C__", &camel_case(&f.pascal))
                .replace("__HASH__", &f.schema_hash)
                .replace(
                    "__LIVE__",
                    if f.cache.is_some() {
                        // Cached contexts are refetched when other callers purge their tags
                        // (§2.16.5).
                        "  m.useMizanLiveInvalidation();\n"
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

#[cfg(test)]
mod tests {
    use super::camel_case;

    #[test]
    fn camel_case_lowers_the_first_letter_only() {
        assert_eq!(camel_case("CurrentUser"), "currentUser");
        assert_eq!(camel_case("AdminStats"), "adminStats");
        assert_eq!(camel_case("X"), "x");
        assert_eq!(camel_case(""), "");
    }
}
