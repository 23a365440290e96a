//! Custom auth checks, sync or async: what `auth = my_check` accepts.

use std::future::Future;

use crate::future::BoxFuture;
use crate::{Error, Request, Result};

/// A custom check as stored in a function's options: `#[mizan::client(auth = my_check)]` wraps
/// `my_check` into one of these.
pub type CustomCheck = for<'a> fn(&'a Request) -> BoxFuture<'a, Result<bool>>;

/// What a custom check may answer: `bool`, or `mizan::Result<bool>` when it can fail (a store
/// that does not answer is an error, not a "no").
#[diagnostic::on_unimplemented(
    message = "an auth check returns `bool` or `mizan::Result<bool>`, not `{Self}`",
    label = "this check's answer"
)]
pub trait CheckVerdict: Send {
    /// The answer as a result.
    fn into_result(self) -> Result<bool>;
}

impl CheckVerdict for bool {
    fn into_result(self) -> Result<bool> {
        Ok(self)
    }
}

impl CheckVerdict for Result<bool, Error> {
    fn into_result(self) -> Result<bool> {
        self
    }
}

/// What calling a custom check gives: a verdict now (a sync check) or a future of one (an
/// `async fn` check). `Marker` tells the two apart; callers never name it.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not the answer of an auth check",
    note = "an auth check is `fn(&mizan::Request) -> bool` or `async fn(&mizan::Request) -> bool` (or `-> mizan::Result<bool>`), and its future must be `Send`"
)]
pub trait CheckOutput<Marker>: Send {
    /// The verdict, as a future.
    fn into_verdict(self) -> impl Future<Output = Result<bool>> + Send;
}

/// Marks a sync check's answer.
#[derive(Debug)]
pub enum Ready {}

/// Marks an async check's answer.
#[derive(Debug)]
pub enum Pending {}

impl<V: CheckVerdict> CheckOutput<Ready> for V {
    fn into_verdict(self) -> impl Future<Output = Result<bool>> + Send {
        std::future::ready(self.into_result())
    }
}

impl<F> CheckOutput<Pending> for F
where
    F: Future + Send,
    F::Output: CheckVerdict,
{
    async fn into_verdict(self) -> Result<bool> {
        self.await.into_result()
    }
}
