//! Why a context query cannot be built or read, as the protocol reports it.

use std::fmt;

use serde_json::{Value, json};

use crate::canonical::CanonicalError;
use crate::{ErrorCode, ProtocolErrorCode};

/// Why a context query cannot be encoded or decoded.
///
/// [`code`](Self::code) is the protocol error a server answers with and
/// [`details`](Self::details) the `details` member of its body (`spec/PROTOCOL.md` §2.3, §2.6).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum QueryError {
    /// Decoding: the query is not the canonical one (`non_canonical_query`, 400).
    NonCanonical {
        /// The query as received, without `?`.
        received: String,
        /// The canonical query for the same params and rev (empty when the URL should have no
        /// query), or `None` when some part could not be read.
        canonical: Option<String>,
    },
    /// The params are not canonical JSON: `p` breaks §1.1.5 when decoding, a value has no
    /// canonical form when encoding (`malformed_json`, 400).
    MalformedParams(CanonicalError),
    /// Decoding: `p` is JSON but not an object (`validation_failed`, 422).
    ParamsNotObject,
    /// Encoding: a rev above `2^53 - 1` (`bad_request`, 400; no server ever sees it).
    RevOutOfRange(u64),
}

impl QueryError {
    /// The protocol error code.
    pub fn code(&self) -> ProtocolErrorCode {
        match self {
            Self::NonCanonical { .. } => ProtocolErrorCode::NonCanonicalQuery,
            Self::MalformedParams(_) => ProtocolErrorCode::MalformedJson,
            Self::ParamsNotObject => ProtocolErrorCode::ValidationFailed,
            Self::RevOutOfRange(_) => ProtocolErrorCode::BadRequest,
        }
    }

    /// The Layer 1 code behind the error, sent as `details.reason`: the canonical JSON code for
    /// malformed params, `invalid_rev` for a rev out of range.
    pub fn reason(&self) -> Option<ErrorCode> {
        match self {
            Self::MalformedParams(e) => Some(e.code()),
            Self::RevOutOfRange(_) => Some(ErrorCode::InvalidRev),
            Self::NonCanonical { .. } | Self::ParamsNotObject => None,
        }
    }

    /// The `details` member of the error body: `{"received", "canonical"?}` for a non-canonical
    /// query, `{"reason"}` when there is a [`reason`](Self::reason), none otherwise.
    pub fn details(&self) -> Option<Value> {
        match self {
            Self::NonCanonical {
                received,
                canonical: Some(canonical),
            } => Some(json!({"received": received, "canonical": canonical})),
            Self::NonCanonical {
                received,
                canonical: None,
            } => Some(json!({ "received": received })),
            _ => self.reason().map(|r| json!({"reason": r.as_str()})),
        }
    }
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NonCanonical { .. } => f.write_str(
                "context URLs must use the canonical query: `p=<percent-encoded canonical JSON>` \
                 (omitted for {}) then `rev=<n>` (omitted for 0)",
            ),
            Self::MalformedParams(e) => write!(f, "the params (`p`) are not canonical JSON: {e}"),
            Self::ParamsNotObject => {
                f.write_str("the `p` parameter must be a JSON object of params")
            }
            Self::RevOutOfRange(rev) => write!(f, "rev {rev} is above 2^53 - 1"),
        }
    }
}

impl std::error::Error for QueryError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::MalformedParams(e) => Some(e),
            _ => None,
        }
    }
}
