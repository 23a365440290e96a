//! The one error type of Mizan's wire protocol and its table of codes (`spec/PROTOCOL.md` §2.6).
//!
//! [`Error`] is to server functions what `anyhow::Error` is to applications: any
//! `std::error::Error` converts into it with `?`, as an `internal` error whose cause goes to the
//! server log and never to the client. Like `anyhow::Error`, it does not implement
//! `std::error::Error` itself: the blanket conversion could not exist beside it.

use std::borrow::Cow;
use std::fmt;

use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};
use mizan_core::context_query::QueryError;
use serde::Serialize;

/// The result type of server functions.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Every failure the protocol reports, with its wire code and HTTP status: the one table of
/// `spec/PROTOCOL.md` §2.6, kept framework-free in `mizan-core` and shared with `mizan-ts`.
pub use mizan_core::ProtocolErrorCode as ErrorCode;

/// One failing field of the params.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// Where the field is: object keys as strings, array indexes as numbers.
    pub path: Vec<PathSegment>,
    /// What is wrong with it.
    pub message: String,
}

/// One step of a [`FieldError`] path.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(untagged)]
pub enum PathSegment {
    /// An object key.
    Key(String),
    /// An array index.
    Index(usize),
}

/// A failure reported to the client, with its code, status and message.
///
/// ```
/// use mizan::{Error, ErrorCode};
///
/// let err = Error::forbidden("only the author may edit this post");
/// assert_eq!(err.code(), ErrorCode::Forbidden);
/// assert_eq!(err.status().as_u16(), 403);
/// ```
///
/// `?` converts any `std::error::Error` (a `ParseIntError`, an `io::Error`, a poisoned lock, a
/// library's error) into `internal` (500): the client sees only "internal error", and the server
/// logs the cause with the name of the function that failed.
///
/// ```
/// use mizan::{ErrorCode, Request, Result};
///
/// #[mizan::client]
/// fn double(_req: &Request, number: String) -> Result<i64> {
///     let n: i64 = number.parse()?;
///     Ok(n * 2)
/// }
///
/// let req = Request::builder().build();
/// let err = double::call(&req, "two".into()).unwrap_err();
/// assert_eq!(err.code(), ErrorCode::Internal);
/// assert_eq!(err.to_json()["message"], "internal error");
/// ```
#[derive(Debug, Clone)]
pub struct Error {
    code: ErrorCode,
    message: Cow<'static, str>,
    fields: Vec<FieldError>,
    details: Option<serde_json::Value>,
    /// The text of the `std::error::Error` this came from, for the server log only; taken (and
    /// logged) once, by whoever reports the error.
    cause: Option<String>,
}

impl Error {
    /// An error with a code and a message for the client.
    pub fn new(code: ErrorCode, message: impl Into<Cow<'static, str>>) -> Self {
        Self {
            code,
            message: message.into(),
            fields: Vec::new(),
            details: None,
            cause: None,
        }
    }

    /// `bad_request` (400).
    pub fn bad_request(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorCode::BadRequest, message)
    }

    /// `not_found` (404).
    pub fn not_found(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorCode::NotFound, message)
    }

    /// `forbidden` (403).
    pub fn forbidden(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorCode::Forbidden, message)
    }

    /// `unauthenticated` (401).
    pub fn unauthenticated(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorCode::Unauthenticated, message)
    }

    /// `conflict` (409).
    pub fn conflict(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorCode::Conflict, message)
    }

    /// `validation_failed` (422) with one error per failing field.
    pub fn validation(fields: Vec<FieldError>) -> Self {
        let message = match fields.len() {
            1 => "1 parameter is invalid".to_owned(),
            n => format!("{n} parameters are invalid"),
        };
        Self::new(ErrorCode::ValidationFailed, message).with_fields(fields)
    }

    /// `internal` (500). `cause` goes to the server log; the client sees only "internal error".
    pub fn internal(cause: impl fmt::Display) -> Self {
        tracing::error!(%cause, "mizan: internal error");
        Self::new(ErrorCode::Internal, "internal error")
    }

    /// `rate_limited` (429): the caller may try again in `retry_after` whole seconds (at least 1),
    /// which the response carries in `Retry-After` and in `details.retry_after` (§2.14.6).
    pub fn rate_limited(message: impl Into<Cow<'static, str>>, retry_after: u64) -> Self {
        Self::new(ErrorCode::RateLimited, message)
            .with_details(serde_json::json!({"retry_after": retry_after.max(1)}))
    }

    /// `unavailable` (503): a service the server depends on (its database) did not answer.
    /// `cause` goes to the server log; the client is told to retry.
    pub fn unavailable(cause: impl fmt::Display) -> Self {
        tracing::warn!(%cause, "mizan: a service did not answer");
        Self::new(
            ErrorCode::Unavailable,
            "a service the server depends on did not answer; retry shortly",
        )
    }

    /// The seconds a `rate_limited` answer asks the caller to wait: its `details.retry_after`,
    /// at least 1.
    fn retry_after(&self) -> u64 {
        self.details
            .as_ref()
            .and_then(|d| d.get("retry_after"))
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(1)
            .max(1)
    }

    /// Adds field errors.
    #[must_use]
    pub fn with_fields(mut self, fields: Vec<FieldError>) -> Self {
        self.fields.extend(fields);
        self
    }

    /// Adds machine-readable details.
    #[must_use]
    pub fn with_details(mut self, details: serde_json::Value) -> Self {
        self.details = Some(details);
        self
    }

    /// The code.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        // Every status of the table is a valid one (a test checks); 500 is only a type-level guard.
        StatusCode::from_u16(self.code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// The message for the client.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The machine-readable details, if any.
    pub fn details(&self) -> Option<&serde_json::Value> {
        self.details.as_ref()
    }

    /// The failing fields, if any.
    pub fn fields(&self) -> &[FieldError] {
        &self.fields
    }

    /// The error a context URL's query gives: its code, with the canonical query in the details.
    pub(crate) fn from_query(err: QueryError) -> Self {
        let details = err.details();
        let error = Self::new(err.code(), err.to_string());
        match details {
            Some(details) => error.with_details(details),
            None => error,
        }
    }

    /// Logs the cause of an error a `?` converted, naming the server function it came from;
    /// afterwards the error has no cause left to log.
    pub(crate) fn log_cause(&mut self, function: &str) {
        if let Some(cause) = self.cause.take() {
            tracing::error!(function, %cause, "mizan: a server function failed");
        }
    }

    /// The body of the error response, also used per item in a batch.
    pub fn to_json(&self) -> serde_json::Value {
        if let Some(cause) = &self.cause {
            // Converted by a `?` outside a server function (an auth check, a form's rule), so
            // nobody has logged it yet.
            tracing::error!(%cause, "mizan: internal error");
        }
        if self.code == ErrorCode::Internal {
            // Whatever the application put in an internal error stays on the server.
            return serde_json::json!({"code": "internal", "message": "internal error", "status": 500});
        }
        let mut body = serde_json::json!({
            "code": self.code.as_str(),
            "message": self.message,
            "status": self.status().as_u16(),
        });
        if !self.fields.is_empty() {
            body["fields"] = serde_json::to_value(&self.fields).unwrap_or_default();
        }
        if let Some(details) = &self.details {
            body["details"] = details.clone();
        }
        body
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

/// `?` on any error: `internal`, with the error's text (and that of its sources) kept for the
/// server log. The text is taken now, so `E` need not be `Send` or `'static` (a
/// `PoisonError<MutexGuard<'_, T>>` is neither).
impl<E: std::error::Error> From<E> for Error {
    fn from(err: E) -> Self {
        let mut cause = err.to_string();
        let mut source = err.source();
        while let Some(inner) = source {
            cause.push_str(": ");
            cause.push_str(&inner.to_string());
            source = inner.source();
        }
        let mut error = Self::new(ErrorCode::Internal, "internal error");
        error.cause = Some(cause);
        error
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let body = serde_json::to_vec(&self.to_json()).unwrap_or_default();
        let mut response = (self.status(), body).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        // Every answer carries it (§2.11); here, so that errors need no second pass.
        headers.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        match self.code {
            ErrorCode::Unauthenticated => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            // The rest of the body was never read: the connection cannot carry another request.
            ErrorCode::RequestTimeout => {
                headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
            }
            ErrorCode::Overloaded => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
                headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
            }
            ErrorCode::Unavailable => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            }
            ErrorCode::RateLimited => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(self.retry_after()));
            }
            _ => {}
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_its_status_on_the_response() {
        for &code in ErrorCode::ALL {
            let err = Error::new(code, "x");
            assert_eq!(err.status().as_u16(), code.status(), "{code}");
            assert_eq!(err.to_json()["status"], code.status(), "{code}");
        }
    }

    #[test]
    fn query_errors_keep_their_code_and_details() {
        let err =
            Error::from_query(mizan_core::context_query::decode_query(Some("rev=01")).unwrap_err());
        assert_eq!(err.status(), StatusCode::BAD_REQUEST);
        assert_eq!(
            err.to_json()["details"],
            serde_json::json!({"received": "rev=01", "canonical": "rev=1"})
        );
    }

    #[test]
    fn internal_errors_built_by_hand_hide_their_message_and_details() {
        let err = Error::new(ErrorCode::Internal, "db at 10.0.0.3 refused")
            .with_details(serde_json::json!({"dsn": "x"}));
        assert_eq!(
            err.to_json(),
            serde_json::json!({"code": "internal", "message": "internal error", "status": 500})
        );
    }

    #[derive(Debug)]
    struct Outer(std::num::ParseIntError);

    impl fmt::Display for Outer {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("the config is broken")
        }
    }

    impl std::error::Error for Outer {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.0)
        }
    }

    #[test]
    fn a_converted_error_keeps_its_whole_chain_for_the_log_only() {
        let err = Error::from(Outer("x".parse::<u8>().unwrap_err()));
        assert_eq!(err.code(), ErrorCode::Internal);
        assert_eq!(
            err.cause.as_deref(),
            Some("the config is broken: invalid digit found in string")
        );
        assert_eq!(
            err.to_json(),
            serde_json::json!({"code": "internal", "message": "internal error", "status": 500})
        );
    }

    #[test]
    fn internal_errors_hide_their_cause() {
        let err = Error::internal("database password is hunter2");
        assert_eq!(err.to_json()["message"], "internal error");
        assert_eq!(err.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }
}
