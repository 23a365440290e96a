"""Channels checks, part 3 (spec/PROTOCOL.md §2.15.7, §2.15.8): close codes, the flood limit, and the checks
that take a minute (idle timeout, server pings, credentials checked again), which start_slow runs in
background threads while the other checks go on; finish_slow waits for them and records their results.
Written from the spec alone; K is channels_checks (helpers), U the demo's users.
"""
import socket
import threading
import time

from ws_client import BINARY, CONT, PING, PONG, TEXT, Closed, frame

Q_CODES = "A server enforces these limits ... and closes the socket with the WebSocket close code shown"
Q_OTHERS = "Other sockets and the other subscriptions of the socket are not affected by any of these."
Q_1002 = ("`1002` | the client broke RFC 6455 framing (an unmasked frame, reserved bits or opcodes, a control frame over "
          "125 bytes or fragmented, bytes that are not a frame)")
Q_IDLE = ("`4000` | **idle**: no frame of any kind from the client for `idle_timeout` seconds [60]; the server sends "
          "`ping` every `ping_interval` seconds [25] to a socket that has been quiet that long, which a client answers "
          "with `pong`")
Q_CHECK = ("The server checks the socket's credentials again when a token's `exp` passes (§1.5.4) and at least every 60 "
           "seconds ... When a check fails with `unauthenticated` (expired, revoked, unknown session), the principal "
           "becomes anonymous ... and ends each refused one with `unsubscribed`, `reason` = the refusal's code and "
           "`error` = its body; for an expired token, `details.reason = \"expired\"`, for one revoked, `\"revoked\"`. "
           "The socket stays open")


def pad_ping(n):
    """A `ping` client frame of exactly n bytes (n >= 26)."""
    head = '{"type":"ping","pad":"'
    return head + "x" * (n - len(head) - 2) + '"}'


def closes_with(C, K, label, want, quote, send, sec="2.15.8"):
    """Open a socket, run send(ws), and check the close code the server sends."""
    ws = K.open_ws(C)
    send(ws)
    code = ws.wait_close(6.0)
    ws.shut()
    K.chk(C, sec, f"{label} -> close {want}", quote, code == want, f"close code {code}")


def close_checks(C, K, U, wel):
    S = "2.15.8"
    mx = wel.get("max_frame_bytes") if isinstance(wel.get("max_frame_bytes"), int) else 65536
    rm = K.room("witness")
    witness = K.open_ws(C)
    K.sub(witness, "w", "chat", {"room": rm})
    closes_with(C, K, "a binary frame", 1003, "`1003` | the client sent a binary frame",
                lambda ws: ws.send(BINARY, b'{"type":"ping"}'))
    closes_with(C, K, "a text frame with a byte that is not UTF-8 (0xff)", 1007, "`1007` | the client sent a text frame "
                "that is not valid UTF-8", lambda ws: ws.send(TEXT, b'{"type":"ping","x":"\xff"}'))
    closes_with(C, K, "a text frame with an overlong UTF-8 encoding (c0 af)", 1007, "`1007` | the client sent a text "
                "frame that is not valid UTF-8", lambda ws: ws.send(TEXT, b'{"type":"ping","x":"\xc0\xaf"}'))
    closes_with(C, K, "a text frame with a UTF-8 surrogate (ed a0 80)", 1007, "`1007` | the client sent a text "
                "frame that is not valid UTF-8", lambda ws: ws.send(TEXT, b'{"type":"ping","x":"\xed\xa0\x80"}'))
    closes_with(C, K, f"a text frame of {mx + 1} bytes", 1009, "`1009` | the client sent a frame (or fragmented message) "
                f"over `max_frame_bytes` [{mx}]", lambda ws: ws.text(pad_ping(mx + 1)))
    closes_with(C, K, "a frame header announcing 2^40 bytes (none sent)", 1009, "`1009` | the client sent a frame ... "
                "over `max_frame_bytes`", lambda ws: ws.raw(frame(TEXT, b"", length=2 ** 40)))
    third = (mx + 3) // 3 + 1

    def fragmented(ws):
        t = pad_ping(third * 3).encode()
        ws.send(TEXT, t[:third], fin=False)
        ws.send(CONT, t[third:2 * third], fin=False)
        ws.send(CONT, t[2 * third:], fin=True)
    closes_with(C, K, f"a message of {third * 3} bytes in three fragments of {third}", 1009, "`1009` | the client sent "
                "a frame (or fragmented message) over `max_frame_bytes`", fragmented)
    ws = K.open_ws(C)
    ws.text(pad_ping(mx))
    f, _ = ws.until(lambda f: f.get("type") == "pong", 5.0)
    K.chk(C, S, f"a text frame of exactly {mx} bytes is served (pong)", "Clients send text frames ... of at most "
          "`max_frame_bytes` bytes", f == {"type": "pong"}, ws.log[-2:] or ws.closed)
    t = pad_ping(3000).encode()
    ws.send(TEXT, t[:1000], fin=False)
    ws.send(PING, b"mid")
    ws.send(CONT, t[1000:2000], fin=False)
    ws.send(CONT, t[2000:], fin=True)
    got = []
    try:
        for _ in range(3):
            fin, op, data, _ = ws.frame(3.0)
            got.append((op, data[:20]))
            if op == TEXT:
                break
    except (socket.timeout, Closed) as e:
        got.append(repr(e))
    K.chk(C, S, "a message in three fragments with a ping between them: the ping answered (pong 'mid'), then the "
          "message (pong)", "RFC 6455 §5.4: control frames may be injected in the middle of a fragmented message; "
          "Clients send text frames, each one JSON object", (PONG, b"mid") in got and (TEXT, b'{"type":"pong"}') in got,
          got)
    t = '{"type":"ping","x":"\u20ac"}'.encode()
    cut = t.index(b"\xe2") + 2
    ws.send(TEXT, t[:cut], fin=False)
    ws.send(CONT, t[cut:], fin=True)
    f, _ = ws.until(lambda f: f.get("type") == "pong", 3.0)
    K.chk(C, S, "a UTF-8 character split across two fragments is valid (pong, not 1007)", "`1007` | the client sent a "
          "text frame that is not valid UTF-8 (RFC 6455: the message as a whole)", f == {"type": "pong"}, ws.closed)
    ws.close(1000)
    code = ws.wait_close(5.0)
    K.chk(C, S, "the client closes with 1000: the server answers the close (1000)", "`1000` | the client closed the "
          "socket, or the server ended it normally", code == 1000, code)
    ws.shut()
    for label, send in (("an unmasked frame", lambda w: w.raw(frame(TEXT, '{"type":"ping"}', mask=False))),
                        ("a frame with RSV1 set", lambda w: w.send(TEXT, '{"type":"ping"}', rsv=4)),
                        ("reserved opcode 3", lambda w: w.send(0x3, b"x")),
                        ("a ping of 126 bytes", lambda w: w.send(PING, b"p" * 126)),
                        ("a fragmented ping", lambda w: w.send(PING, b"p", fin=False)),
                        ("a continuation frame with no message started", lambda w: w.send(CONT, b"{}")),
                        ("a text frame inside a fragmented message",
                         lambda w: (w.send(TEXT, b'{"type":', fin=False), w.send(TEXT, b'{"type":"ping"}'))),
                        # Enough of it that the length its first two bytes announce has arrived.
                        ("bytes that are not a frame (an HTTP request)",
                         lambda w: w.raw(b"\x00GET / HTTP/1.1\r\n\r\n" * 20))):
        closes_with(C, K, label, 1002, Q_1002, send)
    ws = K.open_ws(C)
    ws.send(PING, b"hello")
    got = []
    try:
        for _ in range(3):
            fin, op, data, masked = ws.frame(3.0)
            got.append((op, data, masked))
            if op == PONG:
                break
    except (socket.timeout, Closed) as e:
        got.append(repr(e))
    K.chk(C, S, "a WebSocket ping is answered with a pong of the same payload, unmasked", "RFC 6455 §5.5.2 (the "
          "protocol's own ping and pong are JSON frames; the WebSocket's are the RFC's)", (PONG, b"hello", False) in got,
          got)
    ws.shut()
    # flood: a few hundred frames at once
    ws = K.open_ws(C)
    ws.pace = False
    n = 300
    ws.raw(b"".join(frame(TEXT, '{"type":"ping"}') for _ in range(n)))
    pongs, code = 0, "open"
    deadline = time.time() + 8
    while time.time() < deadline:
        try:
            if ws.recv_json(deadline - time.time()).get("type") == "pong":
                pongs += 1
        except socket.timeout:
            break
        except Closed as c:
            code = c.code
            break
    ws.shut()
    K.chk(C, S, f"{n} ping frames at once -> close 4029 after at most about a burst of pongs", "`4029` | **flood**: the "
          "client sent frames faster than the rate limit [a burst of 100 frames, refilled at 20 frames per second]",
          code == 4029 and pongs < n, f"close {code} after {pongs} pongs")
    ok = K.still_open(witness)
    K.announce(C, U.grace["token"], rm, "after")
    m = [f for f in witness.collect(1.5) if f.get("type") == "message"]
    K.chk(C, S, "after all those closes, another socket still serves and receives its messages", Q_OTHERS,
          ok and [x.get("data", {}).get("text") for x in m] == ["after"], (ok, m))
    K.chk(C, "2.15.2", "every server frame seen was an unmasked text frame holding a JSON object",
          "every frame the server sends is a text frame holding one JSON object", witness.ops <= {TEXT} and
          not witness.masked and all(isinstance(v, dict) and "<not json>" not in v for v in witness.log),
          (witness.ops, witness.masked))
    witness.shut()
    slow_consumer(C, K, U)


def slow_consumer(C, K, U):
    """A socket that stops reading while big messages are published to its room: close 4001, others unaffected.

    Cheap only when chat.announce takes long texts: 1 MiB of waiting frames is then a few dozen messages (plus
    what the kernel's socket buffers hold, kept small on the reading side)."""
    S = "2.15.8"
    m = C.get(f"{C.BASE}/manifest").json
    an = next((f for f in m.get("functions", []) if f.get("name") == "chat.announce"), {}) if isinstance(m, dict) else {}
    mx = ((an.get("input") or {}).get("properties") or {}).get("text", {}).get("maxLength")
    size = min(mx, 60000) if isinstance(mx, int) else 60000
    if size < 8000:
        C.note(S, f"slow consumer (4001) not checked: chat.announce takes texts of at most {mx} characters, so "
                  "filling the outbound limit (1024 frames or 1 MiB) past the kernel's buffers takes too many")
        return
    rm = K.room("slow")
    victim = K.open_ws(C, rcvbuf=4096)
    K.sub(victim, "v", "chat", {"room": rm})
    other = K.open_ws(C)
    K.sub(other, "o", "chat", {"room": rm})
    n = (8 * 2 ** 20) // size + 20  # well past 1 MiB and the socket buffers of both ends
    seen = 0
    for i in range(n):
        K.announce(C, U.grace["token"], rm, f"{i:06d}" + "x" * (size - 6))
        # The other socket reads as it goes, as a client that keeps up does.
        seen += len([f for f in other.collect(0.01) if f.get("type") == "message"])
    seen += len([f for f in other.collect(2.0) if f.get("type") == "message"])
    code = victim.wait_close(15.0)
    victim.shut()
    K.chk(C, S, f"a socket that stops reading while {n} messages of {size} bytes are published -> close 4001",
          "`4001` | **slow consumer**: the frames waiting to be written to the socket passed the outbound limit [1024 "
          "frames or 1 MiB]; the waiting frames are dropped, the socket is closed", code == 4001, f"close {code}")
    K.chk(C, S, "meanwhile a socket that keeps up receives every message", Q_OTHERS, seen == n,
          f"{seen} of {n} messages")
    other.shut()


# ---------------------------------------------------------------- over a minute, in the background

def _idle(C, K, wel, out):
    """Stay silent (no frame of any kind, not even WebSocket pongs): expect JSON pings, then 4000."""
    ws = K.open_ws(C)
    ws.auto_pong = False
    t0 = time.time()
    pings, code = [], "open"
    limit = wel["idle_timeout"] + 10
    while time.time() - t0 < limit:
        try:
            f = ws.recv_json(limit - (time.time() - t0))
            if f.get("type") == "ping":
                pings.append(round(time.time() - t0, 1))
        except socket.timeout:
            break
        except Closed as c:
            code = c.code
            break
    el = round(time.time() - t0, 1)
    ws.shut()
    out.append(("2.15.8", "a silent socket gets a ping frame after about ping_interval, then close 4000 after "
                "idle_timeout", Q_IDLE, code == 4000 and pings and wel["ping_interval"] - 2 <= pings[0] <=
                wel["ping_interval"] + 5 and wel["idle_timeout"] - 2 <= el <= wel["idle_timeout"] + 8,
                f"pings at {pings}s, close {code} at {el}s"))


def _kept(C, K, ws, seconds, stop=None):
    """Answer the server's pings for `seconds` (or until stop(frame)); returns (the stopping frame, frames)."""
    t0, seen = time.time(), []
    while time.time() - t0 < seconds:
        try:
            f = ws.recv_json(seconds - (time.time() - t0))
        except (socket.timeout, Closed):
            break
        seen.append(f)
        if f.get("type") == "ping":
            ws.json({"type": "pong"})
        elif stop and stop(f):
            return f, seen
    return None, seen


def _alive(C, K, wel, out):
    ws = K.open_ws(C)
    _kept(C, K, ws, wel["idle_timeout"] + 8)
    ok = K.still_open(ws)
    ws.shut()
    out.append(("2.15.8", "a socket that answers the server's pings with pong outlives idle_timeout",
                "Every frame the client sends, of any kind, counts as activity for the idle timeout. " + Q_IDLE, ok,
                "closed" if not ok else ""))


def _alive_ws_pings(C, K, wel, out):
    """Only WebSocket pings, and no answer to the server's JSON pings: still activity."""
    ws = K.open_ws(C)
    t0, code = time.time(), "open"
    while time.time() - t0 < wel["idle_timeout"] + 8:
        ws.send(PING, b"k")
        try:
            ws.collect(10)
        except Closed as c:
            code = c.code
            break
        if ws.closed is not None:
            code = ws.closed.code
            break
    ok = code == "open" and K.still_open(ws)
    ws.shut()
    out.append(("2.15.8", "a socket that sends only WebSocket pings (every 10 s) outlives idle_timeout",
                "`4000` | **idle**: no frame of any kind from the client for `idle_timeout` seconds", ok,
                f"close {code}"))


def _revoked(C, K, U, kind, out):
    """Grace's socket (bearer or cookie) subscribed to ops; her session ends; within ~60 s ops ends."""
    g = U.sign_in("grace")
    ws = K.open_ws(C, tok=g["token"]) if kind == "bearer" else K.open_ws(C, ck=g["cookie"])
    f = K.sub(ws, "o", "ops", {})
    if f.get("type") != "subscribed":
        ws.shut()
        out.append(("2.15.7", f"grace's {kind} socket subscribes to ops (to watch it end)", "(setup)", False, f))
        return
    hs = [("Authorization", "Bearer " + g["token"])] if kind == "bearer" else [("Cookie", f"mizan_session={g['cookie']}")]
    r = C.call("auth.logout", None, ct=None, headers=hs + [("X-Mizan-CSRF", "1")])
    t0 = time.time()
    end, seen = _kept(C, K, ws, 75, lambda f: f.get("type") == "unsubscribed")
    el = round(time.time() - t0, 1)
    e = end.get("error") if isinstance(end, dict) else None
    ok = (isinstance(f, dict) and f.get("type") == "subscribed" and r.status == 200 and isinstance(end, dict) and
          end.get("id") == "o" and end.get("reason") == "unauthenticated" and isinstance(e, dict) and
          e.get("code") == "unauthenticated" and e.get("status") == 401)
    if kind == "bearer":
        ok = ok and (e.get("details") or {}).get("reason") == "revoked"
    out.append(("2.15.7", f"grace's {kind} socket on ops, her session ended: within 60 s ops ends with unsubscribed "
                "reason unauthenticated" + (" (details.reason revoked)" if kind == "bearer" else ""), Q_CHECK, ok,
                f"{f} logout {r.status}; after {el}s: {end}"))
    if kind == "cookie" and isinstance(e, dict):
        out.append(("note", f"a cookie session ended: the unsubscribed error's details are {e.get('details')}"))
    alive = K.still_open(ws)
    who = K.principal(ws, "w") if alive else "closed"
    ws.shut()
    out.append(("2.15.7", f"then the {kind} socket stays open with an anonymous principal", Q_CHECK,
                alive and who == "anonymous", who))


def _drop(C, K, out):
    """A client that never answers the server's close: the server drops the TCP connection in a few seconds."""
    ws = K.open_ws(C)
    ws.answer_close = False
    ws.send(BINARY, b"x")
    code = ws.wait_close(5.0)
    t0 = time.time()
    try:
        while time.time() - t0 < 12:
            ws.frame(12 - (time.time() - t0))
        eof = "still open after 12 s"
    except Closed:
        eof = round(time.time() - t0, 1)
    except socket.timeout:
        eof = "still open after 12 s"
    ws.shut()
    out.append(("2.15.8", "a client that does not answer the close frame: the server drops the connection within a "
                "few seconds", "A server that cannot complete the close handshake within a few seconds (the reference "
                "server: 5) drops the TCP connection.", code == 1003 and isinstance(eof, float) and eof <= 8,
                f"close {code}, connection dropped after {eof} s"))


def shutdown_check(C, K):
    """With --spawn: a demo of its own gets SIGTERM while a socket is open: close 1001."""
    import subprocess
    import tempfile
    import types
    d = tempfile.TemporaryDirectory(prefix="mizan-channels-")
    port = C._free_port()
    env = dict(__import__("os").environ, MIZAN_DEMO_ADDR=f"127.0.0.1:{port}")
    env.pop("MIZAN_SECRET", None)
    p = subprocess.Popen([C.DEMO, "--dev", "--database-url", f"sqlite://{d.name}/d.db"], env=env, cwd=d.name,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    other = types.SimpleNamespace(HOST="127.0.0.1", PORT=port, BASE=C.BASE, Resp=C.Resp, rec=C.rec)
    try:
        ws = None
        for _ in range(100):
            try:
                ws = K.open_ws(other)
                break
            except OSError:
                time.sleep(0.1)
        if ws is None:
            C.check("2.15.8", "a demo of its own for the shutdown check", "(setup)", False, "it did not answer")
            return
        # Several sockets, since a race at shutdown would show on one of them now and then.
        socks = [ws] + [K.open_ws(other) for _ in range(9)]
        for i, w in enumerate(socks):
            K.sub(w, "s", "chat", {"room": K.room(f"bye{i}")})
        t0 = time.time()
        p.terminate()
        codes = [w.wait_close(15.0) for w in socks]
        K.chk(C, "2.15.8", f"SIGTERM while {len(socks)} sockets are open -> each gets close 1001", "`1001` | the server "
              "is shutting down (also after its grace period, §2.11)", all(c == 1001 for c in codes),
              f"close codes {codes} after {time.time() - t0:.1f}s")
        for w in socks:
            w.shut()
    finally:
        p.terminate()
        try:
            p.wait(timeout=15)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
        d.cleanup()


def start_slow(C, K, U):
    """Start the minute-long checks in threads, if the server's timeouts are short enough to wait for."""
    ws = K.open_ws(C)
    wel = ws.welcome
    ws.shut()
    if not (isinstance(wel.get("idle_timeout"), int) and isinstance(wel.get("ping_interval"), int) and
            wel["idle_timeout"] <= 90):
        C.note("2.15.8", f"idle timeout {wel.get('idle_timeout')}: idle, pings and credential re-checks not checked")
        return []
    out = []
    jobs = [threading.Thread(target=_idle, args=(C, K, wel, out), daemon=True),
            threading.Thread(target=_alive, args=(C, K, wel, out), daemon=True),
            threading.Thread(target=_alive_ws_pings, args=(C, K, wel, out), daemon=True),
            threading.Thread(target=_revoked, args=(C, K, U, "bearer", out), daemon=True),
            threading.Thread(target=_revoked, args=(C, K, U, "cookie", out), daemon=True),
            threading.Thread(target=_drop, args=(C, K, out), daemon=True)]
    for j in jobs:
        j.start()
    return [(jobs, out)]


def finish_slow(C, K, slow):
    for jobs, out in slow:
        for j in jobs:
            j.join(100)
        for item in list(out):
            if item[0] == "note":
                C.note("2.15.7", item[1])
            else:
                K.chk(C, *item)
        if any(j.is_alive() for j in jobs):
            C.check("2.15.8", "the background checks finished in time", "(bounded)", False, "a thread still runs")
    C.note("2.15.7", "a token's exp passing (300 s for the demo's tokens) is not waited for")
