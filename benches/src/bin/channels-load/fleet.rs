//! Every client socket of the generator in one epoll loop (mio), on the generator's one core.

use std::io;
use std::net::{SocketAddr, SocketAddrV4};
use std::time::Duration;

use mio::net::TcpStream;
use mio::{Events, Interest, Poll, Token};
use socket2::{Domain, Protocol, Socket, Type};

use crate::conn::{Conn, Event, Scripts, Stage};
use crate::ws;

/// The sockets, indexed by their mio token.
pub(crate) struct Fleet {
    poll: Poll,
    events: Events,
    conns: Vec<Option<Conn>>,
    /// Indices of `conns` left empty by closed sockets, reused first.
    free: Vec<usize>,
    scratch: Vec<u8>,
    scripts: Scripts,
    server: SocketAddr,
}

impl Fleet {
    /// An empty fleet whose sockets subscribe `channel` with `{"room": rooms[i]}` for group `i`,
    /// and those told to with `{"room": extra_room}` as well.
    pub(crate) fn new(
        server: SocketAddr,
        path: &str,
        channel: &str,
        rooms: &[String],
        extra_room: &str,
    ) -> io::Result<Self> {
        let frame = |text: &str| {
            let mut out = Vec::new();
            ws::text(text, &mut out);
            out
        };
        let subscribe = |id: &str, room: &str| {
            frame(
                &serde_json::json!({
                    "type": "subscribe", "id": id, "channel": channel, "params": {"room": room}
                })
                .to_string(),
            )
        };
        Ok(Self {
            poll: Poll::new()?,
            events: Events::with_capacity(4096),
            conns: Vec::new(),
            free: Vec::new(),
            scratch: vec![0; 256 * 1024],
            scripts: Scripts {
                upgrade: ws::upgrade_request(&server.to_string(), path).into_bytes(),
                subscribe: rooms.iter().map(|room| subscribe("s", room)).collect(),
                pong: frame(r#"{"type":"pong"}"#),
                extra: subscribe("t", extra_room),
            },
            server,
        })
    }

    /// Starts a socket from `source`, address and port (bound before the connect: the kernel's
    /// search for a free port of one address takes time in the number of ports bound, a
    /// millisecond per socket at 10,000, so the caller picks them), that subscribes to group
    /// `group`; `recv_buffer` shrinks its receive buffer. Returns its token.
    pub(crate) fn connect(
        &mut self,
        source: SocketAddrV4,
        group: u32,
        recv_buffer: Option<usize>,
    ) -> io::Result<usize> {
        let socket = Socket::new(Domain::IPV4, Type::STREAM, Some(Protocol::TCP))?;
        socket.set_nonblocking(true)?;
        socket.set_tcp_nodelay(true)?;
        // A port of an earlier run may still be in TIME_WAIT (towards another server port).
        socket.set_reuse_address(true)?;
        if let Some(size) = recv_buffer {
            socket.set_recv_buffer_size(size)?;
        }
        socket.bind(&SocketAddr::V4(source).into())?;
        match socket.connect(&self.server.into()) {
            Ok(()) => {}
            Err(e) if e.raw_os_error() == Some(libc::EINPROGRESS) => {}
            Err(e) => return Err(e),
        }
        let mut stream = TcpStream::from_std(socket.into());
        let token = self.free.pop().unwrap_or(self.conns.len());
        self.poll.registry().register(
            &mut stream,
            Token(token),
            Interest::READABLE | Interest::WRITABLE,
        )?;
        let conn = Some(Conn::connecting(stream, group));
        if token == self.conns.len() {
            self.conns.push(conn);
        } else {
            self.conns[token] = conn;
        }
        Ok(token)
    }

    /// The socket `token`, while open.
    pub(crate) fn get(&self, token: usize) -> Option<&Conn> {
        self.conns.get(token)?.as_ref()
    }

    /// Makes the socket `token`, still handshaking, subscribe to the extra room too.
    pub(crate) fn add_extra_subscription(&mut self, token: usize) {
        if let Some(Some(conn)) = self.conns.get_mut(token) {
            conn.extra = true;
        }
    }

    /// Stops or resumes reading the socket `token` (a slow client stops).
    pub(crate) fn set_paused(&mut self, token: usize, paused: bool) {
        if let Some(Some(conn)) = self.conns.get_mut(token) {
            conn.paused = paused;
        }
    }

    /// Waits up to `timeout` for readiness and handles it: `sink(token, group, event, read_ns)`.
    pub(crate) fn turn(
        &mut self,
        timeout: Duration,
        sink: &mut impl FnMut(usize, u32, Event, u64),
    ) -> io::Result<()> {
        match self.poll.poll(&mut self.events, Some(timeout)) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => return Ok(()),
            Err(e) => return Err(e),
        }
        let ready: Vec<(usize, bool, bool)> = self
            .events
            .iter()
            .map(|e| {
                (
                    e.token().0,
                    e.is_readable() || e.is_read_closed() || e.is_error(),
                    e.is_writable(),
                )
            })
            .collect();
        for (token, readable, writable) in ready {
            self.handle(token, readable, writable, sink);
        }
        Ok(())
    }

    /// Reads the socket `token` whether or not it is paused (the slow client, at the end).
    pub(crate) fn read_now(&mut self, token: usize, sink: &mut impl FnMut(usize, u32, Event, u64)) {
        self.handle_conn(token, true, false, true, sink);
    }

    fn handle(
        &mut self,
        token: usize,
        readable: bool,
        writable: bool,
        sink: &mut impl FnMut(usize, u32, Event, u64),
    ) {
        self.handle_conn(token, readable, writable, false, sink);
    }

    fn handle_conn(
        &mut self,
        token: usize,
        readable: bool,
        writable: bool,
        even_paused: bool,
        sink: &mut impl FnMut(usize, u32, Event, u64),
    ) {
        let Some(Some(conn)) = self.conns.get_mut(token) else {
            return;
        };
        let group = conn.group;
        let mut forward = |event, at| sink(token, group, event, at);
        if writable && let Some(event) = conn.writable(&self.scripts) {
            forward(event, crate::conn::now_ns());
        }
        if readable && (!conn.paused || even_paused) && conn.stage != Stage::Closed {
            conn.readable(&self.scripts, &mut self.scratch, &mut forward);
        }
        if conn.stage == Stage::Closed {
            self.close(token);
        }
    }

    /// Closes the socket `token` (dropping it closes the descriptor).
    pub(crate) fn close(&mut self, token: usize) {
        if let Some(slot) = self.conns.get_mut(token)
            && let Some(mut conn) = slot.take()
        {
            let _ = self.poll.registry().deregister(&mut conn.stream);
            self.free.push(token);
        }
    }

    /// Closes every socket, for the end of the run.
    pub(crate) fn close_all(&mut self) {
        for token in 0..self.conns.len() {
            self.close(token);
        }
    }
}
