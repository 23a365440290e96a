//! The error codes of Layer 2, the HTTP protocol (`spec/PROTOCOL.md` §2.6), with their statuses.
//!
//! This is the one table: the axum server re-exports it as `mizan::ErrorCode`, and `mizan-ts`
//! holds the same rows, pinned by `spec/vectors/errors.json`. Statuses are plain `u16` so that the
//! table needs no HTTP crate.

use std::fmt;

macro_rules! protocol_codes {
    ($($(#[$doc:meta])* $variant:ident => ($code:literal, $status:literal),)*) => {
        /// Every failure the HTTP protocol reports, with its wire code and HTTP status.
        ///
        /// Re-exported by the server crate as `mizan::ErrorCode`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ProtocolErrorCode {
            $($(#[$doc])* $variant,)*
        }

        impl ProtocolErrorCode {
            /// Every code, in the order of the specification's table.
            pub const ALL: &'static [ProtocolErrorCode] = &[$(ProtocolErrorCode::$variant,)*];

            /// The code on the wire (the `code` member of an error body).
            pub const fn as_str(self) -> &'static str {
                match self { $(ProtocolErrorCode::$variant => $code,)* }
            }

            /// The HTTP status that carries it (also the `status` member of an error body).
            pub const fn status(self) -> u16 {
                match self { $(ProtocolErrorCode::$variant => $status,)* }
            }
        }
    };
}

protocol_codes! {
    /// The body (or the `p` of a context URL) is not JSON the server accepts (syntax, UTF-8,
    /// duplicate keys, depth, numbers).
    MalformedJson => ("malformed_json", 400),
    /// A `multipart/form-data` form body that is not valid multipart or is over its part limits
    /// (spec §2.13.4).
    MalformedMultipart => ("malformed_multipart", 400),
    /// A context URL whose query string is not the one canonical encoding of its params.
    NonCanonicalQuery => ("non_canonical_query", 400),
    /// A request the application rejects as malformed.
    BadRequest => ("bad_request", 400),
    /// No credentials, or invalid ones, for a function that needs a user.
    Unauthenticated => ("unauthenticated", 401),
    /// A user who may not call the function.
    Forbidden => ("forbidden", 403),
    /// No function by that name, or no such endpoint.
    NotFound => ("not_found", 404),
    /// The wrong HTTP method for the endpoint or function.
    MethodNotAllowed => ("method_not_allowed", 405),
    /// The request body did not arrive fast enough (the body read deadline, spec §2.11).
    RequestTimeout => ("request_timeout", 408),
    /// The application found a conflict with the current state.
    Conflict => ("conflict", 409),
    /// The client was built against another version of the function's schema; it should reload.
    StaleClient => ("stale_client", 409),
    /// The body is over the size limit.
    PayloadTooLarge => ("payload_too_large", 413),
    /// The query string is over the size limit.
    UriTooLong => ("uri_too_long", 414),
    /// The body is not `application/json`.
    UnsupportedMediaType => ("unsupported_media_type", 415),
    /// The params do not match the function's parameters.
    ValidationFailed => ("validation_failed", 422),
    /// Too many attempts (sign-ins, say) from this client or for this account; retry after the
    /// `Retry-After` seconds, also in `details.retry_after` (spec §2.14.6).
    RateLimited => ("rate_limited", 429),
    /// The server failed; details are in its log, never in the response.
    Internal => ("internal", 500),
    /// The server's budget for request bodies read at once is used up; retry after the
    /// `Retry-After` seconds (spec §2.11).
    Overloaded => ("overloaded", 503),
    /// A service the server depends on (its database) did not answer in time; retry after the
    /// `Retry-After` seconds. The connection stays open (spec §2.6).
    Unavailable => ("unavailable", 503),
}

impl ProtocolErrorCode {
    /// The code whose wire form is `code`, if there is one.
    ///
    /// ```
    /// use mizan_core::ProtocolErrorCode;
    ///
    /// let code = ProtocolErrorCode::from_wire("stale_client").unwrap();
    /// assert_eq!(code.status(), 409);
    /// assert_eq!(ProtocolErrorCode::from_wire("teapot"), None);
    /// ```
    pub fn from_wire(code: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|c| c.as_str() == code)
    }
}

impl fmt::Display for ProtocolErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::ProtocolErrorCode;
    use std::collections::HashSet;

    #[test]
    fn codes_are_unique_and_statuses_are_client_or_server_errors() {
        let mut seen = HashSet::new();
        for code in ProtocolErrorCode::ALL {
            assert!(seen.insert(code.as_str()), "duplicate {code}");
            assert!((400..=599).contains(&code.status()), "{code}");
            assert_eq!(ProtocolErrorCode::from_wire(code.as_str()), Some(*code));
        }
    }

    #[test]
    fn spec_table_has_every_row() {
        let spec = include_str!("../../../spec/PROTOCOL.md");
        for code in ProtocolErrorCode::ALL {
            let row = format!("| `{}` | {} |", code.as_str(), code.status());
            assert!(spec.contains(&row), "spec §2.6 is missing the row {row}");
        }
    }
}
