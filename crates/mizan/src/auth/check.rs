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

/// A function `auth = my_check` can name: `fn` or `async fn` taking `&mizan::Request` and
/// answering `bool` or `mizan::Result<bool>`. `Marker` tells a sync check from an async one;
/// callers never name it.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an auth check",
    label = "expected an auth check",
    note = "an auth check is `fn my_check(req: &mizan::Request) -> bool` or `async fn my_check(req: &mizan::Request) -> bool`, either of them may answer `mizan::Result<bool>` instead, and an async check's future must be `Send`"
)]
pub trait AuthCheck<Marker> {
    /// Runs the check on `request`.
    fn verdict(self, request: &Request) -> BoxFuture<'_, Result<bool>>;
}

impl<F, V> AuthCheck<(Ready, V)> for F
where
    F: Fn(&Request) -> V,
    V: CheckVerdict,
{
    fn verdict(self, request: &Request) -> BoxFuture<'_, Result<bool>> {
        Box::pin(std::future::ready(self(request).into_result()))
    }
}

impl<F> AuthCheck<Pending> for F
where
    F: for<'a> AsyncCheck<'a>,
{
    fn verdict(self, request: &Request) -> BoxFuture<'_, Result<bool>> {
        let answer = self(request);
        Box::pin(async move { answer.await.into_result() })
    }
}

/// An `async fn(&'a Request)` whose future answers a verdict: the future borrows the request,
/// so its type depends on `'a`, which only an associated type can say for every `'a`.
pub trait AsyncCheck<'a>: Fn(&'a Request) -> Self::Answer {
    /// The check's future.
    type Answer: Future<Output = Self::Verdict> + Send + 'a;
    /// What the future answers.
    type Verdict: CheckVerdict;
}

impl<'a, F, A> AsyncCheck<'a> for F
where
    F: Fn(&'a Request) -> A,
    A: Future + Send + 'a,
    A::Output: CheckVerdict,
{
    type Answer = A;
    type Verdict = A::Output;
}

/// Marks a sync check's answer.
#[derive(Debug)]
pub enum Ready {}

/// Marks an async check's answer.
#[derive(Debug)]
pub enum Pending {}
