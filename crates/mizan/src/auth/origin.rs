//! The origin check of cookie-authenticated requests (`spec/PROTOCOL.md` §2.14.3).

use http::HeaderMap;
use http::header::{HOST, ORIGIN};

/// Whether a request passes the origin check: it has no `Origin` header, or its `Origin` is, byte
/// for byte, `http://` or `https://` followed by its `Host`, or one of `allowed` (such as
/// `https://app.example.com`). `Origin: null` fails.
///
/// Browsers send `Origin` on every cross-origin request and on every `POST` or WebSocket
/// upgrade, so a page of another site that makes a browser send its cookies is refused here.
///
/// ```
/// use http::HeaderMap;
///
/// let mut headers = HeaderMap::new();
/// headers.insert("host", "app.example.com".parse().unwrap());
/// headers.insert("origin", "https://app.example.com".parse().unwrap());
/// assert!(mizan::origin_allowed(&headers, &[]));
/// headers.insert("origin", "https://evil.example".parse().unwrap());
/// assert!(!mizan::origin_allowed(&headers, &[]));
/// assert!(mizan::origin_allowed(&headers, &["https://evil.example".to_owned()]));
/// ```
pub fn origin_allowed(headers: &HeaderMap, allowed: &[String]) -> bool {
    let mut origins = headers.get_all(ORIGIN).iter();
    let Some(origin) = origins.next() else {
        return true;
    };
    if origins.next().is_some() {
        return false;
    }
    let origin = origin.as_bytes();
    if allowed.iter().any(|a| a.as_bytes() == origin) {
        return true;
    }
    let Some(host) = headers.get(HOST).map(http::HeaderValue::as_bytes) else {
        return false;
    };
    [&b"http://"[..], b"https://"].iter().any(|scheme| {
        origin.len() == scheme.len() + host.len()
            && origin.starts_with(scheme)
            && &origin[scheme.len()..] == host
    })
}

/// Whether the request's `Host` names the loopback interface (`localhost`, `127.0.0.1` or
/// `[::1]`, with or without a port). Cookies are `Secure` everywhere else: browsers do not keep a
/// `Secure` cookie sent over plain HTTP, which is how loopback development runs.
///
/// ```
/// let mut headers = http::HeaderMap::new();
/// headers.insert("host", "localhost:8000".parse().unwrap());
/// assert!(mizan::is_loopback_host(&headers));
/// headers.insert("host", "app.example.com".parse().unwrap());
/// assert!(!mizan::is_loopback_host(&headers));
/// ```
pub fn is_loopback_host(headers: &HeaderMap) -> bool {
    let host = headers
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    let name = match host.rsplit_once(':') {
        // `[::1]:8000`, `localhost:8000`; a bare `[::1]` has its colons inside the brackets.
        Some((name, port)) if !port.contains(']') => name,
        _ => host,
    };
    matches!(name, "localhost" | "127.0.0.1" | "[::1]")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts_with_or_without_a_port() {
        let host = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(HOST, value.parse().unwrap());
            headers
        };
        for h in [
            "localhost",
            "localhost:8000",
            "127.0.0.1:1",
            "[::1]",
            "[::1]:8000",
        ] {
            assert!(is_loopback_host(&host(h)), "{h}");
        }
        for h in [
            "example.com",
            "localhost.example.com",
            "127.0.0.2",
            "[::2]:80",
        ] {
            assert!(!is_loopback_host(&host(h)), "{h}");
        }
        assert!(!is_loopback_host(&HeaderMap::new()));
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, value.parse().unwrap());
        }
        map
    }

    #[test]
    fn own_origin_or_allowed_or_none() {
        assert!(origin_allowed(&headers(&[("host", "a.test")]), &[]));
        assert!(origin_allowed(
            &headers(&[("host", "a.test:8000"), ("origin", "http://a.test:8000")]),
            &[]
        ));
        assert!(origin_allowed(
            &headers(&[("host", "a.test"), ("origin", "https://a.test")]),
            &[]
        ));
        for origin in [
            "null",
            "http://a.test.evil",
            "http://b.test",
            "ftp://a.test",
            "http://A.test",
            "http://a.test/",
        ] {
            assert!(
                !origin_allowed(&headers(&[("host", "a.test"), ("origin", origin)]), &[]),
                "{origin}"
            );
        }
        assert!(
            !origin_allowed(&headers(&[("origin", "http://a.test")]), &[]),
            "no Host"
        );
        assert!(
            !origin_allowed(
                &headers(&[
                    ("host", "a.test"),
                    ("origin", "http://a.test"),
                    ("origin", "http://a.test")
                ]),
                &[]
            ),
            "two Origin headers"
        );
        let allowed = ["https://app.test".to_owned()];
        assert!(origin_allowed(
            &headers(&[("host", "api.test"), ("origin", "https://app.test")]),
            &allowed
        ));
    }
}
