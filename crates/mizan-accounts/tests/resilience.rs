//! The store going away and coming back, and migrations that fail, on real databases.

mod support;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;
use support::{Client, Db, app};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// A TCP forwarder to PostgreSQL that the test can cut and restore, as a network or a database
/// restart would.
struct Proxy {
    addr: SocketAddr,
    tasks: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Proxy {
    async fn start(addr: SocketAddr) -> Proxy {
        let listener = TcpListener::bind(addr).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let tasks: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let registry = Arc::clone(&tasks);
        let accept = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let forward = tokio::spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect("127.0.0.1:5432").await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                registry.lock().unwrap().push(forward);
            }
        });
        tasks.lock().unwrap().push(accept);
        Proxy { addr, tasks }
    }

    /// Closes the listener and every forwarded connection.
    fn cut(&self) {
        for task in self.tasks.lock().unwrap().drain(..) {
            task.abort();
        }
    }
}

#[tokio::test]
async fn an_unreachable_database_is_503_and_the_server_recovers() {
    let db = Db::postgres().await;
    let proxy = Proxy::start("127.0.0.1:0".parse().unwrap()).await;
    let through_proxy = db.url.replace("127.0.0.1:5432", &proxy.addr.to_string());
    let proxied = Db::postgres_handle(&db, through_proxy);
    let app = app(&proxied).await;
    let mut ada = app
        .signed_in("ada@example.com", "correct horse battery")
        .await;
    assert_eq!(app.call(&mut ada, "whoami", json!({})).await.status, 200);

    proxy.cut();
    tokio::time::sleep(Duration::from_millis(50)).await;
    let started = Instant::now();
    let down = app.call(&mut ada, "whoami", json!({})).await;
    assert_eq!(
        (down.status.as_u16(), down.code()),
        (503, "unavailable"),
        "{:?}",
        down.body
    );
    assert_eq!(down.headers["retry-after"], "1");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "bounded: {:?}",
        started.elapsed()
    );
    let login = app
        .call(
            &mut Client::default(),
            "auth.login",
            json!({"email": "ada@example.com", "password": "correct horse battery"}),
        )
        .await;
    assert_eq!(login.code(), "unavailable", "{:?}", login.body);
    // Requests without credentials need no store: the server keeps serving them.
    let anonymous = app.context(&mut Client::default(), "current_user").await;
    assert_eq!(anonymous.status, 200);

    let _restored = Proxy::start(proxy.addr).await;
    let mut back = None;
    for _ in 0..50 {
        let answer = app.call(&mut ada, "whoami", json!({})).await;
        if answer.status == 200 {
            back = Some(answer);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        back.is_some(),
        "the server recovers when the database returns"
    );
    db.drop_schema().await;
}

#[tokio::test]
async fn an_unreachable_database_at_start_is_a_clear_error() {
    let started = Instant::now();
    let error = mizan_accounts::SqlStore::connect("postgres://postgres@127.0.0.1:1/test")
        .await
        .unwrap_err();
    assert!(
        matches!(error, mizan_accounts::AccountsError::Unavailable(_)),
        "{error}"
    );
    assert!(started.elapsed() < Duration::from_secs(10));
    let error = mizan_accounts::SqlStore::connect("mysql://localhost/x")
        .await
        .unwrap_err();
    assert!(
        matches!(error, mizan_accounts::AccountsError::UnsupportedUrl(_)),
        "{error}"
    );
}

#[tokio::test]
async fn the_sqlite_file_is_created_and_reopened_with_its_users() {
    let db = Db::sqlite().await;
    let path = db.url.trim_start_matches("sqlite://").to_owned();
    assert!(!std::path::Path::new(&path).exists());
    {
        let app = app(&db).await;
        app.admin
            .create_user(
                "ada@example.com",
                Some("correct horse battery"),
                false,
                false,
            )
            .await
            .unwrap();
    }
    assert!(
        std::path::Path::new(&path).exists(),
        "the file appears on first start"
    );
    let app = app(&db).await;
    assert_eq!(
        app.admin.list().await.unwrap().len(),
        1,
        "migrations run once; data stays"
    );
}
