"""Channels checks, part 1 (spec/PROTOCOL.md §2.15.2): the upgrade request and its answers in their order, the
origin check, credentials, the query string, the `welcome` frame and the socket's first principal. Written
from the spec alone; run by channels_checks.run.
"""
import json

import ws_client
from channels_checks import chk, open_ws, principal, upgrade
from ws_client import WS, Closed

Q_UPGRADE = ("`GET <base>/ws` with the WebSocket upgrade of RFC 6455 (HTTP/1.1, `Connection: Upgrade`, `Upgrade: "
             "websocket`, `Sec-WebSocket-Version: 13`, a `Sec-WebSocket-Key`). `/ws` is an endpoint of §2.1 with the "
             "methods `GET` (others: `405`, `Allow: GET`).")
Q_NOTWS = ("1. a request that is not a valid WebSocket upgrade: `400 bad_request`, `details.reason = "
           "\"not_websocket\"`")
Q_ORIGIN = ("2. an `Origin` that fails the **origin check** of §2.14.3 ...: `403 forbidden`, `details.reason = "
            "\"origin\"`. ... it applies with or without accounts")
Q_ORIGIN_RULE = ("a request passes when it has no `Origin` header, or when its `Origin` equals, byte for byte, "
                 "`http://` or `https://` followed by the request's `Host` value ... `Origin: null` fails.")
Q_CRED = ("3. credentials in the upgrade request are resolved by the server's authenticator exactly as for an HTTP "
          "request (§2.5, §2.14.3 ...); an error is that error's JSON answer (`401 unauthenticated`, ...). No "
          "`X-Mizan-CSRF` header is needed")
Q_101 = ("5. otherwise `101 Switching Protocols`. The server selects no subprotocol and no extension "
         "(`permessage-deflate` is off). The query string is ignored: credentials never travel in the URL.")
Q_WELCOME = ("After `101`, every frame the server sends is a text frame holding one JSON object ..., and the first "
             "one is `welcome`: {\"type\":\"welcome\",\"protocol\":1,\"ping_interval\":25,\"idle_timeout\":60,"
             "\"max_frame_bytes\":65536,\"max_subscriptions\":100}")
Q_PRINCIPAL = ("The socket's **principal** is, at first, the one the upgrade request resolved to (anonymous when it "
               "had no credentials)")


# ---------------------------------------------------------------- the connection (§2.15.2)

def _json_error(r):
    return ((r.h("content-type") or "").startswith("application/json") and r.h("cache-control") == "no-store")


def upgrade_checks(C, U):
    S = "2.15.2"
    host = f"{C.HOST}:{C.PORT}"
    ws = f"{C.BASE}/ws"
    up = [("Connection", "Upgrade"), ("Upgrade", "websocket"), ("Sec-WebSocket-Version", "13"),
          ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")]
    for m in ("POST", "PUT", "DELETE", "HEAD", "OPTIONS"):
        r = C.rec(f"{m} /ws", C.request(m, ws, up))
        chk(C, S, f"{m} /ws (with upgrade headers) -> 405 method_not_allowed, Allow: GET", Q_UPGRADE,
            r.status == 405 and r.h("allow") == "GET" and (m == "HEAD" or C.err_shape(r, "method_not_allowed")),
            r.short())
    for p in (ws + "/", C.BASE + "/ws/x", C.BASE + "//ws"):
        r = C.rec(f"GET {p}", C.request("GET", p, up))
        chk(C, "2.1", f"GET {p} with upgrade headers -> 404 (paths matched exactly)",
            "Paths are matched exactly, byte for byte ... Every other path at or under the base is `404 not_found`",
            C.err_shape(r, "not_found", 404), r.short())
    cases = [("a plain GET", dict(upgrade=False)),
             ("no Sec-WebSocket-Key", dict(key="")),
             ("Sec-WebSocket-Version: 8", dict(version="8")),
             ("no Sec-WebSocket-Version", dict(version=None))]
    for label, kw in cases:
        w, r = WS.connect(C, **kw)
        if w:
            w.shut()
        chk(C, S, f"{label} -> 400 bad_request not_websocket (a JSON error of §2.6)", Q_NOTWS + " Error answers are "
            "the JSON errors of §2.6.", C.err_shape(r, "bad_request", 400) and
            (r.json.get("details") or {}).get("reason") == "not_websocket" and _json_error(r), r.short())
    for label, lines in (("Upgrade: h2c", ["Connection: Upgrade", "Upgrade: h2c", "Sec-WebSocket-Version: 13",
                                           "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="]),
                         ("no Connection: Upgrade", ["Upgrade: websocket", "Sec-WebSocket-Version: 13",
                                                     "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="])):
        w, r = WS.connect(C, upgrade=False, extra_lines=lines)
        if w:
            w.shut()
        chk(C, S, f"{label} -> 400 bad_request not_websocket", Q_NOTWS, C.err_shape(r, "bad_request", 400) and
            (r.json.get("details") or {}).get("reason") == "not_websocket", r.short())
    for label, key in (("abc", "abc"), ("15 bytes in base64", "AAAAAAAAAAAAAAAAAAAA"),
                       ("not base64", "!!!!!!!!!!!!!!!!!!!!!!==")):
        w, r = WS.connect(C, key=key)
        if w:
            w.shut()
        chk(C, S, f"a Sec-WebSocket-Key that is not 16 bytes in base64 ({label}) -> 400 not_websocket",
            Q_NOTWS + " (RFC 6455 §4.2.1: a |Sec-WebSocket-Key| header field with a base64-encoded value that, when "
            "decoded, is 16 bytes in length)", C.err_shape(r, "bad_request", 400) and
            (r.json.get("details") or {}).get("reason") == "not_websocket", r.short())
    w, r = WS.connect(C, upgrade=False, extra_lines=["Connection: keep-alive, Upgrade", "Upgrade: WebSocket",
                                                     "Sec-WebSocket-Version: 13",
                                                     "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="])
    chk(C, S, "Connection: keep-alive, Upgrade and Upgrade: WebSocket (RFC 6455 token lists, any case) -> 101",
        Q_UPGRADE, r.status == 101, r.short())
    if w:
        w.shut()
    # order: 1 before 2 before 3
    w, r = WS.connect(C, upgrade=False, headers=[("Origin", "https://evil.example")])
    chk(C, S, "not an upgrade and a foreign Origin -> 400 not_websocket (step 1 first)", "The server answers, in this "
        "order: " + Q_NOTWS, C.err_shape(r, "bad_request", 400) and
        (r.json.get("details") or {}).get("reason") == "not_websocket", r.short())
    w, r = upgrade(C, tok="not-a-token", origin="https://evil.example")
    chk(C, S, "a foreign Origin and a bad bearer -> 403 origin (step 2 before step 3)", "The server answers, in this "
        "order: ... " + Q_ORIGIN, C.err_shape(r, "forbidden", 403) and
        (r.json.get("details") or {}).get("reason") == "origin", r.short())
    for label, kw, want in (
            ("anonymous, Origin https://evil.example", dict(origin="https://evil.example"), 403),
            ("anonymous, Origin: null", dict(origin="null"), 403),
            ("cookie, Origin https://evil.example", dict(ck=U.ada["cookie"], origin="https://evil.example"), 403),
            ("bearer, Origin https://evil.example", dict(tok=U.ada["token"], origin="https://evil.example"), 403),
            ("Origin of another port", dict(origin=f"http://{C.HOST}:1"), 403),
            ("Origin with a trailing slash", dict(origin=f"http://{host}/"), 403),
            ("Origin in upper case (not byte for byte)", dict(origin=f"HTTP://{host}"), 403),
            ("no Origin", dict(), 101),
            ("Origin http://<Host>", dict(origin=f"http://{host}"), 101),
            ("Origin https://<Host>", dict(origin=f"https://{host}"), 101),
            ("cookie, Origin http://<Host>", dict(ck=U.ada["cookie"], origin=f"http://{host}"), 101)):
        w, r = upgrade(C, **kw)
        if w:
            w.shut()
        ok = r.status == 101 if want == 101 else (C.err_shape(r, "forbidden", 403) and _json_error(r) and
                                                 (r.json.get("details") or {}).get("reason") == "origin")
        chk(C, S, f"upgrade, {label} -> {want}", Q_ORIGIN + " " + Q_ORIGIN_RULE, ok, r.short())
    for label, hs in (("a foreign Origin, then the server's own", [("Origin", "https://evil.example"),
                                                                    ("Origin", f"http://{host}")]),
                      ("the server's own Origin, then a foreign one", [("Origin", f"http://{host}"),
                                                                        ("Origin", "https://evil.example")]),
                      ("an empty Origin", [("Origin", "")])):
        w, r = upgrade(C, extra=hs)
        if w:
            w.shut()
        chk(C, S, f"upgrade with {label} -> 403 origin", Q_ORIGIN + " " + Q_ORIGIN_RULE + " (a request passes when "
            "... its `Origin` equals ...: one that also carries a foreign origin does not)",
            C.err_shape(r, "forbidden", 403) and (r.json.get("details") or {}).get("reason") == "origin", r.short())
    w, r = upgrade(C, extra=[("Origin", f"http://{host}"), ("Origin", f"http://{host}")])
    if w:
        w.shut()
    C.note(S, f"an upgrade with the server's own Origin twice (not said: one request, one origin?) is answered "
              f"{r.status}")
    for label, hs in (("Bearer with a token that is no MWT", [("Authorization", "Bearer not-a-token")]),
                      ("Basic credentials", [("Authorization", "Basic YTpi")]),
                      ("two Authorization headers", [("Authorization", "Bearer " + U.ada["token"]),
                                                     ("Authorization", "Bearer " + U.ada["token"])]),
                      ("a forged MWT", [("Authorization", "Bearer mwt1.k.e30." + "A" * 43)])):
        w, r = upgrade(C, extra=hs)
        if w:
            w.shut()
        chk(C, S, f"upgrade with {label} -> 401 unauthenticated, WWW-Authenticate: Bearer", Q_CRED + " Every `401` "
            "carries `WWW-Authenticate: Bearer`.", C.err_shape(r, "unauthenticated", 401) and _json_error(r) and
            r.h("www-authenticate") == "Bearer", r.short())
    w, r = upgrade(C, ck=U.ada["cookie"])
    chk(C, S, "a cookie upgrade without X-Mizan-CSRF -> 101", Q_CRED, r.status == 101, r.short())
    if w:
        w.shut()
    # 101 and the welcome
    w, r = upgrade(C, extra=[("Sec-WebSocket-Protocol", "mizan, chat"),
                             ("Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits")])
    chk(C, S, "101: Sec-WebSocket-Accept is the key's digest (RFC 6455)", Q_101,
        w is not None and r.h("sec-websocket-accept") == ws_client.accept_of(w.key), r.short())
    chk(C, S, "101 with subprotocols and permessage-deflate offered: none selected", Q_101,
        w is not None and r.h("sec-websocket-protocol") is None and r.h("sec-websocket-extensions") is None, r.short())
    if w is None:
        return None
    op, data = w.message()
    try:
        wel = json.loads(data)
    except ValueError:
        wel = data
    w.shut()
    chk(C, S, "the first server frame is a text frame: welcome with protocol 1 and the four limits",
        Q_WELCOME, op == 1 and isinstance(wel, dict) and wel.get("type") == "welcome" and wel.get("protocol") == 1 and
        all(isinstance(wel.get(k), int) and not isinstance(wel.get(k), bool) and wel.get(k) > 0 for k in
            ("ping_interval", "idle_timeout", "max_frame_bytes", "max_subscriptions")), wel)
    if isinstance(wel, dict) and {k: wel.get(k) for k in ("ping_interval", "idle_timeout", "max_frame_bytes",
                                                          "max_subscriptions")} != {"ping_interval": 25,
                                                                                     "idle_timeout": 60,
                                                                                     "max_frame_bytes": 65536,
                                                                                     "max_subscriptions": 100}:
        C.note(S, f"the demo announces limits other than the reference defaults: {wel}")
    # principal and query string
    for label, kw, path, want in (
            ("no credentials", {}, None, "anonymous"),
            ("ada's bearer token", dict(tok=U.ada["token"]), None, "user"),
            ("ada's session cookie", dict(ck=U.ada["cookie"]), None, "user"),
            ("grace's bearer token", dict(tok=U.grace["token"]), None, "staff"),
            ("grace's session cookie", dict(ck=U.grace["cookie"]), None, "staff"),
            ("an unknown session cookie", dict(ck="q" * 43), None, "anonymous"),
            ("grace's token in the query string only", {}, f"{ws}?token={U.grace['token']}", "anonymous"),
            ("grace's token as access_token in the query", {}, f"{ws}?access_token={U.grace['token']}", "anonymous"),
            ("a query string with garbage", {}, f"{ws}?%zz&&=", "anonymous")):
        try:
            s = open_ws(C, path=path, **kw)
            got = principal(s, "who")
            s.shut()
        except (IOError, OSError, Closed) as e:
            got = f"error {e}"
        chk(C, S, f"upgrade with {label}: the socket's principal is {want}", Q_PRINCIPAL + " " + Q_101 + " " + Q_CRED,
            got == want, got)
    return wel
