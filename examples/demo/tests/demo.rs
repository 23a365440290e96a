//! Runs the real demo binary on a loopback port and talks to it over TCP.

use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

mod common;
use common::{request, request_raw};

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_binary_serves_every_function() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mizan-demo"))
        .arg("--dev")
        .env("MIZAN_DEMO_ADDR", "127.0.0.1:0")
        .env_remove("MIZAN_SECRET")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut next = async || {
        tokio::time::timeout(Duration::from_secs(30), lines.next_line())
            .await
            .unwrap()
            .unwrap()
            .unwrap()
    };
    let addr = next().await.rsplit_once("http://").unwrap().1.to_owned();
    let ada = next().await.rsplit_once(' ').unwrap().1.to_owned();
    let grace = next().await.rsplit_once(' ').unwrap().1.to_owned();

    let (status, head, body) = request(
        &addr,
        post("/api/mizan/call/echo", r#"{"text":"hi"}"#, None),
    )
    .await;
    assert_eq!(status, 200);
    assert!(head.contains("cache-control: no-store"));
    // Call bodies are plain JSON in field order; only context bodies are canonical.
    let echoed: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(echoed, serde_json::json!({"message": "hi", "count": "1"}));

    let (status, head, body) = request(
        &addr,
        get("/api/mizan/context/greet?p=%7B%22name%22%3A%22Ada%22%7D"),
    )
    .await;
    assert_eq!(status, 200);
    assert!(head.contains("cache-control: public, max-age=0, stale-while-revalidate=300"));
    assert_eq!(body, r#"{"text":"Hello, Ada!"}"#);

    let (_, _, body) = request(&addr, get("/api/mizan/context/current_user")).await;
    assert_eq!(body, r#"{"authenticated":false,"id":null,"staff":false}"#);

    let (status, _, body) = request(&addr, post("/api/mizan/call/admin.stats", "{}", None)).await;
    assert_eq!(status, 401, "{body}");
    let (status, _, _) =
        request(&addr, post("/api/mizan/call/admin.stats", "{}", Some(&ada))).await;
    assert_eq!(status, 403);
    let (status, _, body) = request(
        &addr,
        post("/api/mizan/call/admin.stats", "{}", Some(&grace)),
    )
    .await;
    assert_eq!((status, body.as_str()), (200, r#"{"echoes":"1"}"#));

    let (status, _, body) = request(&addr, get("/api/mizan/manifest")).await;
    assert_eq!(status, 200);
    let manifest: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(manifest["functions"].as_array().unwrap().len(), 9);
    assert_eq!(manifest["forms"][0]["name"], "contact");

    // Signing in sets the token as an HttpOnly cookie; the body never carries it.
    let (status, head, body) = request_raw(
        &addr,
        post("/api/mizan/call/demo.sign_in", r#"{"user":"ada"}"#, None)
            .replace("Host: demo", "Host: 127.0.0.1:8000"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body, r#"{"user":"ada","staff":false}"#);
    let set_cookie = head
        .lines()
        .find_map(|line| line.strip_prefix("set-cookie: "))
        .expect("demo.sign_in sets a cookie");
    let (pair, attributes) = set_cookie.split_once("; ").unwrap();
    let token = pair.strip_prefix("mizan_token=").unwrap();
    assert_eq!(attributes, "HttpOnly; SameSite=Lax; Path=/; Max-Age=3600");
    let (_, _, body) = request(&addr, format!("GET /api/mizan/context/current_user HTTP/1.1\r\nHost: demo\r\nCookie: mizan_token={token}\r\nConnection: close\r\n\r\n")).await;
    assert_eq!(body, r#"{"authenticated":true,"id":"ada","staff":false}"#);
    let (status, head, _) = request(
        &addr,
        format!("POST /api/mizan/call/demo.sign_out HTTP/1.1\r\nHost: demo.example\r\nContent-Type: application/json\r\nCookie: mizan_token={token}\r\nX-Mizan-CSRF: 1\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{{}}"),
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        head.contains("set-cookie: mizan_token=; path=/; max-age=0; expires="),
        "{head}"
    );
    let (_, head, _) = request(
        &addr,
        post("/api/mizan/call/demo.sign_in", r#"{"user":"ada"}"#, None)
            .replace("Host: demo", "Host: demo.example"),
    )
    .await;
    assert!(
        head.contains("; secure;"),
        "outside loopback the cookie is Secure: {head}"
    );
    let (status, _, _) = request(
        &addr,
        post(
            "/api/mizan/call/demo.sign_in",
            r#"{"user":"mallory"}"#,
            None,
        ),
    )
    .await;
    assert_eq!(status, 404);

    let (status, head, body) = request(&addr, get("/")).await;
    assert_eq!(status, 200);
    assert!(head.contains("content-type: text/html"));
    assert!(body.contains(r#"<script type="application/json" id="mizan-hydration">{"contexts":{"current_user":{"authenticated":false,"id":null,"staff":false}}}</script>"#), "{body}");

    let (status, _, body) = request(
        &addr,
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
    child.kill().await.unwrap();
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
