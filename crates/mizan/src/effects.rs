//! Response effects: what a server function adds to its HTTP answer besides its typed output
//! (cookies, headers, cache hints), recorded through the [`Request`](crate::Request) it receives.

use cookie::Cookie;
use http::{HeaderMap, HeaderName, HeaderValue, header};
use mizan_core::canonical::MAX_SAFE_INTEGER;

use crate::{Error, Result};

/// The response header that lists the cache tags a call invalidated (`spec/PROTOCOL.md` §2.10).
pub const INVALIDATE_HEADER: &str = "x-mizan-invalidate";
/// The response header that carries the new rev a call produced (`spec/PROTOCOL.md` §2.10).
pub const REV_HEADER: &str = "x-mizan-rev";

/// Headers the protocol writes itself; a function cannot set them with
/// [`Request::set_header`](crate::Request::set_header).
const RESERVED_HEADERS: &[&str] = &[
    "content-type",
    "content-length",
    "content-encoding",
    "transfer-encoding",
    "connection",
    "cache-control",
    "etag",
    "vary",
    "allow",
    "set-cookie",
    "upgrade",
    "trailer",
    // Caching is the protocol's: these would let a shared cache keep a private answer.
    "expires",
    "age",
    "last-modified",
    "cdn-cache-control",
    "surrogate-control",
    "cloudflare-cdn-cache-control",
    "x-accel-expires",
    // A CDN purges by these tags (§2.16.7): only the cache's own tags may name an answer.
    "cache-tag",
    "surrogate-key",
    // Every 401 carries `WWW-Authenticate: Bearer` (§2.5).
    "www-authenticate",
    // Every answer is `nosniff`; `503 overloaded` says when to retry (§2.11).
    "x-content-type-options",
    "retry-after",
];

/// What one request's functions asked to add to the response, in the order they asked.
#[derive(Debug, Default, Clone)]
pub(crate) struct Effects {
    cookies: Vec<HeaderValue>,
    headers: Vec<(HeaderName, HeaderValue)>,
    invalidated_tags: Vec<String>,
    rev: Option<u64>,
}

impl Effects {
    pub(crate) fn is_empty(&self) -> bool {
        self.cookies.is_empty()
            && self.headers.is_empty()
            && self.invalidated_tags.is_empty()
            && self.rev.is_none()
    }

    pub(crate) fn set_cookie(&mut self, cookie: &Cookie<'_>) -> Result<()> {
        check_cookie(cookie)?;
        let value = HeaderValue::try_from(cookie.to_string()).map_err(|_| {
            Error::internal(format!("cookie {:?} is not a valid header", cookie.name()))
        })?;
        self.cookies.push(value);
        Ok(())
    }

    pub(crate) fn set_header(&mut self, name: HeaderName, value: HeaderValue) -> Result<()> {
        if RESERVED_HEADERS.contains(&name.as_str()) || name.as_str().starts_with("x-mizan-")
            // CORS is configured once for the whole API (§2.12), not per answer.
            || name.as_str().starts_with("access-control-")
        {
            return Err(Error::internal(format!(
                "a server function cannot set the {name} header: Mizan writes it (use Request::set_cookie for cookies)"
            )));
        }
        self.replace_header(name, value);
        Ok(())
    }

    fn replace_header(&mut self, name: HeaderName, value: HeaderValue) {
        self.headers.retain(|(existing, _)| *existing != name);
        self.headers.push((name, value));
    }

    fn add_tag(&mut self, tag: String) {
        if !self.invalidated_tags.contains(&tag) {
            self.invalidated_tags.push(tag);
        }
    }

    pub(crate) fn invalidate_tag(&mut self, tag: String) -> Result<()> {
        if !mizan_core::cache_tags::is_valid_tag(&tag) {
            return Err(Error::internal(format!(
                "{tag:?} is not a valid cache tag: use 1 to 128 bytes of [A-Za-z0-9_.:%-]"
            )));
        }
        self.add_tag(tag);
        Ok(())
    }

    /// The tags invalidated so far, in the order first named.
    pub(crate) fn invalidated_tags(&self) -> &[String] {
        &self.invalidated_tags
    }

    /// Records the rev a purge issued (§2.16.4); only the cache issues revs.
    pub(crate) fn set_rev(&mut self, rev: u64) -> Result<()> {
        if rev == 0 || i64::try_from(rev).map_or(true, |r| r > MAX_SAFE_INTEGER) {
            return Err(Error::internal(format!(
                "rev {rev} is outside 1..=2^53-1 (spec §1.3.1)"
            )));
        }
        self.rev = self.rev.max(Some(rev));
        Ok(())
    }

    /// Adds `later` after these effects, as the effects of one response (a batch).
    pub(crate) fn extend(&mut self, later: Effects) {
        self.cookies.extend(later.cookies);
        for (name, value) in later.headers {
            self.replace_header(name, value);
        }
        for tag in later.invalidated_tags {
            self.add_tag(tag);
        }
        self.rev = self.rev.max(later.rev);
    }

    /// Writes the effects into a response's headers.
    pub(crate) fn apply(self, headers: &mut HeaderMap) {
        for (name, value) in self.headers {
            headers.insert(name, value);
        }
        for cookie in self.cookies {
            headers.append(header::SET_COOKIE, cookie);
        }
        if !self.invalidated_tags.is_empty() {
            let mut list = String::new();
            for (i, tag) in self.invalidated_tags.iter().enumerate() {
                if i > 0 {
                    list.push_str(", ");
                }
                list.push_str(tag);
            }
            if let Ok(value) = HeaderValue::try_from(list) {
                headers.insert(HeaderName::from_static(INVALIDATE_HEADER), value);
            }
        }
        if let Some(rev) = self.rev {
            headers.insert(HeaderName::from_static(REV_HEADER), HeaderValue::from(rev));
        }
    }
}

/// RFC 6265 §4.1.1: a cookie name is a token, its value cookie-octets (optionally quoted), and an
/// attribute value holds no `;` or control character, so nothing a function sets can add
/// attributes or headers of its own.
fn check_cookie(cookie: &Cookie<'_>) -> Result<()> {
    let name = cookie.name();
    let is_tchar = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
    if name.is_empty() || !name.bytes().all(is_tchar) {
        return Err(Error::internal(format!(
            "{name:?} is not a valid cookie name (RFC 6265 token)"
        )));
    }
    let value = cookie.value();
    let inner = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(value);
    let is_octet =
        |b: u8| matches!(b, 0x21 | 0x23..=0x2B | 0x2D..=0x3A | 0x3C..=0x5B | 0x5D..=0x7E);
    if !inner.bytes().all(is_octet) {
        return Err(Error::internal(format!(
            "the value of cookie {name:?} holds a character RFC 6265 does not allow (space, quote, comma, semicolon, backslash or control)"
        )));
    }
    let attribute_ok =
        |v: Option<&str>| v.is_none_or(|v| !v.bytes().any(|b| b == b';' || b.is_ascii_control()));
    if !attribute_ok(cookie.path()) || !attribute_ok(cookie.domain()) {
        return Err(Error::internal(format!(
            "the path or domain of cookie {name:?} holds `;` or a control character"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use cookie::SameSite;

    #[test]
    fn cookies_with_injected_attributes_are_refused() {
        let mut effects = Effects::default();
        for bad in [
            Cookie::new("a", "x; Domain=evil.example"),
            Cookie::new("a b", "x"),
            Cookie::new("", "x"),
            Cookie::new("a", "line\r\nSet-Cookie: b=c"),
            Cookie::build(("a", "x")).path("/; HttpOnly=0").build(),
        ] {
            assert!(effects.set_cookie(&bad).is_err(), "{bad}");
        }
        assert!(effects.is_empty());
        effects
            .set_cookie(
                &Cookie::build(("session", "\"abc\""))
                    .http_only(true)
                    .same_site(SameSite::Lax)
                    .path("/")
                    .build(),
            )
            .unwrap();
        let mut headers = HeaderMap::new();
        effects.apply(&mut headers);
        assert_eq!(
            headers.get(header::SET_COOKIE).unwrap(),
            "session=\"abc\"; HttpOnly; SameSite=Lax; Path=/"
        );
    }

    #[test]
    fn protocol_headers_are_reserved_and_later_headers_win() {
        let mut effects = Effects::default();
        for name in [
            header::CONTENT_TYPE,
            header::SET_COOKIE,
            header::CACHE_CONTROL,
            HeaderName::from_static("cache-tag"),
            HeaderName::from_static("surrogate-key"),
        ] {
            assert!(
                effects
                    .set_header(name, HeaderValue::from_static("x"))
                    .is_err()
            );
        }
        assert!(
            effects
                .set_header(
                    HeaderName::from_static("x-mizan-rev"),
                    HeaderValue::from_static("1")
                )
                .is_err()
        );
        let location = HeaderName::from_static("x-request-note");
        effects
            .set_header(location.clone(), HeaderValue::from_static("first"))
            .unwrap();
        let mut later = Effects::default();
        later
            .set_header(location.clone(), HeaderValue::from_static("second"))
            .unwrap();
        later.invalidate_tag("posts".into()).unwrap();
        later.set_rev(7).unwrap();
        effects.invalidate_tag("posts".into()).unwrap();
        effects.invalidate_tag("users:42".into()).unwrap();
        effects.set_rev(9).unwrap();
        effects.extend(later);
        let mut headers = HeaderMap::new();
        effects.apply(&mut headers);
        assert_eq!(headers.get(&location).unwrap(), "second");
        assert_eq!(headers.get(INVALIDATE_HEADER).unwrap(), "posts, users:42");
        assert_eq!(headers.get(REV_HEADER).unwrap(), "9");
    }

    #[test]
    fn tags_and_revs_outside_the_rules_are_refused() {
        let mut effects = Effects::default();
        assert!(effects.invalidate_tag(String::new()).is_err());
        assert!(effects.invalidate_tag("a,b".into()).is_err());
        assert!(effects.invalidate_tag("x".repeat(129)).is_err());
        assert!(effects.invalidate_tag("a b".into()).is_err());
        assert!(effects.set_rev(0).is_err());
        assert!(effects.set_rev(1 << 53).is_err());
        assert!(effects.is_empty());
        // Expanded template values escape with `%` (§2.16.2).
        effects
            .invalidate_tag("user:Ada%20Lovelace".into())
            .unwrap();
        assert_eq!(effects.invalidated_tags(), ["user:Ada%20Lovelace"]);
    }
}
