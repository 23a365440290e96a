//! The boxed future type shared by server functions, authenticators and auth checks.

use std::future::Future;
use std::pin::Pin;

/// A boxed, `Send` future, as server functions, authenticators and custom auth checks return.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;
