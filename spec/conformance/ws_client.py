"""A small RFC 6455 WebSocket client on `socket`, for the channels checks (spec/PROTOCOL.md §2.15).

Standard library only. It is deliberately low level: it can send what a browser never would (binary
frames, invalid UTF-8, unmasked or oversized frames, fragments interleaved with control frames,
reserved opcodes), and it reports what the server sent frame by frame, close code included, so a
check can tell "closed with 1009" from "closed without a close frame" from "still open".
"""
import base64
import hashlib
import json
import os
import socket
import struct
import time

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
CONT, TEXT, BINARY, CLOSE, PING, PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA


class Closed(Exception):
    """The server closed the socket: `code` is its close code (None without a close frame or status)."""

    def __init__(self, code, reason=b"", clean=True):
        super().__init__(f"closed {code} {reason!r} clean={clean}")
        self.code, self.reason, self.clean = code, reason, clean


def accept_of(key):
    """Sec-WebSocket-Accept for a Sec-WebSocket-Key (RFC 6455 §4.2.2)."""
    return base64.b64encode(hashlib.sha1(key.encode() + GUID).digest()).decode()


def frame(opcode, payload=b"", fin=True, mask=True, rsv=0, length=None):
    """One frame's bytes; `length` overrides the announced payload length (to lie about it)."""
    if isinstance(payload, str):
        payload = payload.encode("utf-8")
    n = len(payload) if length is None else length
    b0 = (0x80 if fin else 0) | (rsv << 4) | opcode
    mbit = 0x80 if mask else 0
    if n < 126:
        head = struct.pack("!BB", b0, mbit | n)
    elif n < 65536:
        head = struct.pack("!BBH", b0, mbit | 126, n)
    else:
        head = struct.pack("!BBQ", b0, mbit | 127, n)
    if not mask:
        return head + payload
    key = os.urandom(4)
    # A bytes-level XOR through int.from_bytes keeps masking of 64 KiB payloads fast in pure Python.
    k = (key * (len(payload) // 4 + 1))[:len(payload)]
    masked = (int.from_bytes(payload, "big") ^ int.from_bytes(k, "big")).to_bytes(len(payload), "big") \
        if payload else b""
    return head + key + masked


class WS:
    """An open WebSocket. Use `connect`; frames come back as (opcode, payload) or JSON via `recv_json`."""

    def __init__(self, sock, buf, resp):
        self.sock, self.buf, self.resp = sock, buf, resp
        self.closed = None  # the Closed the server sent, once it did
        self.log = []  # every JSON frame received, in order (for diagnostics)
        self.raws = []  # the exact text of every data message received, in order
        self.ops = set()  # opcodes of the data messages received (§2.15.2: text only)
        self.masked = False  # a server frame came masked (RFC 6455 §5.1 forbids it)
        self.auto_pong = True  # answer WebSocket pings (off to stay silent for the idle timeout)
        self.answer_close = True  # answer the server's close frame (off to see it drop the connection)
        # Pacing below the server's flood limit (§2.15.8: a burst of 100, 20 per second) unless a check
        # wants to pass it: a bucket of 60 frames refilled at 15 per second.
        self.pace, self._tokens, self._t = True, 60.0, time.time()

    # ------------------------------------------------------------ handshake

    @classmethod
    def connect(cls, C, path=None, headers=(), key=None, version="13", timeout=5.0, extra_lines=(),
                method="GET", upgrade=True, rcvbuf=None, http="HTTP/1.1"):
        """Open `path` (default <base>/ws). Returns (WS or None, C.Resp of the handshake answer).

        `rcvbuf` shrinks the receive buffer before connecting, so that a client that stops reading makes
        the server's outbound queue grow soon (the slow consumer of §2.15.8)."""
        path = path or f"{C.BASE}/ws"
        key = key if key is not None else base64.b64encode(os.urandom(16)).decode()
        lines = [f"{method} {path} {http}", f"Host: {C.HOST}:{C.PORT}"]
        if upgrade:
            lines += ["Connection: Upgrade", "Upgrade: websocket"]
            if version is not None:
                lines.append(f"Sec-WebSocket-Version: {version}")
            if key:
                lines.append(f"Sec-WebSocket-Key: {key}")
        lines += [f"{k}: {v}" for k, v in headers] + list(extra_lines)
        if rcvbuf:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
            s.settimeout(timeout)
            s.connect((C.HOST, C.PORT))
        else:
            s = socket.create_connection((C.HOST, C.PORT), timeout=timeout)
        s.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        buf = b""
        deadline = time.time() + timeout
        while b"\r\n\r\n" not in buf and time.time() < deadline:
            try:
                c = s.recv(65536)
            except (socket.timeout, ConnectionResetError):
                break
            if not c:
                break
            buf += c
        if b"\r\n\r\n" not in buf:
            s.close()
            raise IOError(f"no handshake answer (got {buf[:200]!r})")
        head, rest = buf.split(b"\r\n\r\n", 1)
        hl = head.decode("latin-1").split("\r\n")
        parts = hl[0].split(" ", 2)
        status = int(parts[1])
        hs = []
        for line in hl[1:]:
            k, _, v = line.partition(":")
            hs.append((k.strip().lower(), v.strip()))
        if status == 101:
            ws = cls(s, rest, C.Resp(status, parts[2] if len(parts) > 2 else "", hs, b"", rest))
            ws.key = key
            return ws, ws.resp
        n = int(dict(hs).get("content-length", "0") or 0)
        while len(rest) < n and time.time() < deadline:
            try:
                c = s.recv(65536)
            except (socket.timeout, ConnectionResetError):
                break
            if not c:
                break
            rest += c
        s.close()
        r = C.Resp(status, parts[2] if len(parts) > 2 else "", hs, rest[:n], rest)
        return None, C.rec(f"{method} {path} (websocket)", r)

    # ------------------------------------------------------------ sending

    def raw(self, data):
        """Send bytes as they are; False when the server has closed the connection."""
        try:
            self.sock.sendall(data)
            return True
        except OSError:
            return False

    def send(self, opcode, payload=b"", **kw):
        if self.pace:
            now = time.time()
            self._tokens = min(60.0, self._tokens + (now - self._t) * 15)
            self._t = now
            if self._tokens < 1:
                time.sleep((1 - self._tokens) / 15)
                self._tokens, self._t = 1.0, time.time()
            self._tokens -= 1
        return self.raw(frame(opcode, payload, **kw))

    def text(self, s):
        return self.send(TEXT, s)

    def json(self, obj):
        return self.text(json.dumps(obj, separators=(",", ":")))

    def close(self, code=1000):
        self.send(CLOSE, struct.pack("!H", code) if code is not None else b"")

    # ------------------------------------------------------------ receiving

    @staticmethod
    def _parse(buf):
        """(fin, opcode, payload, masked, bytes used) of the first whole frame in buf, or None."""
        if len(buf) < 2:
            return None
        b0, b1 = buf[0], buf[1]
        n, at = b1 & 0x7F, 2
        if n == 126:
            if len(buf) < 4:
                return None
            n, at = struct.unpack("!H", buf[2:4])[0], 4
        elif n == 127:
            if len(buf) < 10:
                return None
            n, at = struct.unpack("!Q", buf[2:10])[0], 10
        key = None
        if b1 & 0x80:
            if len(buf) < at + 4:
                return None
            key, at = buf[at:at + 4], at + 4
        if len(buf) < at + n:
            return None
        data = buf[at:at + n]
        if key:
            data = bytes(b ^ key[i % 4] for i, b in enumerate(data))
        return bool(b0 & 0x80), b0 & 0x0F, data, key is not None, at + n

    def frame(self, timeout=5.0):
        """The next frame as (fin, opcode, payload, masked); raises socket.timeout, or Closed at EOF.

        A frame is taken from the buffer only when whole, so a timeout never loses part of one."""
        deadline = time.time() + timeout
        while True:
            got = self._parse(self.buf)
            if got is not None:
                self.buf = self.buf[got[4]:]
                return got[:4]
            if self.closed is not None and self.closed.clean is False:
                raise self.closed
            left = deadline - time.time()
            if left <= 0:
                raise socket.timeout()
            self.sock.settimeout(left)
            try:
                c = self.sock.recv(65536)
            except (ConnectionResetError, OSError) as e:
                if isinstance(e, socket.timeout):
                    raise
                c = b""
            if not c:
                if self.closed is None:
                    self.closed = Closed(None, b"", clean=False)
                raise self.closed
            self.buf += c

    def message(self, timeout=5.0):
        """The next data message (opcode, bytes), fragments joined; answers WebSocket pings itself.

        A close frame raises Closed with its code (and is answered, so the close handshake completes)."""
        deadline = time.time() + timeout
        parts, op = [], None
        while True:
            fin, opcode, data, masked = self.frame(max(0.0, deadline - time.time()))
            self.masked = self.masked or masked
            if opcode == PING:
                if self.auto_pong:
                    self.send(PONG, data)
                continue
            if opcode == PONG:
                continue
            if opcode == CLOSE:
                code = struct.unpack("!H", data[:2])[0] if len(data) >= 2 else None
                if self.closed is None and self.answer_close:
                    self.close(code if code is not None else 1000)
                self.closed = Closed(code, data[2:])
                raise self.closed
            if opcode != CONT:
                op = opcode
                self.ops.add(opcode)
            parts.append(data)
            if fin:
                return op, b"".join(parts)

    def recv_json(self, timeout=5.0):
        """The next server frame as a Python value (the raw text when it is not JSON)."""
        op, data = self.message(timeout)
        self.raws.append(data)
        try:
            v = json.loads(data.decode("utf-8"))
        except Exception:
            v = {"<not json>": data[:200].decode("utf-8", "replace"), "<opcode>": op}
        self.log.append(v)
        return v

    def collect(self, seconds):
        """Every JSON frame received within `seconds` (stops early if the server closes)."""
        out, deadline = [], time.time() + seconds
        while True:
            left = deadline - time.time()
            if left <= 0:
                return out
            try:
                out.append(self.recv_json(left))
            except (socket.timeout, Closed):
                return out

    def until(self, pred, timeout=5.0):
        """Frames up to and including the first one `pred` accepts: (match or None, frames skipped)."""
        skipped, deadline = [], time.time() + timeout
        while True:
            left = deadline - time.time()
            if left <= 0:
                return None, skipped
            try:
                f = self.recv_json(left)
            except (socket.timeout, Closed):
                return None, skipped
            if isinstance(f, dict) and pred(f):
                return f, skipped
            skipped.append(f)

    def wait_close(self, timeout=5.0):
        """The close code the server sends within `timeout`, skipping data frames: an int, None for a
        close without a code or a dropped connection, or 'open' when nothing closed it in time."""
        deadline = time.time() + timeout
        while True:
            left = deadline - time.time()
            if left <= 0:
                return "open"
            try:
                self.message(left)
            except socket.timeout:
                return "open"
            except Closed as c:
                return c.code

    def shut(self):
        try:
            self.sock.close()
        except OSError:
            pass
