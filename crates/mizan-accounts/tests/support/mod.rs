//! Real databases and a real router for the accounts tests: a SQLite file in a temporary folder,
//! and a fresh schema in the PostgreSQL on 127.0.0.1:5432 (the test command starts it).

#![allow(dead_code, unreachable_pub, missing_docs)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};

use axum::body::Body;
use axum::extract::ConnectInfo;
use http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use mizan::core::RootSecret;
use mizan::core::mwt::{Keyring, Validation};
use mizan::{Mizan, Registry};
use mizan_accounts::{Accounts, AccountsBuilder, Admin, MemoryMailer, TokenIssuer, UserRecord};
use serde_json::Value;
use tower::ServiceExt;

/// The PostgreSQL the tests use; `MIZAN_TEST_POSTGRES` overrides it.
pub fn postgres_base() -> String {
    std::env::var("MIZAN_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// A database for one test.
pub struct Db {
    pub url: String,
    pub name: &'static str,
    _dir: Option<tempfile::TempDir>,
    schema: Option<String>,
}

impl Db {
    pub async fn sqlite() -> Db {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/accounts.sqlite3", dir.path().display());
        Db {
            url,
            name: "sqlite",
            _dir: Some(dir),
            schema: None,
        }
    }

    pub async fn postgres() -> Db {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let schema = format!(
            "mizan_test_{}_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .subsec_nanos()
        );
        sqlx::any::install_default_drivers();
        let admin = sqlx::AnyPool::connect(&postgres_base())
            .await
            .expect("PostgreSQL answers on 127.0.0.1:5432 (scripts/test.sh starts it)");
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
            .execute(&admin)
            .await
            .unwrap();
        admin.close().await;
        let url = format!("{}?options=-c%20search_path%3D{schema}", postgres_base());
        Db {
            url,
            name: "postgres",
            _dir: None,
            schema: Some(schema),
        }
    }

    /// Another handle on the PostgreSQL schema of `_db`, by `url` (through a proxy, say), which
    /// never drops it.
    pub fn postgres_handle(_db: &Db, url: String) -> Db {
        Db {
            url,
            name: "postgres",
            _dir: None,
            schema: None,
        }
    }

    /// Both databases, SQLite first.
    pub async fn both() -> [Db; 2] {
        [Db::sqlite().await, Db::postgres().await]
    }

    pub async fn drop_schema(&self) {
        if let Some(schema) = &self.schema
            && let Ok(admin) = sqlx::AnyPool::connect(&postgres_base()).await
        {
            let _ = sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
                .execute(&admin)
                .await;
            admin.close().await;
        }
    }
}

pub fn secret() -> RootSecret {
    RootSecret::new([9u8; 32]).unwrap()
}

pub fn issuer() -> TokenIssuer {
    TokenIssuer::new(
        Keyring::single("k1", secret()).unwrap(),
        Validation::new("accounts-test", "accounts-test-web"),
        &secret(),
    )
}

/// Staff only.
#[mizan::client(auth = "staff")]
async fn staff_report(_req: &mizan::Request) -> mizan::Result<String> {
    Ok("numbers".to_owned())
}

/// Any signed-in user.
#[mizan::client(auth)]
async fn whoami(req: &mizan::Request) -> mizan::Result<String> {
    Ok(req.user().map(|u| u.id.clone()).unwrap_or_default())
}

/// Only users whose email starts with `ada`: an async custom check that reads the store's record.
async fn is_ada(req: &mizan::Request) -> mizan::Result<bool> {
    tokio::task::yield_now().await;
    Ok(req
        .principal()
        .extension::<UserRecord>()
        .is_some_and(|u| u.email.starts_with("ada")))
}

#[mizan::client(auth = is_ada)]
async fn ada_only(_req: &mizan::Request) -> mizan::Result<String> {
    Ok("hello ada".to_owned())
}

pub struct App {
    pub router: axum::Router,
    pub mailer: MemoryMailer,
    pub accounts: Accounts,
    pub admin: Admin,
}

pub async fn app(db: &Db) -> App {
    app_with(db, |b| b).await
}

pub async fn app_with(db: &Db, configure: impl FnOnce(AccountsBuilder) -> AccountsBuilder) -> App {
    let mailer = MemoryMailer::new();
    let accounts = configure(
        Accounts::builder(issuer())
            .database(&db.url)
            .mailer(mailer.clone()),
    )
    .open()
    .await
    .unwrap_or_else(|e| panic!("{}: {e}", db.name));
    let mut registry = Registry::new();
    Accounts::register(&mut registry).unwrap();
    registry
        .register(staff_report, "staff_report")
        .unwrap()
        .register(whoami, "whoami")
        .unwrap()
        .register(ada_only, "ada_only")
        .unwrap();
    let router = accounts.install(Mizan::new(registry)).router("/api/mizan");
    let admin = accounts.admin();
    App {
        router,
        mailer,
        accounts,
        admin,
    }
}

/// One browser or client: its cookie jar, and whether it sends the CSRF header.
#[derive(Clone)]
pub struct Client {
    pub session: Option<String>,
    pub bearer: Option<String>,
    pub csrf: bool,
    pub origin: Option<String>,
    pub address: Option<SocketAddr>,
    pub extra: Vec<(&'static str, String)>,
}

impl Default for Client {
    fn default() -> Self {
        Client {
            session: None,
            bearer: None,
            csrf: true,
            origin: None,
            address: Some("127.0.0.1:50000".parse().unwrap()),
            extra: Vec::new(),
        }
    }
}

#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Answer {
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("")
    }
    pub fn reason(&self) -> &str {
        self.body["details"]["reason"].as_str().unwrap_or("")
    }
}

impl App {
    /// `POST /call/<name>` as `client`, keeping the session cookie it is given.
    pub async fn call(&self, client: &mut Client, name: &str, params: Value) -> Answer {
        let mut request = Request::post(format!("/api/mizan/call/{name}"))
            .header("host", "app.test")
            .header("content-type", "application/json");
        if client.csrf {
            request = request.header("x-mizan-csrf", "1");
        }
        self.send(client, request, Body::from(params.to_string()))
            .await
    }

    /// `GET /context/<name>` as `client`.
    pub async fn context(&self, client: &mut Client, name: &str) -> Answer {
        let request = Request::get(format!("/api/mizan/context/{name}")).header("host", "app.test");
        self.send(client, request, Body::empty()).await
    }

    async fn send(
        &self,
        client: &mut Client,
        mut request: http::request::Builder,
        body: Body,
    ) -> Answer {
        if let Some(session) = &client.session {
            request = request.header("cookie", format!("mizan_session={session}"));
        }
        if let Some(token) = &client.bearer {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        if let Some(origin) = &client.origin {
            request = request.header("origin", origin);
        }
        for (name, value) in &client.extra {
            request = request.header(*name, value);
        }
        let mut request = request.body(body).unwrap();
        if let Some(address) = client.address {
            request.extensions_mut().insert(ConnectInfo(address));
        }
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        for cookie in headers.get_all("set-cookie") {
            let text = cookie.to_str().unwrap();
            if let Some(rest) = text.strip_prefix("mizan_session=") {
                let value = rest.split(';').next().unwrap_or("");
                client.session = (!value.is_empty()).then(|| value.to_owned());
            }
        }
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or(Value::Null)
        };
        Answer {
            status,
            headers,
            body,
        }
    }

    /// The client at `address`.
    pub fn client_at(address: &str) -> Client {
        Client {
            address: Some(address.parse().unwrap()),
            ..Client::default()
        }
    }

    /// Signs `email` up and in, and returns the signed-in client.
    pub async fn signed_in(&self, email: &str, password: &str) -> Client {
        let mut client = Client::default();
        let up = self
            .call(
                &mut client,
                "auth.signup",
                serde_json::json!({"email": email, "password": password}),
            )
            .await;
        assert_eq!(up.status, 200, "{:?}", up.body);
        let login = self
            .call(
                &mut client,
                "auth.login",
                serde_json::json!({"email": email, "password": password}),
            )
            .await;
        assert_eq!(login.status, 200, "{:?}", login.body);
        client
    }

    /// Waits for the mailer's task, up to a second, until `count` mails were sent.
    pub async fn mails(&self, count: usize) -> Vec<mizan_accounts::Mail> {
        for _ in 0..100 {
            let sent = self.mailer.sent();
            if sent.len() >= count {
                return sent;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        self.mailer.sent()
    }
}
