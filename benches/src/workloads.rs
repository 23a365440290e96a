//! The servers and workloads of the load benchmark, and the one request each workload sends to
//! each server.

/// A server of the load benchmark; see [`crate::servers`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Server {
    /// Axum handlers as a user writes them.
    Bare,
    /// Axum handlers doing the work Mizan's protocol requires.
    Same,
    /// The demo app.
    Mizan,
}

/// Every server, in the order rounds interleave them.
pub const SERVERS: [Server; 3] = [Server::Bare, Server::Same, Server::Mizan];

impl Server {
    /// The `load-server` argument.
    pub fn mode(self) -> &'static str {
        match self {
            Self::Bare => "bare",
            Self::Same => "same",
            Self::Mizan => "mizan",
        }
    }

    /// The server of a `load-server` argument.
    pub fn from_mode(mode: &str) -> Option<Self> {
        SERVERS.into_iter().find(|s| s.mode() == mode)
    }

    /// The name in tables.
    pub fn label(self) -> &'static str {
        match self {
            Self::Bare => "bare axum",
            Self::Same => "same-work axum",
            Self::Mizan => "Mizan",
        }
    }
}

/// A workload: one request, sent over and over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Workload {
    /// `POST` echo.
    Echo,
    /// `GET` greet.
    Greet,
    /// `GET` greet with the current ETag in `If-None-Match`.
    Greet304,
    /// A batch of 8 echo calls.
    Batch8,
    /// Echo with `Authorization: Bearer <MWT>`.
    AuthEcho,
}

/// Every workload.
pub const WORKLOADS: [Workload; 5] = [
    Workload::Echo,
    Workload::Greet,
    Workload::Greet304,
    Workload::Batch8,
    Workload::AuthEcho,
];

impl Workload {
    /// The name in tables.
    pub fn label(self) -> &'static str {
        match self {
            Self::Echo => "`POST` echo call",
            Self::Greet => "`GET` greet context",
            Self::Greet304 => "greet context, `304` (If-None-Match)",
            Self::Batch8 => "`POST` batch of 8 echo calls",
            Self::AuthEcho => "echo call with `Bearer` MWT",
        }
    }

    /// A short name, for command lines.
    pub fn key(self) -> &'static str {
        match self {
            Self::Echo => "echo",
            Self::Greet => "greet",
            Self::Greet304 => "greet304",
            Self::Batch8 => "batch8",
            Self::AuthEcho => "auth",
        }
    }
}

/// One HTTP request, as the load generator sends it, and the status it must get.
#[derive(Debug, Clone)]
pub struct Spec {
    /// `GET` or `POST`.
    pub method: &'static str,
    /// Path and query.
    pub path: String,
    /// Headers besides `Host` and `Content-Length`.
    pub headers: Vec<(&'static str, String)>,
    /// The body (empty for `GET`).
    pub body: String,
    /// The expected status.
    pub status: u16,
}

/// The echo call's body.
pub const ECHO_BODY: &str = r#"{"text":"hello, world"}"#;
/// The canonical query of greet's params `{"name":"Ada"}`.
pub const GREET_QUERY: &str = "p=%7B%22name%22%3A%22Ada%22%7D";

fn batch_body() -> String {
    let call = r#"{"fn":"echo","params":{"text":"hello, world"}}"#;
    format!("{{\"calls\":[{}]}}", [call; 8].join(","))
}

/// A token for the demo user `ada`, signed with [`crate::servers::secret`].
pub fn token() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    mizan_demo::Keys::new(crate::servers::secret()).token("ada", false, now)
}

/// The request `workload` sends to `server`; `etag` is greet's, for the `304` workload.
pub fn spec(workload: Workload, server: Server, token: &str, etag: &str) -> Spec {
    let mizan_paths = server != Server::Bare;
    let post = |path: &str, body: String, mut headers: Vec<(&'static str, String)>| {
        headers.push(("Content-Type", "application/json".to_owned()));
        Spec {
            method: "POST",
            path: path.to_owned(),
            headers,
            body,
            status: 200,
        }
    };
    let echo_path = if mizan_paths {
        "/api/mizan/call/echo"
    } else {
        "/echo"
    };
    let greet_path = if mizan_paths {
        format!("/api/mizan/context/greet?{GREET_QUERY}")
    } else {
        "/greet?name=Ada".to_owned()
    };
    let get = |headers: Vec<(&'static str, String)>, status| Spec {
        method: "GET",
        path: greet_path.clone(),
        headers,
        body: String::new(),
        status,
    };
    match workload {
        Workload::Echo => post(echo_path, ECHO_BODY.to_owned(), Vec::new()),
        Workload::AuthEcho => post(
            echo_path,
            ECHO_BODY.to_owned(),
            vec![("Authorization", format!("Bearer {token}"))],
        ),
        Workload::Batch8 => post(
            if mizan_paths {
                "/api/mizan/batch"
            } else {
                "/batch"
            },
            batch_body(),
            Vec::new(),
        ),
        Workload::Greet => get(Vec::new(), 200),
        // The bare handler has no ETag: it answers 200 to the same request.
        Workload::Greet304 => get(
            vec![("If-None-Match", etag.to_owned())],
            if mizan_paths { 304 } else { 200 },
        ),
    }
}

/// The spec as an in-process request.
pub fn http_request(spec: &Spec) -> axum::http::Request<axum::body::Body> {
    let mut builder = axum::http::Request::builder()
        .method(spec.method)
        .uri(&spec.path)
        .header("host", "127.0.0.1");
    for (name, value) in &spec.headers {
        builder = builder.header(*name, value);
    }
    builder
        .header("content-length", spec.body.len())
        .body(axum::body::Body::from(spec.body.clone()))
        .unwrap_or_else(|e| unreachable!("the benchmark's requests are valid: {e}"))
}
