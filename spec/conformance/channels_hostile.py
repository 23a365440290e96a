"""Channels checks, part 4: what a browser never sends, and what must not leak (spec/PROTOCOL.md §2.15.2,
§2.15.3, §2.15.7, §2.15.8). Written from the spec alone; run by channels_checks.run with K (helpers) and U.

Every probe here also asserts the socket is still open and serving afterwards: an unreadable frame is an
`error` frame, never a crash of the socket (a close 1011) or silence.
"""
import json
import socket

from ws_client import CONT, PING, TEXT, WS, Closed, frame

Q_MALFORMED = ("A frame that is not valid JSON (a duplicate key, compared after unescaping, and a lone surrogate "
               "escape included, as in §1.1.5), not an object, ... is answered with an `error` frame, `code` "
               "`bad_request`, `details.reason = \"malformed_frame\"`; the socket stays open and nothing else happens.")
Q_FLOOD = ("`4029` | **flood**: the client sent messages faster than the rate limit [a burst of 100, refilled at 20 "
           "per second]. Each data message counts once, when its last frame arrives ... each control frame "
           "(ping, pong, close) counts once")


def first(ws, timeout=3.0):
    try:
        return ws.recv_json(timeout)
    except (socket.timeout, Closed) as e:
        return f"no frame ({e!r})"


def unreadable_checks(C, K):
    S = "2.15.3"
    for label, send in (
            ("a duplicate key (type ping, then type subscribe)", lambda w: w.text('{"type":"ping","type":"subscribe"}')),
            ("a duplicate key (type subscribe, then type ping)", lambda w: w.text('{"type":"subscribe","type":"ping"}')),
            ("a duplicate key written with an escape", lambda w: w.text('{"type":"ping","\\u0074ype":"ping"}')),
            ("a lone surrogate escape", lambda w: w.text('{"type":"ping","x":"\\ud800"}')),
            ("arrays nested 20000 deep", lambda w: w.text('{"type":"ping","x":' + "[" * 20000 + "]" * 20000 + "}")),
            ("a number too large for a double (1e999)", lambda w: w.text('{"type":"ping","x":1e999}')),
            ("a byte order mark", lambda w: w.send(TEXT, b'\xef\xbb\xbf{"type":"ping"}')),
            ("content after the object", lambda w: w.text('{"type":"ping"} {}')),
            ("a NUL after the object", lambda w: w.text('{"type":"ping"}\x00')),
            ("single quotes", lambda w: w.text("{'type':'ping'}")),
            ("a trailing comma", lambda w: w.text('{"type":"ping",}'))):
        ws = K.open_ws(C)
        send(ws)
        f = first(ws)
        ok = K.is_err(f, "bad_request", reason="malformed_frame", no_id=True)
        K.chk(C, S, f"a frame with {label} -> malformed_frame, and the socket serves on", Q_MALFORMED,
              ok and K.still_open(ws), f)
        ws.shut()
    ws = K.open_ws(C)
    deep = json.loads("[" * 40 + "]" * 40)
    ws.json({"type": "subscribe", "id": "d", "channel": "chat", "params": {"room": K.room("deep"), "x": deep}})
    f = first(ws)
    e = f.get("error", {}) if isinstance(f, dict) else f
    C.note(S, "subscribe whose params nest 40 deep (a call's body over 32 is 400 malformed_json depth_exceeded, "
              f"§2.11; frames have no stated depth limit): {e}")
    ws.text('{"type":"ping","x":18446744073709551616}')
    f = first(ws)
    C.note(S, f"a frame with an integer over the safe range in a member it does not define: {f}")
    ws.shut()


def flood_checks(C, K):
    S = "2.15.8"
    for label, data in (
            ("300 WebSocket pings at once", b"".join(frame(PING, b"x") for _ in range(300))),
            ("300 JSON pongs at once", b"".join(frame(TEXT, '{"type":"pong"}') for _ in range(300))),
            ("300 messages of 3 fragments each at once",
             (frame(TEXT, b'{"type"', fin=False) + frame(CONT, b':"po', fin=False) + frame(CONT, b'ng"}')) * 300)):
        ws = K.open_ws(C)
        ws.pace = False
        ws.raw(data)
        code = ws.wait_close(5.0)
        ws.shut()
        K.chk(C, S, f"{label} -> close 4029", Q_FLOOD, code == 4029, f"close {code}")
    # The frames of one message count once: a message in 1000 fragments is one message.
    ws = K.open_ws(C)
    ws.pace = False
    ws.raw(frame(TEXT, b"", fin=False) + frame(CONT, b"", fin=False) * 998 + frame(CONT, '{"type":"ping"}'))
    f = K.answer(ws, "type", "pong", ("pong",))
    K.chk(C, S, "one message in 1000 fragments counts once -> pong, no 4029",
          "Each data message counts once, when its last frame arrives (however many frames it was fragmented into",
          isinstance(f, dict) and f.get("type") == "pong" and K.still_open(ws), f)
    ws.shut()


def leak_checks(C, K, U):
    """A refused subscribe recovers nothing, and a subscription the re-check ends receives nothing more."""
    S = "2.15.3"
    staff = K.room("staff-leak")
    g = "room." + staff
    pos = K.announce(C, U.grace["token"], staff, "secret")
    ws = K.open_ws(C)
    f = K.sub(ws, "s", "chat", {"room": staff}, since={"epoch": pos[0] or "x", "offset": 0})
    rest = ws.collect(0.8)
    K.chk(C, S, "anonymous subscribe to a staff room with since -> unauthenticated, and no message of its history",
          "6. the socket's principal lacks ...: `unauthenticated` when anonymous ... A failed `subscribe` leaves no "
          "subscription", K.is_err(f, "unauthenticated", id="s") and not [x for x in rest if x.get("group") == g],
          (f, rest))
    ws.json({"type": "auth", "ref": "a", "token": U.grace["token"]})
    K.answer(ws, "ref", "a", ("ack", "error"))
    K.sub(ws, "s", "chat", {"room": staff})
    ws.json({"type": "auth", "ref": "b", "token": U.ada["token"]})
    K.answer(ws, "ref", "b", ("ack", "error"))
    K.answer(ws, "id", "s", ("unsubscribed",))
    K.announce(C, U.grace["token"], staff, "after")
    rest = ws.collect(1.0)
    K.chk(C, "2.15.7", "after the re-check ends a staff room's subscription, its messages no longer come",
          "ends each refused one with `unsubscribed` ... Otherwise the subscription ends at once, and the client hands "
          "it nothing after the `unsubscribed` frame", not [x for x in rest if x.get("group") == g], rest)
    f = K.sub(ws, "s", "chat", {"room": K.room("leak-free")})
    K.chk(C, "2.15.7", "the id of a subscription the re-check ended is free again", "The socket stays open: the client "
          "may send `auth` with a new token and subscribe again", isinstance(f, dict) and
          f.get("type") == "subscribed", f)
    ws.shut()


def http10_check(C, K):
    ws, r = WS.connect(C, http="HTTP/1.0")
    if ws:
        ws.shut()
    K.chk(C, "2.15.2", "an upgrade request in HTTP/1.0 -> 400 not_websocket", "`GET <base>/ws` with the WebSocket "
          "upgrade of RFC 6455 (HTTP/1.1, ...) 1. a request that is not a valid WebSocket upgrade: `400 bad_request`, "
          "`details.reason = \"not_websocket\"`", C.err_shape(r, "bad_request", 400) and
          (r.json.get("details") or {}).get("reason") == "not_websocket", r.short())


def run(C, K, U):
    unreadable_checks(C, K)
    flood_checks(C, K)
    leak_checks(C, K, U)
    http10_check(C, K)
