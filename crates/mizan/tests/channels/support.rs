//! The application the channel tests run against, served by `mizan::serve` over real TCP, and a
//! WebSocket client with bounded waits.

use std::future::IntoFuture;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use futures_util::{SinkExt, StreamExt};
use http::request::Parts;
use mizan::channels::{
    Channel, ChannelOptions, Channels, HistoryOptions, InProcess, NoIncoming, Subscriber,
};
use mizan::core::RootSecret;
use mizan::core::mwt::{Claims, Keyring, Validation};
use mizan::{
    AuthLevel, Authenticator, BoxFuture, Error, Mizan, MwtAuthenticator, Principal, Registry,
    Request, Result, ServeOptions,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub const ISSUER: &str = "mizan-test";
pub const AUDIENCE: &str = "mizan-test-app";

/// How long any single wait of a test may take.
pub const WAIT: Duration = Duration::from_secs(5);

#[derive(Deserialize, JsonSchema)]
pub struct TopicParams {
    pub topic: String,
}

#[derive(Serialize, JsonSchema)]
pub struct Tick {
    /// A u64: travels as a string (§2.9).
    pub n: u64,
    pub note: String,
}

/// Anyone may read; clients may not send.
pub struct Ticker;

impl Channel for Ticker {
    const NAME: &'static str = "ticker";
    type Params = TopicParams;
    type Message = Tick;
    type Incoming = NoIncoming;

    fn group(params: &TopicParams) -> String {
        format!("topic.{}", params.topic)
    }
}

#[derive(Deserialize, JsonSchema)]
pub struct RoomParams {
    pub room: String,
}

#[derive(Serialize, JsonSchema)]
pub struct ChatMessage {
    pub author: String,
    pub text: String,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChatPost {
    pub text: String,
    pub count: Option<u64>,
}

/// Signed-in users only; the room `vip` for staff only; posts are published to the room.
pub struct Chat;

impl Channel for Chat {
    const NAME: &'static str = "chat";
    const AUTH: AuthLevel = AuthLevel::Authenticated;
    type Params = RoomParams;
    type Message = ChatMessage;
    type Incoming = ChatPost;

    fn group(params: &RoomParams) -> String {
        format!("room.{}", params.room)
    }

    async fn authorize(&self, principal: &Principal, params: &RoomParams) -> Result<()> {
        match params.room.as_str() {
            "vip" if !principal.is_staff() => Err(Error::forbidden("staff only")),
            "explode" => panic!("authorize exploded"),
            _ => Ok(()),
        }
    }

    async fn receive(&self, from: &Subscriber<'_, Self>, post: ChatPost) -> Result<()> {
        match post.text.as_str() {
            "panic" => panic!("receive exploded"),
            "fail" => Err(Error::conflict("not now")),
            "slow" => {
                tokio::time::sleep(Duration::from_millis(300)).await;
                Ok(())
            }
            _ => {
                let author = from
                    .principal()
                    .user()
                    .map_or("?", |u| u.id.as_str())
                    .to_owned();
                let text = format!(
                    "{}{}",
                    post.text,
                    post.count.map(|c| format!(" x{c}")).unwrap_or_default()
                );
                from.publish(&ChatMessage { author, text }).await?;
                Ok(())
            }
        }
    }
}

/// Publishes a tick from a server function.
#[mizan::client]
pub async fn announce(req: &Request, topic: String, n: u64) -> Result<u64> {
    let position = req
        .channels()
        .publish::<Ticker>(
            &TopicParams { topic },
            &Tick {
                n,
                note: "from a function".into(),
            },
        )
        .await?;
    Ok(position.offset)
}

pub fn keyring() -> Keyring {
    Keyring::single("k1", RootSecret::new([11u8; 32]).unwrap()).unwrap()
}

pub fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// A token for `sub` valid for `secs` seconds.
pub fn token(sub: &str, staff: bool, secs: u64) -> String {
    let now = now_secs();
    let claims = Claims::new(ISSUER, AUDIENCE, now, now + secs, "pk")
        .with_subject(sub)
        .with_roles(staff, false);
    keyring().sign(&claims).unwrap()
}

pub fn registry() -> Registry {
    let mut registry = Registry::new();
    registry
        .channel(Ticker)
        .unwrap()
        .channel(Chat)
        .unwrap()
        .register(announce, "announce")
        .unwrap();
    registry
}

/// Short limits a test can reach.
pub fn test_options() -> ChannelOptions {
    ChannelOptions {
        max_subscriptions: 3,
        close_timeout: Duration::from_secs(1),
        ..ChannelOptions::default()
    }
    .allow_origin("https://allowed.example")
}

/// Tokens, until the test revokes every one of them at once (as a store would a user's).
struct Revocable {
    tokens: MwtAuthenticator,
    revoked: Arc<AtomicBool>,
}

impl Authenticator for Revocable {
    fn authenticate<'a>(&'a self, parts: &'a Parts) -> BoxFuture<'a, Result<Principal>> {
        Box::pin(async move {
            let principal = self.tokens.principal(parts)?;
            if principal.user().is_some() && self.revoked.load(Ordering::SeqCst) {
                return Err(
                    Error::unauthenticated("revoked").with_details(json!({"reason": "revoked"}))
                );
            }
            Ok(principal)
        })
    }
}

pub struct Server {
    pub addr: SocketAddr,
    pub channels: Channels,
    /// Set to revoke every token.
    pub revoked: Arc<AtomicBool>,
    stop: Option<oneshot::Sender<()>>,
    pub done: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Server {
    pub async fn start(options: ChannelOptions) -> Self {
        Self::start_with(options, HistoryOptions::default()).await
    }

    pub async fn start_with(options: ChannelOptions, history: HistoryOptions) -> Self {
        Self::start_on(options, Channels::new(InProcess::new(history))).await
    }

    pub async fn start_on(options: ChannelOptions, channels: Channels) -> Self {
        let serve_options = ServeOptions {
            shutdown_grace: Duration::from_secs(3),
            ..ServeOptions::default()
        };
        Self::start_serving(options, channels, serve_options).await
    }

    pub async fn start_serving(
        options: ChannelOptions,
        channels: Channels,
        serve_options: ServeOptions,
    ) -> Self {
        let revoked = Arc::new(AtomicBool::new(false));
        let authenticator = Revocable {
            tokens: MwtAuthenticator::new(
                keyring(),
                Validation::new(ISSUER, AUDIENCE).with_skew(0),
            ),
            revoked: Arc::clone(&revoked),
        };
        let app: Router = Mizan::new(registry())
            .authenticator(authenticator)
            .channels(channels.clone())
            .channel_options(options)
            .router("/api/mizan");
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let done = tokio::spawn(
            mizan::serve(listener, app)
                .options(serve_options)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .into_future(),
        );
        Self {
            addr,
            channels,
            revoked,
            stop: Some(stop),
            done,
        }
    }

    pub fn url(&self) -> String {
        format!("ws://{}/api/mizan/ws", self.addr)
    }

    pub fn shut_down(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }

    /// A socket past its `welcome`.
    pub async fn connect(&self) -> Client {
        self.connect_with(&[]).await.unwrap()
    }

    /// A socket with extra upgrade headers; the HTTP answer when the upgrade is refused.
    /// A socket whose upgrade carries a bearer token for `sub` valid `secs` seconds.
    pub async fn connect_as(&self, sub: &str, staff: bool, secs: u64) -> Client {
        let bearer = format!("Bearer {}", token(sub, staff, secs));
        self.connect_with(&[("authorization", bearer)])
            .await
            .unwrap()
    }

    pub async fn connect_with(
        &self,
        headers: &[(&'static str, String)],
    ) -> std::result::Result<Client, (u16, Value)> {
        let mut request = self.url().into_client_request().unwrap();
        for (name, value) in headers {
            request.headers_mut().append(*name, value.parse().unwrap());
        }
        let config = WebSocketConfig::default().max_message_size(Some(64 << 20));
        let connect = tokio_tungstenite::connect_async_with_config(request, Some(config), false);
        match tokio::time::timeout(WAIT, connect)
            .await
            .expect("connect in time")
        {
            Ok((ws, _)) => {
                let mut client = Client { ws };
                let welcome = client.recv().await;
                assert_eq!(welcome["type"], "welcome", "{welcome}");
                Ok(client)
            }
            Err(tungstenite::Error::Http(response)) => {
                let status = response.status().as_u16();
                let body = response.body().clone().unwrap_or_default();
                Err((status, serde_json::from_slice(&body).unwrap_or(Value::Null)))
            }
            Err(e) => panic!("connect failed: {e}"),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shut_down();
    }
}

pub struct Client {
    pub ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

/// What the server did next.
#[derive(Debug)]
pub enum Event {
    Frame(Value),
    Closed(Option<u16>),
}

impl Client {
    pub async fn send(&mut self, frame: Value) {
        self.ws
            .send(Message::text(frame.to_string()))
            .await
            .unwrap();
    }

    pub async fn send_raw(&mut self, message: Message) {
        self.ws.send(message).await.unwrap();
    }

    /// The next server event within [`WAIT`].
    pub async fn event(&mut self) -> Event {
        loop {
            let next = tokio::time::timeout(WAIT, self.ws.next())
                .await
                .expect("a server frame in time");
            match next {
                Some(Ok(Message::Text(text))) => {
                    return Event::Frame(serde_json::from_str(text.as_str()).unwrap());
                }
                Some(Ok(Message::Close(frame))) => {
                    return Event::Closed(frame.map(|f| u16::from(f.code)));
                }
                Some(Ok(_)) => continue,
                None | Some(Err(_)) => return Event::Closed(None),
            }
        }
    }

    /// The next server frame, which must come.
    pub async fn recv(&mut self) -> Value {
        match self.event().await {
            Event::Frame(frame) => frame,
            Event::Closed(code) => panic!("closed ({code:?}) instead of a frame"),
        }
    }

    /// The close code, skipping frames before it.
    pub async fn closed(&mut self) -> Option<u16> {
        loop {
            if let Event::Closed(code) = self.event().await {
                return code;
            }
        }
    }

    /// Asserts that no frame arrives for `wait`.
    pub async fn quiet(&mut self, wait: Duration) {
        if let Ok(next) = tokio::time::timeout(wait, self.ws.next()).await {
            panic!("expected nothing, got {next:?}");
        }
    }

    pub async fn subscribe(&mut self, id: &str, channel: &str, params: Value) -> Value {
        self.send(json!({"type": "subscribe", "id": id, "channel": channel, "params": params}))
            .await;
        self.recv().await
    }
}
