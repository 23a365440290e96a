#!/usr/bin/env python3
"""Channels checks (spec/PROTOCOL.md §2.15) against the demo, written from the spec alone.

    MIZAN_DEMO_BIN=path/to/mizan-demo python3 spec/conformance/channels_checks.py --spawn [--quiet]

run(C) takes check.py as C (request/call/check/note), as accounts_checks does, and uses C's server.
The demo's channels (from the task that asked for these checks, not from the spec): `chat` (params
`{room}`, 1 to 40 characters of `a-z 0-9 -`, group `room.<room>`, message `{author, text}`, incoming
`{text}` of 1 to 500 characters; rooms named `staff-…` need a staff principal; `send` publishes
`{author: <user id or "guest">, text}` and then acks), `ops` (auth `staff`, params `{}`, no incoming,
group `ops`) and the call `chat.announce` (staff; `{room, text}`: publishes `{author: "system", text}`
and answers the message's position `{epoch, offset}`). Users: the demo's fixture users `ada` and
`grace` (staff) through `demo.sign_in`, as in check.py.

The WebSocket client is ws_client.py (RFC 6455 on `socket`). This file holds the helpers, the
manifest's `channels` and the runner; channels_connect.py the upgrade (§2.15.2); channels_subscribe.py
unreadable frames and `subscribe`; channels_flow.py unsubscribe, send, auth, delivery and recovery;
channels_hostile.py what a browser never sends and what must not leak; channels_watch.py live
invalidation (`watch`, `invalidated`, §2.16.5); channels_close.py the close codes, the flood limit and
the slow checks over time (idle, credentials checked again), which run in the background meanwhile.

Every room name carries a random tag, so groups are fresh on every run even against a server that
keeps its history. A check the demo fails for a reason reported as a demo bug is an XFAIL.
"""
import json
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ws_client import WS, Closed  # noqa: E402
from known_failures import make_chk  # noqa: E402

XFAILS = []  # (section, name, why)
KNOWN = {}  # name -> why, for checks the demo is known to fail (reported as demo bugs); none now
TAG = os.urandom(3).hex()
STATUS = {"bad_request": 400, "unauthenticated": 401, "forbidden": 403, "not_found": 404, "stale_client": 409,
          "validation_failed": 422, "unavailable": 503, "internal": 500}
EPOCH_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")


chk = make_chk(KNOWN, XFAILS)


def room(name):
    """A room of this run: fresh groups every time (`^[a-z0-9-]+$`, at most 40 characters)."""
    return f"{name}-{TAG}"


# ---------------------------------------------------------------- users and sockets

class Users:
    """Sign-ins of the demo's fixture users: each call is a new session (cookie and bound token)."""

    def __init__(self, C):
        self.C = C
        self.ada = self.sign_in("ada")
        self.grace = self.sign_in("grace")

    def sign_in(self, user):
        r = self.C.call("demo.sign_in", json.dumps({"user": user}))
        return {"cookie": self.C.session_of(r), "token": self.C.token_of(r),
                "id": (r.json.get("user") or {}).get("id") if isinstance(r.json, dict) else None}


def hs_for(tok=None, ck=None, origin=None, extra=()):
    h = []
    if tok:
        h.append(("Authorization", "Bearer " + tok))
    if ck:
        h.append(("Cookie", f"mizan_session={ck}"))
    if origin:
        h.append(("Origin", origin))
    return h + list(extra)


def upgrade(C, tok=None, ck=None, origin=None, extra=(), **kw):
    """(WS or None, handshake answer)."""
    return WS.connect(C, headers=hs_for(tok, ck, origin, extra), **kw)


def open_ws(C, tok=None, ck=None, **kw):
    """An open socket past its `welcome` (ws.welcome), or raise: the checks that need one cannot run."""
    ws, r = upgrade(C, tok, ck, **kw)
    if ws is None:
        raise IOError(f"upgrade refused: {r.short()}")
    ws.welcome = ws.recv_json()
    return ws


def answer(ws, key, value, types, timeout=3.0):
    """The first frame of a type in `types` whose `key` is `value` (a stand-in frame saying so if none came)."""
    f, _ = ws.until(lambda f: f.get(key) == value and f.get("type") in types, timeout)
    return f if f is not None else {"type": None, "no answer within": timeout, "closed": repr(ws.closed)}


def sub(ws, sid, channel, params=None, timeout=3.0, **extra):
    """Send subscribe and return its answer (`subscribed` or `error` with the id)."""
    fr = {"type": "subscribe", "id": sid, "channel": channel, "params": {} if params is None else params}
    fr.update(extra)
    ws.json(fr)
    return answer(ws, "id", sid, ("subscribed", "error"), timeout)


def is_err(f, code, id=None, ref=None, reason=None, no_id=False):
    """f is an `error` frame of §2.15.4 with the §2.6 body of `code` (and its status), carrying id/ref."""
    if not isinstance(f, dict) or f.get("type") != "error" or not isinstance(f.get("error"), dict):
        return False
    e = f["error"]
    ok = e.get("code") == code and e.get("status") == STATUS.get(code) and isinstance(e.get("message"), str)
    ok = ok and (id is None or f.get("id") == id) and (ref is None or f.get("ref") == ref)
    if no_id:
        ok = ok and "id" not in f and "ref" not in f
    if reason is not None:
        ok = ok and isinstance(e.get("details"), dict) and e["details"].get("reason") == reason
    return ok


def principal(ws, sid):
    """Which principal the socket has, read from subscribe `ops` (staff only): 'anonymous', 'user', 'staff'."""
    f = sub(ws, sid, "ops", {})
    if isinstance(f, dict) and f.get("type") == "subscribed":
        ws.json({"type": "unsubscribe", "id": sid})
        answer(ws, "id", sid, ("unsubscribed", "error"))
        return "staff"
    if is_err(f, "unauthenticated"):
        return "anonymous"
    if is_err(f, "forbidden"):
        return "user"
    return f"?{f}"


def still_open(ws):
    """A `ping` frame is answered with `pong` (the socket is open and serving)."""
    try:
        ws.json({"type": "ping"})
        f, _ = ws.until(lambda f: f.get("type") == "pong", 3.0)
        return f is not None
    except (OSError, Closed):
        return False


def announce(C, tok, rm, text):
    """chat.announce as staff: the position the demo answers, as (epoch, offset int) or (None, answer)."""
    r = C.call("chat.announce", json.dumps({"room": rm, "text": text}), headers=[("Authorization", "Bearer " + tok)])
    j = r.json
    if r.status != 200 or not isinstance(j, dict):
        return None, r.short()
    off = j.get("offset")
    # §2.9: a u64 travels as a decimal string; the manifest's output schema says which (checked there).
    try:
        off = int(off) if isinstance(off, str) and re.fullmatch(r"0|[1-9][0-9]*", off) else off
    except ValueError:
        pass
    return j.get("epoch"), off


# ---------------------------------------------------------------- manifest (§2.15.1)

INT64 = {"int64", "uint64", "int128", "uint128", "int", "uint"}


def wide_int_nodes(s, path=()):
    """(path, node) of every schema node whose `format` is a 64-bit integer format (§2.9)."""
    out = []
    if isinstance(s, dict):
        if s.get("format") in INT64:
            out.append((path, s))
        for k, v in s.items():
            out += wide_int_nodes(v, path + (k,))
    elif isinstance(s, list):
        for i, v in enumerate(s):
            out += wide_int_nodes(v, path + (i,))
    return out


def channel_hash(C, ch):
    j = C.jcs({"params": C.strip(ch.get("params")), "message": C.strip(ch.get("message")),
               "incoming": C.strip(ch.get("incoming")) if ch.get("incoming") is not None else None})
    import hashlib
    return C.b64u(hashlib.sha256(j.encode("utf-8")).digest()[:16])


def manifest_checks(C):
    S = "2.15.1"
    m = C.get(f"{C.BASE}/manifest").json
    chans = m.get("channels") if isinstance(m, dict) else None
    chk(C, S, "the manifest has a member `channels`, a list", "The manifest (§2.7) lists channels in a top-level member "
        "`channels`, sorted by `name` (byte order), left out when the application has none", isinstance(chans, list),
        type(chans))
    chans = chans if isinstance(chans, list) else []
    names = [c.get("name") for c in chans if isinstance(c, dict)]
    chk(C, S, "channels are sorted by name (byte order)", "sorted by `name` (byte order)",
        names == sorted(names, key=lambda n: (n or "").encode()), names)
    chk(C, S, "every channel name follows the function name rule of §1.3", "`name` | the channel's name; the function "
        "name rule of §1.3", all(isinstance(n, str) and len(n.encode()) <= 128 and
                                 re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*", n) for n in names),
        names)
    by = {c.get("name"): c for c in chans if isinstance(c, dict)}
    keys = {"name", "rust_name", "auth", "params", "message", "incoming", "schema_hash"}
    for n, c in by.items():
        chk(C, S, f"channel {n}: has name, rust_name, auth, params, message, incoming, schema_hash",
            "| member | meaning | (name, rust_name, auth, params, message, incoming, schema_hash)", keys <= set(c),
            sorted(c))
        chk(C, S, f"channel {n}: auth is a level or custom", "`none`, `authenticated`, `staff`, `superuser`, or "
            "`custom`", c.get("auth") in ("none", "authenticated", "staff", "superuser", "custom"), c.get("auth"))
        p = c.get("params") if isinstance(c.get("params"), dict) else {}
        chk(C, S, f"channel {n}: params is an object schema with additionalProperties false",
            "`params` | JSON Schema of the params object, as `input` of §2.7 (`additionalProperties` is `false`)",
            p.get("type") == "object" and p.get("additionalProperties") is False, p)
        inc = c.get("incoming")
        if isinstance(inc, dict) and inc.get("type") == "object":
            chk(C, S, f"channel {n}: incoming (an object schema) has additionalProperties false",
                "`incoming` | JSON Schema of what subscribers may `send`, as `input` of §2.7", inc.get(
                    "additionalProperties") is False, inc)
        h = channel_hash(C, c)
        chk(C, S, f"channel {n}: schema_hash recomputed from the published schemas",
            "`schema_hash` | `b64u(first16(SHA-256(jcs({\"params\": P', \"message\": M', \"incoming\": I'}))))` with "
            "the three members as published, without annotations, exactly as §2.7", c.get("schema_hash") == h,
            (c.get("schema_hash"), h))
        wide = [(w, where) for where in ("params", "message", "incoming") for w in wide_int_nodes(c.get(where))]
        for (path, node), where in wide:
            t = node.get("type")
            chk(C, "2.9", f"channel {n}: {where} {list(path)} (format {node.get('format')}) travels as a string",
                "Schemas follow §2.7 and §2.9: 64-bit integers travel as strings, in params, messages and incoming "
                "data alike", t == "string" or (isinstance(t, list) and "string" in t and "integer" not in t), node)
        if not wide:
            C.note("2.9", f"channel {n} has no 64-bit integer in its schemas")
    chat, ops = by.get("chat", {}), by.get("ops", {})
    chk(C, S, "the demo has channels chat and ops", "(the demo: channels `chat` and `ops`)", bool(chat and ops), names)
    rp = ((chat.get("params") or {}).get("properties") or {}).get("room", {})
    chk(C, S, "chat params: room, a required string of 1..40 with pattern ^[a-z0-9-]+$",
        "(the demo) params `{room}` (string, 1–40 chars, `^[a-z0-9-]+$`)", rp.get("type") == "string" and
        rp.get("minLength") == 1 and rp.get("maxLength") == 40 and rp.get("pattern") == "^[a-z0-9-]+$" and
        (chat.get("params") or {}).get("required") == ["room"], chat.get("params"))
    chk(C, S, "chat (no level; its authorize check refuses staff-… rooms) is published with auth custom",
        "`custom` when the channel declares no level and its own authorize check decides",
        chat.get("auth") == "custom", chat.get("auth"))
    mp = (chat.get("message") or {}).get("properties") or {}
    chk(C, S, "chat message schema has author and text", "(the demo) message `{author, text}`",
        set(mp) >= {"author", "text"}, chat.get("message"))
    it = ((chat.get("incoming") or {}).get("properties") or {}).get("text", {})
    chk(C, S, "chat incoming: text, a string of 1..500", "(the demo) incoming `{text}` (1–500 chars)",
        it.get("type") == "string" and it.get("minLength") == 1 and it.get("maxLength") == 500, chat.get("incoming"))
    chk(C, S, "ops: auth staff, incoming null, params without properties",
        "`incoming` ... `null` when they may not; (the demo) channel `ops`: `auth` level `staff`, params `{}`",
        ops.get("auth") == "staff" and "incoming" in ops and ops.get("incoming") is None and
        not (ops.get("params") or {}).get("properties"), {k: ops.get(k) for k in ("auth", "incoming", "params")})
    fns = {f.get("name"): f for f in m.get("functions", [])} if isinstance(m, dict) else {}
    an = fns.get("chat.announce", {})
    chk(C, "2.7", "chat.announce: a call, auth staff, params room and text",
        "(the demo) call `chat.announce` (auth staff), params `{room, text}`", an.get("kind") == "call" and
        an.get("auth") == "staff" and sorted(an.get("params") or []) == ["room", "text"],
        {k: an.get(k) for k in ("kind", "auth", "params")})
    op = ((an.get("output") or {}).get("properties") or {}).get("offset", {})
    C.note("2.9", f"chat.announce's output offset is published as {op}")
    return by


# ---------------------------------------------------------------- running

def run(C):
    import channels_close
    import channels_connect
    import channels_flow
    import channels_hostile
    import channels_subscribe
    import channels_watch
    t0 = len(C.RESULTS)
    m = C.get(f"{C.BASE}/manifest").json
    if not (isinstance(m, dict) and any(c.get("name") == "chat" for c in m.get("channels") or [])):
        C.check("2.15", "the server publishes channels (chat) to check", "The manifest (§2.7) lists channels in a "
                "top-level member `channels`", False, "no channel chat in the manifest: §2.15 not checked")
        return len(C.RESULTS) - t0
    K = sys.modules[__name__]
    U = Users(C)
    slow = guarded(C, "start_slow", lambda: channels_close.start_slow(C, K, U)) or []
    guarded(C, "manifest", lambda: manifest_checks(C))
    wel = guarded(C, "upgrade", lambda: channels_connect.upgrade_checks(C, U)) or {}
    guarded(C, "frames", lambda: channels_subscribe.frame_checks(C))
    guarded(C, "subscribe", lambda: channels_subscribe.subscribe_checks(C, U, wel))
    for name in ("unsubscribe", "send", "auth", "delivery", "offset", "recovery"):
        guarded(C, name, lambda: getattr(channels_flow, name + "_checks")(C, K, U))
    guarded(C, "hostile", lambda: channels_hostile.run(C, K, U))
    guarded(C, "watch", lambda: channels_watch.run(C, K, U))
    guarded(C, "close", lambda: channels_close.close_checks(C, K, U, wel))
    channels_close.finish_slow(C, K, slow)
    if C.SPAWN:
        guarded(C, "shutdown", lambda: channels_close.shutdown_check(C, K))
    return len(C.RESULTS) - t0


def guarded(C, group, fn):
    """Run one group of checks; an exception (a socket closed or silent where the spec says otherwise) is one
    failed check naming the group, and the other groups still run."""
    try:
        return fn()
    except Exception as e:  # noqa: BLE001 (any failure of the server under test is a finding, not a crash)
        import traceback
        C.check("2.15", f"the {group} checks ran to the end", "(the checks expect answers the spec promises)", False,
                f"{type(e).__name__}: {e} at {traceback.format_exc(limit=-2).strip()[-300:]}")
        return None


def main():
    # Imported by name, so that the part modules and this report share one module (not __main__).
    import channels_checks as K
    import check as C
    t0 = time.time()
    proc = folder = None
    if C.SPAWN:
        import subprocess
        import tempfile
        folder = tempfile.TemporaryDirectory(prefix="mizan-channels-")
        env = dict(os.environ, MIZAN_DEMO_ADDR=f"{C.HOST}:{C.PORT}")
        env.pop("MIZAN_SECRET", None)
        proc = subprocess.Popen([C.DEMO, "--dev", "--database-url", "sqlite://" + os.path.join(folder.name, "d.db")],
                                env=env, cwd=folder.name, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                C.request("GET", f"{C.BASE}/manifest")
                break
            except Exception:
                time.sleep(0.1)
        K.run(C)
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except Exception:
                proc.kill()
                proc.wait()
            folder.cleanup()
    res = C.RESULTS
    npass = sum(1 for x in res if x[0])
    print("\n==================== SUMMARY ====================")
    print(f"channels checks: {len(res)}  PASS {npass}  FAIL {len(res) - npass}  XFAIL {len(K.XFAILS)}   "
          f"{time.time() - t0:.1f}s")
    if not C.QUIET:
        for sec, text in C.NOTES:
            print(f"NOTE [{sec}] {text}")
    for sec, name, why in K.XFAILS:
        print(f"XFAIL [{sec}] {name}\n     not counted: {why}")
    for ok, sec, name, quote, detail in res:
        if not ok:
            print(f"FAIL [{sec}] {name}\n     spec: {quote}\n     got:  {str(detail)[:400]}")
    sys.exit(1 if npass < len(res) else 0)


if __name__ == "__main__":
    main()
