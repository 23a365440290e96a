//! Runs the real demo binary on a loopback port and talks to it over TCP.

mod common;
use common::{DemoProcess, request, request_raw};

fn post(path: &str, body: &str, token: Option<&str>) -> String {
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    format!(
        "POST {path} HTTP/1.1\r\nHost: demo\r\nContent-Type: application/json\r\n{auth}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

fn get(path: &str) -> String {
    format!("GET {path} HTTP/1.1\r\nHost: demo\r\nConnection: close\r\n\r\n")
}

/// What `current_user` answers to an anonymous request, in canonical JSON.
const ANONYMOUS: &str = r#"{"authenticated":false,"email":null,"id":null,"staff":false,"superuser":false,"username":null}"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_binary_serves_every_function() {
    let demo = DemoProcess::spawn(&["--dev"], None).await;
    let (addr, ada, grace) = (&demo.addr, &demo.ada, &demo.grace);

    let (status, head, body) =
        request(addr, post("/api/mizan/call/echo", r#"{"text":"hi"}"#, None)).await;
    assert_eq!(status, 200);
    assert!(head.contains("cache-control: no-store"));
    // Call bodies are plain JSON in field order; only context bodies are canonical.
    let echoed: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(echoed, serde_json::json!({"message": "hi", "count": "1"}));

    let (status, head, body) = request(
        addr,
        get("/api/mizan/context/greet?p=%7B%22name%22%3A%22Ada%22%7D"),
    )
    .await;
    assert_eq!(status, 200);
    assert!(head.contains("cache-control: public, max-age=0, stale-while-revalidate=300"));
    assert_eq!(body, r#"{"text":"Hello, Ada!"}"#);

    let (_, _, body) = request(addr, get("/api/mizan/context/current_user")).await;
    assert_eq!(body, ANONYMOUS);

    let (status, _, body) = request(addr, post("/api/mizan/call/admin.stats", "{}", None)).await;
    assert_eq!(status, 401, "{body}");
    let (status, _, _) = request(addr, post("/api/mizan/call/admin.stats", "{}", Some(ada))).await;
    assert_eq!(status, 403);
    let (status, _, body) =
        request(addr, post("/api/mizan/call/admin.stats", "{}", Some(grace))).await;
    assert_eq!((status, body.as_str()), (200, r#"{"echoes":"1"}"#));

    let (status, _, body) = request(addr, get("/api/mizan/manifest")).await;
    assert_eq!(status, 200);
    let manifest: serde_json::Value = serde_json::from_str(&body).unwrap();
    let names: Vec<&str> = manifest["functions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 18, "{names:?}");
    for name in [
        "auth.login",
        "auth.logout",
        "chat.announce",
        "current_user",
        "demo.sign_in",
        "notes",
        "notes.add",
    ] {
        assert!(names.contains(&name), "{name} in {names:?}");
    }
    assert_eq!(manifest["forms"][0]["name"], "contact");
    let channels: Vec<&str> = manifest["channels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(channels, ["chat", "ops"]);

    // The development sign-in starts a real session: an HttpOnly cookie, never in the body.
    let (status, head, body) = request_raw(
        addr,
        post("/api/mizan/call/demo.sign_in", r#"{"user":"ada"}"#, None)
            .replace("Host: demo", "Host: 127.0.0.1:8000"),
    )
    .await;
    assert_eq!(status, 200);
    let signed_in: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(signed_in["user"]["email"], "ada@example.com");
    assert!(
        signed_in["token"]["token"]
            .as_str()
            .unwrap()
            .starts_with("mwt1.")
    );
    let session = common::set_cookie_value(&head, "mizan_session").expect("a session cookie");
    assert_eq!(session.len(), 43);
    assert!(!body.contains(session));
    assert!(
        head.contains(&format!(
            "set-cookie: mizan_session={session}; HttpOnly; SameSite=Lax; Path=/; Max-Age=1209600\r\n"
        )),
        "{head}"
    );
    let with_session = |method: &str, path: &str| {
        let body = if method == "POST" { "{}" } else { "" };
        format!(
            "{method} {path} HTTP/1.1\r\nHost: demo.example\r\nContent-Type: application/json\r\nCookie: mizan_session={session}\r\nX-Mizan-CSRF: 1\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
    };
    let (_, _, body) = request(addr, with_session("GET", "/api/mizan/context/current_user")).await;
    assert_eq!(
        body,
        r#"{"authenticated":true,"email":"ada@example.com","id":"ada","staff":false,"superuser":false,"username":null}"#
    );
    let (status, head, _) =
        request(addr, with_session("POST", "/api/mizan/call/auth.logout")).await;
    assert_eq!(status, 200);
    assert!(
        head.contains("set-cookie: mizan_session=; httponly; samesite=lax; secure; path=/; max-age=0; expires="),
        "{head}"
    );
    let (_, _, body) = request(addr, with_session("GET", "/api/mizan/context/current_user")).await;
    assert_eq!(body, ANONYMOUS, "the session ended");
    let (_, head, _) = request(
        addr,
        post("/api/mizan/call/demo.sign_in", r#"{"user":"ada"}"#, None)
            .replace("Host: demo", "Host: demo.example"),
    )
    .await;
    assert!(
        head.contains("; secure;"),
        "outside loopback the cookie is Secure: {head}"
    );
    let (status, _, _) = request(
        addr,
        post("/api/mizan/call/demo.sign_in", r#"{"user":"root"}"#, None),
    )
    .await;
    assert_eq!(status, 404, "the development sign-in is for ada and grace");

    let (status, head, body) = request(addr, get("/")).await;
    assert_eq!(status, 200);
    assert!(head.contains("content-type: text/html"));
    let hydration = format!(
        r#"<script type="application/json" id="mizan-hydration">{{"contexts":{{"current_user":{ANONYMOUS}}}}}</script>"#
    );
    assert!(body.contains(&hydration), "{body}");

    let (status, _, body) = request(
        addr,
        get("/api/mizan/context/greet?p=%7B%22name%22%3A%22%20%22%7D"),
    )
    .await;
    assert_eq!(
        (
            status,
            serde_json::from_str::<serde_json::Value>(&body).unwrap()["code"].clone()
        ),
        (400, serde_json::json!("bad_request"))
    );
}

/// The web app's client in `web/src/mizan` is what the registry generates: change a function and
/// this fails until `cargo run -p mizan-demo -- --mizan-generate examples/demo/web/src/mizan`.
#[test]
fn the_committed_web_client_matches_the_registry() {
    let registry = mizan_demo::functions::registry().unwrap();
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/web/src/mizan");
    if let Err(e) = mizan::codegen::check_client(&registry, dir) {
        panic!("{e}");
    }
}

#[test]
fn the_binary_checks_and_prints_without_serving() {
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_mizan-demo"))
            .args(args)
            .output()
            .unwrap()
    };
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/web/src/mizan");
    let out = run(&["--mizan-check", dir]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(&["--mizan-manifest"]);
    assert!(out.status.success());
    let manifest: mizan::Manifest = serde_json::from_slice(&out.stdout).unwrap();
    assert!(manifest.function("echo").is_some());
    let out = run(&["--mizan-check", env!("CARGO_MANIFEST_DIR")]);
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.starts_with(
            "error[stale_client]: forms.ts, hooks.ts, index.ts, openapi.json, schemas.ts, types.ts in "
        ),
        "{said}"
    );
}
