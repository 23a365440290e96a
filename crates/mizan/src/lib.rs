//! Typed server functions for axum: write a Rust function, mark it `#[mizan::client]`, register
//! it by name, and mount Mizan under `/api/mizan/`.
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
//! let app: Router = Router::new().nest("/api/mizan", Mizan::new(registry).router());
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
//! | `auth = my_check` | `fn my_check(req: &mizan::Request) -> bool`; false gives 401 or 403 |
//! | `context = "global"` | a context without params, fetched once and embedded in the first HTML |
//! | `context = "local"` | a context with params, fetched with `GET` |
//!
//! The function's name becomes a unit struct that implements the server function; the original
//! body stays callable as `echo::call(&req, ...)`. The wire protocol is specified in
//! `spec/PROTOCOL.md`.

mod auth;
mod error;
mod function;
mod output_view;
mod protocol;
mod registry;
mod request;
mod shell;
mod validation;
mod wide_int;

/// Turns a function into a server function. See the [crate documentation](crate).
pub use mizan_macros::client;

pub use auth::{
    Anonymous, AuthRequirement, Authenticator, CSRF_HEADER, MwtAuthenticator, principal_from_claims,
};
pub use error::{Error, ErrorCode, FieldError, PathSegment, Result};
pub use function::{ContextKind, FunctionOptions};
pub use protocol::query::encode_query;
pub use protocol::{Limits, Mizan};
pub use registry::{Registry, RegistryError};
pub use request::{Principal, Request, RequestBuilder, User};
pub use shell::{HYDRATION_ELEMENT_ID, Shell, embed_hydration};

/// Layer 1, re-exported: canonical JSON, keys and the Mizan Web Token.
pub use mizan_core as core;

/// What `#[mizan::client]` expands to. Not a public API: it changes without notice.
#[doc(hidden)]
pub mod __private {
    pub use crate::auth::AuthRequirement;
    pub use crate::function::{
        BoxFuture, ContextKind, Encoding, FunctionOptions, FunctionReturn, InputType, OutputType,
        Params, ServerFunction, encode, missing_decoded_param,
    };
    pub use schemars;
}
