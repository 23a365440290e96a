//! The one error type of Mizan's wire protocol and its table of codes (`spec/PROTOCOL.md` §2.6).

use std::borrow::Cow;
use std::fmt;

use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};
use serde::Serialize;

/// The result type of server functions.
pub type Result<T, E = Error> = std::result::Result<T, E>;

macro_rules! codes {
    ($($(#[$doc:meta])* $variant:ident => ($code:literal, $status:ident),)*) => {
        /// Every failure the protocol reports, with its wire code and HTTP status.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorCode {
            $($(#[$doc])* $variant,)*
        }

        impl ErrorCode {
            /// Every code, in table order.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            /// The code on the wire.
            pub const fn as_str(self) -> &'static str {
                match self { $(ErrorCode::$variant => $code,)* }
            }

            /// The HTTP status that carries it.
            pub const fn status(self) -> StatusCode {
                match self { $(ErrorCode::$variant => StatusCode::$status,)* }
            }
        }
    };
}

codes! {
    /// The body is not JSON the server accepts (syntax, UTF-8, duplicate keys, depth, numbers).
    MalformedJson => ("malformed_json", BAD_REQUEST),
    /// A context URL whose query string is not the one canonical encoding of its params.
    NonCanonicalQuery => ("non_canonical_query", BAD_REQUEST),
    /// A request the application rejects as malformed.
    BadRequest => ("bad_request", BAD_REQUEST),
    /// No credentials, or invalid ones, for a function that needs a user.
    Unauthenticated => ("unauthenticated", UNAUTHORIZED),
    /// A user who may not call the function.
    Forbidden => ("forbidden", FORBIDDEN),
    /// No function by that name, or no such endpoint.
    NotFound => ("not_found", NOT_FOUND),
    /// The wrong HTTP method for the endpoint or function.
    MethodNotAllowed => ("method_not_allowed", METHOD_NOT_ALLOWED),
    /// The application found a conflict with the current state.
    Conflict => ("conflict", CONFLICT),
    /// The client was built against other schemas of the function (`X-Mizan-Schema`, §2.7).
    StaleClient => ("stale_client", CONFLICT),
    /// The body is over the size limit.
    PayloadTooLarge => ("payload_too_large", PAYLOAD_TOO_LARGE),
    /// The query string is over the size limit.
    UriTooLong => ("uri_too_long", URI_TOO_LONG),
    /// The body is not `application/json`.
    UnsupportedMediaType => ("unsupported_media_type", UNSUPPORTED_MEDIA_TYPE),
    /// The params do not match the function's parameters.
    ValidationFailed => ("validation_failed", UNPROCESSABLE_ENTITY),
    /// The server failed; details are in its log, never in the response.
    Internal => ("internal", INTERNAL_SERVER_ERROR),
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One failing field of the params.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// Where the field is: object keys as strings, array indexes as numbers.
    pub path: Vec<PathSegment>,
    /// What is wrong with it.
    pub message: String,
}

/// One step of a [`FieldError`] path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
#[derive(Debug, Clone)]
pub struct Error {
    code: ErrorCode,
    message: Cow<'static, str>,
    fields: Vec<FieldError>,
    details: Option<serde_json::Value>,
}

impl Error {
    /// An error with a code and a message for the client.
    pub fn new(code: ErrorCode, message: impl Into<Cow<'static, str>>) -> Self {
        Self {
            code,
            message: message.into(),
            fields: Vec::new(),
            details: None,
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
        self.code.status()
    }

    /// The message for the client.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The failing fields, if any.
    pub fn fields(&self) -> &[FieldError] {
        &self.fields
    }

    /// The body of the error response, also used per item in a batch.
    pub fn to_json(&self) -> serde_json::Value {
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

impl std::error::Error for Error {}

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
        if self.code == ErrorCode::Unauthenticated {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_unique_and_in_the_spec_table() {
        let spec = include_str!("../../../spec/PROTOCOL.md");
        let mut seen = std::collections::HashSet::new();
        for code in ErrorCode::ALL {
            assert!(seen.insert(code.as_str()));
            let row = format!("| `{}` | {} |", code.as_str(), code.status().as_u16());
            assert!(spec.contains(&row), "spec is missing the row {row}");
        }
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

    #[test]
    fn internal_errors_hide_their_cause() {
        let err = Error::internal("database password is hunter2");
        assert_eq!(err.to_json()["message"], "internal error");
        assert_eq!(err.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }
}
