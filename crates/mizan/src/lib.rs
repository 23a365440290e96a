//! Typed server functions for axum: write a Rust function, mark it `#[mizan::client]`, register
//! it by name, and mount Mizan at `/api/mizan`.
//!
//! ```
//! use axum::Router;
//! use mizan::{Mizan, Registry, Request, Result};
//! use schemars::JsonSchema;
//! use serde::Serialize;
//!
//! #[derive(Serialize, JsonSchema)]
//! struct Output {
//!     message: String,
//! }
//!
//! /// Says back what it was told.
//! #[mizan::client]
//! async fn echo(_req: &Request, text: String) -> Result<Output> {
//!     Ok(Output { message: text })
//! }
//!
//! /// A greeting, cached by URL: `GET /api/mizan/context/greet?p=...`.
//! #[mizan::client(context = "local")]
//! fn greet(_req: &Request, name: String) -> Result<String> {
//!     Ok(format!("Hello, {name}!"))
//! }
//!
//! /// Only staff may call this.
//! #[mizan::client(auth = "staff")]
//! async fn purge(_req: &Request) -> Result<u32> {
//!     Ok(0)
//! }
//!
//! let mut registry = Registry::new();
//! registry.register(echo, "echo")?.register(greet, "greet")?.register(purge, "admin.purge")?;
//! let app: Router = Router::new().merge(Mizan::new(registry).router("/api/mizan"));
//! # let _ = app;
//! # Ok::<(), mizan::RegistryError>(())
//! ```
//!
//! `#[mizan::client]` options:
//!
//! | option | meaning |
//! |---|---|
//! | `auth` | a signed-in user is required (401 otherwise) |
//! | `auth = "staff"` / `auth = "superuser"` | 401 when anonymous, 403 when signed in without the right |
//! | `auth = my_check` | `fn` or `async fn my_check(req: &mizan::Request) -> bool` (or `-> mizan::Result<bool>`); false gives 401 or 403 |
//! | `context = "global"` | a context without params, fetched once and embedded in the first HTML |
//! | `context = "local"` | a context with params, fetched with `GET` |
//! | `cache(max_age = 60, scope = "public", swr = 300, tags = ["posts", "post:{id}"])` | a context's cache policy (`spec/PROTOCOL.md` §2.16): `max_age` in `1..=31536000` is required; `scope` is `"public"`, `"permission"` (the default) or `"user"`; `swr` defaults to 300; `tags` are tag templates whose `{slot}`s name required string, integer or boolean params |
//! | `invalidates = ["posts", "post:{id}"]` | a call: the tags its successful run purges, with the call's own params in the slots |
//! | `invalidates(tags = [...], contexts = ["post_list"])` | the same, plus every answer of each named context (its tag `mizan:fn:post_list`); each must be a registered context with a policy, checked by [`Registry::check`] when the router is built |
//!
//! The function's name becomes a unit struct that implements the server function; the original
//! body stays callable as `echo::call(&req, ...)`. The wire protocol is specified in
//! `spec/PROTOCOL.md`.
//!
//! A parameter may carry constraints as schemars reads them, `#[schemars(...)]` or
//! `#[validate(...)]` (`length`, `range`, `regex`/`pattern`, `contains`, `required`, `inner`, and
//! `title`, `description`, `example`, `deprecated`, `extend`), and doc comments: they go to the
//! published input schema, so the server answers `422` naming the parameter and the generated Zod
//! checks the same. A failing function returns a typed error for the client
//! ([`Error::not_found`], [`Error::forbidden`], ...) or uses `?` on any `std::error::Error`, which
//! becomes `500 internal`: logged with the function's name, never shown to the client.
//!
//! ```
//! use mizan::{Error, Request, Result};
//!
//! /// Adds a note.
//! #[mizan::client]
//! async fn add_note(
//!     _req: &Request,
//!     /// Shown in lists.
//!     #[schemars(length(min = 1, max = 80))]
//!     title: String,
//!     #[schemars(range(max = 100))] priority: u32,
//! ) -> Result<u64> {
//!     if title == "forbidden" {
//!         return Err(Error::forbidden("this title is taken by the house"));
//!     }
//!     let id: u64 = "42".parse()?;
//!     Ok(id + u64::from(priority))
//! }
//! # let mut registry = mizan::Registry::new();
//! # registry.register(add_note, "add_note").unwrap();
//! # let input = &registry.manifest().functions[0].input;
//! # assert_eq!(input["properties"]["title"]["maxLength"], 80);
//! ```
//!
//! A function answers with its typed output and may add response effects through its
//! [`Request`]: cookies ([`Request::set_cookie`]), headers ([`Request::set_header`]) and cache
//! hints ([`Request::invalidate_tag`], which purges the [`cache`] too). [`Request::principal`] is who asks:
//! the user, the verified token claims, and what the [`Authenticator`] attached.
//!
//! [`channels`] add typed WebSocket streams: declare a [`channels::Channel`], register it with
//! [`Registry::channel`], and publish to its groups with [`channels::Channels`] (from a function:
//! [`Request::channels`]); clients subscribe over `GET <base>/ws`.
//!
//! With the `codegen` feature, `mizan::codegen` writes and checks the TypeScript client straight
//! from the registry, without starting a server.

mod auth;
pub mod cache;
pub mod channels;
#[cfg(feature = "codegen")]
pub mod codegen;
mod effects;
mod engine;
mod error;
pub mod forms;
mod function;
mod future;
mod limits;
mod output_view;
mod own_waker;
mod principal;
mod protocol;
mod registry;
mod request;
mod serve;
mod shell;
mod slot_table;
mod validation;
mod wide_int;

/// Turns a function into a server function. See the [crate documentation](crate).
pub use mizan_macros::client;

/// Makes a struct a form: see [`forms`] for the guide and the `#[form(...)]` and `#[field(...)]`
/// options below.
pub use mizan_macros::Form;

/// Makes a struct a group of form fields, for a `group` field (`G`) or `rows` (`Vec<G>`).
pub use mizan_macros::FormGroup;

pub use auth::{
    Anonymous, AuthCheck, AuthRequirement, Authenticator, CSRF_HEADER, CheckVerdict, CustomCheck,
    MwtAuthenticator, is_loopback_host, origin_allowed,
};
pub use effects::{INVALIDATE_HEADER, REV_HEADER};
pub use error::{Error, ErrorCode, FieldError, PathSegment, Result};
pub use function::{CacheOptions, FunctionOptions};
pub use function::{FunctionReturn, InputType, OutputType, ServerFunction};
pub use future::BoxFuture;
pub use limits::Limits;
pub use mizan_core::context_query::encode_query;
pub use mizan_core::manifest::{
    self as manifest, AuthLevel, CachePolicy, CacheScope, ContextKind, FunctionEntry, FunctionKind,
    HttpMethod, Manifest,
};
pub use principal::{Principal, User};
pub use protocol::{CACHE_STATUS_HEADER, Cors, InvalidOrigin, Mizan, PK_HEADER, SCHEMA_HEADER};
pub use registry::{Registry, RegistryError};

/// A rule of the generated TypeScript client that a function breaks, as
/// [`RegistryError::GeneratorRules`] lists them.
pub use mizan_codegen::GenerateError;
pub use request::{Request, RequestBuilder, cookie_value};
pub use serve::{Serve, ServeOptions, serve, shutdown_signal};

/// The `cookie` crate, for [`Request::set_cookie`]: `Cookie`, `SameSite`, and `time::Duration`
/// for `Max-Age`.
pub use cookie;
pub use shell::{HYDRATION_ELEMENT_ID, Shell, embed_hydration};

/// Layer 1, re-exported: canonical JSON, keys and the Mizan Web Token.
pub use mizan_core as core;

/// What `#[mizan::client]` expands to. Not a public API: it changes without notice.
#[doc(hidden)]
pub mod __private {
    pub use crate::auth::{AsyncCheck, AuthCheck, AuthRequirement};
    pub use crate::function::{
        BoxFuture, CacheOptions, DerivedSchema, Encoding, FailedDerive, FunctionOptions,
        FunctionReturn, Params, SchemaOf, ServerFunction, encode, missing_decoded_param,
    };
    pub use crate::manifest::{CacheScope, ContextKind, FunctionKind};
    pub use schemars;
}

/// The crate's own README (what crates.io shows), compiled as a doctest. The repository's README
/// and the guide are compiled by the unpublished `mizan-guide-check` (docs/guide-check).
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
mod crate_readme {}
