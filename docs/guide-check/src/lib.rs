//! The Rust snippets of the guide (`docs/guide/src/*.md`) and of the README, compiled and run as
//! doctests (`cargo test -p mizan-guide-check --doc`, part of `cargo test --workspace`), so the
//! guide cannot drift from the API.
//!
//! Each chapter is the documentation of one item that exists only under `cfg(doctest)`: the crate
//! is empty in every other build, and nothing outside the published crates' own folders is
//! included by them. `docs/guide-check/check-snippets.mjs` refuses a Markdown file with a ` ```rust `
//! block that is not listed here, and type-checks the TypeScript snippets.

/// Includes one Markdown file as the documentation of an empty doctest-only item.
macro_rules! chapter {
    ($item:ident, $path:literal) => {
        #[cfg(doctest)]
        #[doc = include_str!($path)]
        pub struct $item;
    };
}

chapter!(Readme, "../../../README.md");
chapter!(Introduction, "../../guide/src/introduction.md");
chapter!(GettingStarted, "../../guide/src/getting-started.md");
chapter!(Functions, "../../guide/src/functions.md");
chapter!(Auth, "../../guide/src/auth.md");
chapter!(Errors, "../../guide/src/errors.md");
chapter!(Contexts, "../../guide/src/contexts-and-caching.md");
chapter!(React, "../../guide/src/react.md");
chapter!(Forms, "../../guide/src/forms.md");
chapter!(Accounts, "../../guide/src/accounts.md");
chapter!(Channels, "../../guide/src/channels.md");
chapter!(Codegen, "../../guide/src/codegen.md");
chapter!(Deployment, "../../guide/src/deployment.md");
chapter!(Architecture, "../../guide/src/architecture.md");
