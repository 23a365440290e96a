//! Cross-origin access to the API (`spec/PROTOCOL.md` §2.12): off unless the application lists
//! the origins it trusts.

use std::time::Duration;

use axum::response::{IntoResponse, Response};
use http::request::Parts;
use http::{HeaderMap, HeaderValue, Method, StatusCode, header};

use crate::{Error, ErrorCode};

/// The request headers a Mizan client sends, allowed in every preflight.
const ALLOW_HEADERS: &str = "authorization, content-type, x-mizan-csrf, x-mizan-schema";
/// The response headers a Mizan client reads.
const EXPOSE_HEADERS: &str =
    "cache-tag, etag, retry-after, x-mizan-cache-status, x-mizan-invalidate, x-mizan-rev";
const ALLOW_METHODS: &str = "GET, HEAD, POST";

/// Which other origins (web pages served from another scheme, host or port) may call the API
/// from a browser. Without it, browsers keep other origins out: Mizan sends no CORS headers.
///
/// ```
/// use std::time::Duration;
/// use mizan::{Cors, Mizan, Registry};
///
/// let cors = Cors::allow_origins(["https://app.example.com", "http://localhost:5173"])
///     .unwrap()
///     .allow_credentials(true)
///     .max_age(Duration::from_secs(600));
/// let mizan = Mizan::new(Registry::new()).cors(cors);
/// # let _ = mizan;
/// ```
#[derive(Debug, Clone)]
pub struct Cors {
    origins: Vec<HeaderValue>,
    credentials: bool,
    max_age: HeaderValue,
}

/// An origin that [`Cors::allow_origins`] cannot match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidOrigin(pub String);

impl std::fmt::Display for InvalidOrigin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:?} is not an origin as browsers send it: `http://` or `https://`, a lowercase host, an optional port, and no path",
            self.0
        )
    }
}

impl std::error::Error for InvalidOrigin {}

impl Cors {
    /// Allows requests from exactly these origins, written as browsers send them in `Origin`:
    /// `https://app.example.com`, `http://localhost:5173` (scheme, lowercase host, optional
    /// port, no path or trailing `/`).
    pub fn allow_origins<I, S>(origins: I) -> Result<Self, InvalidOrigin>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let origins = origins
            .into_iter()
            .map(|origin| {
                let origin = origin.as_ref();
                if is_serialized_origin(origin) {
                    HeaderValue::from_str(origin).map_err(|_| InvalidOrigin(origin.to_owned()))
                } else {
                    Err(InvalidOrigin(origin.to_owned()))
                }
            })
            .collect::<Result<_, _>>()?;
        Ok(Self {
            origins,
            credentials: false,
            max_age: HeaderValue::from_static("600"),
        })
    }

    /// Whether the browser may send cookies with cross-origin requests and read the answers
    /// (default `false`). Needed when the cross-origin client signs in with a cookie.
    #[must_use]
    pub fn allow_credentials(mut self, allow: bool) -> Self {
        self.credentials = allow;
        self
    }

    /// How long a browser may reuse a preflight answer (default 600 s).
    #[must_use]
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.max_age = HeaderValue::from(max_age.as_secs());
        self
    }

    /// The request's `Origin` when it is an allowed one.
    pub(crate) fn allowed<'r>(&self, headers: &'r HeaderMap) -> Option<&'r HeaderValue> {
        let mut sent = headers.get_all(header::ORIGIN).iter();
        let origin = sent.next()?;
        (sent.next().is_none() && self.origins.contains(origin)).then_some(origin)
    }

    /// The answer to a preflight request (`OPTIONS` with `Access-Control-Request-Method`), or
    /// `None` when the request is no preflight.
    pub(crate) fn preflight(&self, parts: &Parts) -> Option<Response> {
        if parts.method != Method::OPTIONS
            || !parts
                .headers
                .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
        {
            return None;
        }
        let Some(origin) = self.allowed(&parts.headers) else {
            return Some(
                Error::new(
                    ErrorCode::Forbidden,
                    "this origin may not call the API from a browser",
                )
                .into_response(),
            );
        };
        let mut response = StatusCode::NO_CONTENT.into_response();
        let headers = response.headers_mut();
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static(ALLOW_METHODS),
        );
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static(ALLOW_HEADERS),
        );
        headers.insert(header::ACCESS_CONTROL_MAX_AGE, self.max_age.clone());
        if self.credentials {
            headers.insert(
                header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
                HeaderValue::from_static("true"),
            );
        }
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        Some(response)
    }

    /// Adds the CORS headers of an answer to an ordinary request from `origin` (its `Origin`).
    pub(crate) fn decorate(&self, origin: Option<&HeaderValue>, response: &mut Response) {
        let headers = response.headers_mut();
        // The answer differs by `Origin` whenever CORS is on, allowed origin or not.
        headers.append(header::VARY, HeaderValue::from_static("Origin"));
        let Some(origin) = origin else {
            return;
        };
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
        headers.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static(EXPOSE_HEADERS),
        );
        if self.credentials {
            headers.insert(
                header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
                HeaderValue::from_static("true"),
            );
        }
    }
}

/// `http://` or `https://`, then a host of lowercase letters, digits, `-` and `.` (or a bracketed
/// IPv6 address), then an optional `:port` of 1 to 5 digits.
fn is_serialized_origin(origin: &str) -> bool {
    let Some(rest) = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
    else {
        return false;
    };
    let (host_ok, port) = match rest.strip_prefix('[') {
        Some(v6) => match v6.split_once(']') {
            Some((address, after)) => (
                !address.is_empty()
                    && address.bytes().all(|b| {
                        b.is_ascii_digit() || (b'a'..=b'f').contains(&b) || b == b':' || b == b'.'
                    }),
                after,
            ),
            None => return false,
        },
        None => {
            let (host, port) = rest.split_at(rest.find(':').unwrap_or(rest.len()));
            let host_ok = !host.is_empty()
                && host.bytes().all(|b| {
                    b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.'
                });
            (host_ok, port)
        }
    };
    let port_ok = port.is_empty()
        || port.strip_prefix(':').is_some_and(|digits| {
            (1..=5).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
        });
    host_ok && port_ok
}

#[cfg(test)]
mod tests {
    use super::is_serialized_origin;

    #[test]
    fn origins_are_written_as_browsers_send_them() {
        for good in [
            "https://app.example.com",
            "http://localhost:5173",
            "http://127.0.0.1:8000",
            "https://[::1]:8443",
            "https://xn--mizn-xqa.example",
        ] {
            assert!(is_serialized_origin(good), "{good}");
        }
        for bad in [
            "app.example.com",
            "https://app.example.com/",
            "https://App.example.com",
            "https://app.example.com/path",
            "ftp://app.example.com",
            "https://",
            "https://host:",
            "https://host:123456",
            "https://[]",
            "*",
            "null",
        ] {
            assert!(!is_serialized_origin(bad), "{bad}");
        }
    }
}
