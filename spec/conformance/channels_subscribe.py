"""Channels checks, part 2 (spec/PROTOCOL.md §2.15.3): client frames that cannot be read, `ping`/`pong`, and
`subscribe` with each failure in the stated order. Written from the spec alone; run by channels_checks.run.
"""
import json
import socket

from channels_checks import EPOCH_RE, answer, chk, is_err, open_ws, room, still_open, sub
from ws_client import Closed

Q_MALFORMED = ("A frame that is not valid JSON, not an object, lacks a string `type`, has an unknown `type`, or lacks a "
               "member its type requires or has one of the wrong JSON type (an id or ref breaking the rule above "
               "included) is answered with an `error` frame, `code` `bad_request`, `details.reason = "
               "\"malformed_frame\"`; the socket stays open and nothing else happens. When such a frame has a valid "
               "`id` (for `subscribe`/`unsubscribe`) or `ref` (for `send`/`auth`) the error carries it.")
Q_IDREF = ("An **id** (naming a subscription) and a **ref** (naming one request) are strings of 1 to 64 characters "
           "from `A-Z a-z 0-9 _ . : -`.")
Q_ERROR = ("`error` | `error`: an error body of §2.6 (`code`, `message`, `status`, and `fields`/`details` where "
           "they apply); `id` or `ref` when it answers a frame that had one")
Q_SUB = ("**`subscribe`** checks, in this order, answering the first failure with an `error` frame carrying the `id`: "
         "1. duplicate_id 2. too_many_subscriptions 3. not_found 4. stale_client 5. validation_failed 6. "
         "unauthenticated/forbidden, then the authorize check 7. unavailable")
Q_SUBSCRIBED = ("`subscribed` | `id`, `channel`, `group`, `epoch`, `offset`: the group's position when the "
                "subscription started")
Q_FREE = "A failed `subscribe` leaves no subscription, and its `id` is free."
Q_EPOCH = ("an **epoch**, a string of 1 to 64 characters from `A-Z a-z 0-9 _ -` naming one run of its history, and an "
           "**offset**, an integer in `0 ..= 2^53 - 1`. Each message published to the group gets the next offset (the "
           "first is `1`); a group that has had no message in the current epoch is at offset `0`.")


# ---------------------------------------------------------------- client frames that cannot be read (§2.15.3)

def frame_checks(C):
    S = "2.15.3"
    ws = open_ws(C)
    ws.json({"type": "ping"})
    f = ws.recv_json()
    chk(C, S, "ping -> exactly {\"type\":\"pong\"}", "**`ping`** is answered with `{\"type\":\"pong\"}`",
        f == {"type": "pong"}, f)
    ws.json({"type": "ping", "extra": [1, 2], "id": "x"})
    f = ws.recv_json()
    chk(C, S, "ping with members it does not define -> pong", "Members a frame does not define are ignored.",
        f.get("type") == "pong", f)
    ws.json({"type": "pong"})
    ws.json({"type": "pong", "n": 1})
    ws.json({"type": "ping"})
    f = ws.recv_json()
    chk(C, S, "pong gets no answer (the next frame answers the ping after it)", "| `pong` | none | none |",
        f.get("type") == "pong" and not ws.collect(0.3), f)
    long_id = "A" * 64
    cases = [  # (label, text, the id/ref the error must carry or None for none)
        ("not JSON", "{not json", None),
        ("a JSON array", "[1,2]", None),
        ("a JSON string", '"ping"', None),
        ("empty text", "", None),
        ("an object without type", '{"id":"s1"}', None),
        ("type a number", '{"type":1}', None),
        ("type null", '{"type":null}', None),
        ("an unknown type", '{"type":"hello"}', None),
        ("type in another case", '{"type":"PING"}', None),
        ("subscribe without id", '{"type":"subscribe","channel":"chat","params":{"room":"a"}}', None),
        ("subscribe with an empty id", '{"type":"subscribe","id":"","channel":"chat","params":{"room":"a"}}', None),
        ("subscribe with a 65-character id", json.dumps({"type": "subscribe", "id": "A" * 65, "channel": "chat",
                                                         "params": {"room": "a"}}), None),
        ("subscribe with an id holding a space", '{"type":"subscribe","id":"a b","channel":"chat","params":{}}', None),
        ("subscribe with an id holding /", '{"type":"subscribe","id":"a/b","channel":"chat","params":{}}', None),
        ("subscribe with an id holding é", '{"type":"subscribe","id":"\u00e9","channel":"chat","params":{}}', None),
        ("subscribe with a numeric id", '{"type":"subscribe","id":5,"channel":"chat","params":{}}', None),
        ("subscribe without channel", '{"type":"subscribe","id":"m1","params":{"room":"a"}}', "m1"),
        ("subscribe with channel a number", '{"type":"subscribe","id":"m2","channel":7,"params":{}}', "m2"),
        ("subscribe without params", '{"type":"subscribe","id":"m3","channel":"chat"}', "m3"),
        ("subscribe with params an array", '{"type":"subscribe","id":"m4","channel":"chat","params":[]}', "m4"),
        ("subscribe with params null", '{"type":"subscribe","id":"m5","channel":"chat","params":null}', "m5"),
        ("subscribe with since a string", '{"type":"subscribe","id":"m6","channel":"chat","params":{"room":"a"},'
                                          '"since":"x"}', "m6"),
        ("subscribe with since.offset a string", '{"type":"subscribe","id":"m7","channel":"chat","params":{"room":'
                                                 '"a"},"since":{"epoch":"e","offset":"1"}}', "m7"),
        ("subscribe with since.epoch a number", '{"type":"subscribe","id":"m8","channel":"chat","params":{"room":'
                                                '"a"},"since":{"epoch":1,"offset":1}}', "m8"),
        ("subscribe with since without offset", '{"type":"subscribe","id":"m9","channel":"chat","params":{"room":'
                                                '"a"},"since":{"epoch":"e"}}', "m9"),
        ("subscribe with since.offset 1.5", '{"type":"subscribe","id":"m10","channel":"chat","params":{"room":"a"},'
                                            '"since":{"epoch":"e","offset":1.5}}', "m10"),
        ("subscribe with schema a number", '{"type":"subscribe","id":"m11","channel":"chat","params":{"room":"a"},'
                                           '"schema":5}', "m11"),
        ("unsubscribe without id", '{"type":"unsubscribe"}', None),
        ("unsubscribe with a bad id", '{"type":"unsubscribe","id":"a b"}', None),
        ("send without ref", '{"type":"send","data":{}}', None),
        ("send with a 65-character ref", json.dumps({"type": "send", "ref": "r" * 65, "data": {}}), None),
        ("send without id", '{"type":"send","ref":"r1","data":{"text":"x"}}', "r1"),
        ("send with a bad id", '{"type":"send","ref":"r2","id":"a b","data":{"text":"x"}}', "r2"),
        ("send without data", '{"type":"send","ref":"r3","id":"s1"}', "r3"),
        ("auth without token", '{"type":"auth","ref":"r4"}', "r4"),
        ("auth with token a number", '{"type":"auth","ref":"r5","token":5}', "r5"),
        ("auth with token an object", '{"type":"auth","ref":"r6","token":{}}', "r6"),
        ("auth without ref", '{"type":"auth","token":null}', None),
    ]
    for label, text, carry in cases:
        ws.text(text)
        try:
            f = ws.recv_json(3.0)
        except (socket.timeout, Closed) as e:
            f = f"no answer ({e!r})"
        key = "ref" if carry and carry.startswith("r") else "id"
        ok = is_err(f, "bad_request", reason="malformed_frame", no_id=carry is None)
        ok = ok and (carry is None or f.get(key) == carry)
        chk(C, S, f"{label} -> error bad_request malformed_frame" + (f" with {key} {carry}" if carry else
                                                                       " without id or ref"),
            Q_MALFORMED + " " + Q_IDREF + " " + Q_ERROR, ok, f)
        if isinstance(f, str):
            ws.shut()
            ws = open_ws(C)
    chk(C, S, "after those malformed frames the socket is open and serving", "the socket stays open and nothing else "
        "happens", still_open(ws), ws.log[-3:])
    f = sub(ws, "m1", "chat", {"room": room("m")})
    chk(C, S, "nothing else happened: the id of a malformed subscribe is not taken", "the socket stays open and "
        "nothing else happens", isinstance(f, dict) and f.get("type") == "subscribed", f)
    f = sub(ws, long_id, "chat", {"room": room("m")})
    chk(C, S, "an id of 64 characters is valid", Q_IDREF, isinstance(f, dict) and f.get("type") == "subscribed", f)
    f = sub(ws, "aZ09_.:-", "chat", {"room": room("m")})
    chk(C, S, "an id of every allowed kind of character (aZ09_.:-) is valid", Q_IDREF,
        isinstance(f, dict) and f.get("type") == "subscribed", f)
    ws.json({"type": "subscribe", "id": "m30", "channel": "chat", "params": {"room": room("m")}, "zzz": {"a": 1}})
    f = answer(ws, "id", "m30", ("subscribed", "error"))
    chk(C, S, "subscribe with a member it does not define is served", "Members a frame does not define are ignored.",
        isinstance(f, dict) and f.get("type") == "subscribed", f)
    ws.json({"type": "send", "ref": "r9", "id": "m1", "data": None})
    f = answer(ws, "ref", "r9", ("ack", "error"))
    chk(C, S, "send with data null is read (data is any JSON value): validation_failed at [data], not malformed",
        "`send` | `ref`, `id` (an active subscription of this socket), `data` (any JSON value) ... `data` passes the "
        "`incoming` schema (`validation_failed`, with `fields` whose paths start at `data`)",
        is_err(f, "validation_failed", ref="r9") and [x.get("path") for x in f["error"].get("fields", [])] ==
        [["data"]], f)
    ws.shut()


# ---------------------------------------------------------------- subscribe (§2.15.3)

def subscribe_checks(C, U, wel):
    S = "2.15.3"
    ws = open_ws(C)
    lobby = room("lobby")
    f = sub(ws, "s1", "chat", {"room": lobby})
    ok = (isinstance(f, dict) and f.get("type") == "subscribed" and f.get("id") == "s1" and f.get("channel") == "chat"
          and f.get("group") == "room." + lobby and isinstance(f.get("epoch"), str) and
          EPOCH_RE.fullmatch(f["epoch"]) is not None and f.get("offset") == 0)
    chk(C, "2.15.4", "subscribe chat (a fresh room) -> subscribed with id, channel, group room.<room>, an epoch, "
        "offset 0", Q_SUBSCRIBED + " " + Q_EPOCH, ok, f)
    f = sub(ws, "s1", "chat", {"room": lobby})
    chk(C, S, "subscribe with an active id -> error bad_request duplicate_id with the id", Q_SUB,
        is_err(f, "bad_request", id="s1", reason="duplicate_id"), f)
    f = sub(ws, "s1", "nope", {"room": lobby}, schema="x")
    chk(C, S, "duplicate id and unknown channel -> duplicate_id (step 1 before 3)", Q_SUB,
        is_err(f, "bad_request", id="s1", reason="duplicate_id"), f)
    f = sub(ws, "s2", "nope", {})
    chk(C, S, "an unknown channel -> error not_found with the id", Q_SUB, is_err(f, "not_found", id="s2"), f)
    f = sub(ws, "s2", "Chat", {"room": lobby})
    chk(C, S, "channel names are matched exactly (Chat) -> not_found", Q_SUB, is_err(f, "not_found", id="s2"), f)
    f = sub(ws, "s2", "nope", {"x": 1}, schema="stale")
    chk(C, S, "unknown channel, a schema and bad params -> not_found (step 3 before 4)", Q_SUB,
        is_err(f, "not_found", id="s2"), f)
    man = {c["name"]: c for c in C.get(f"{C.BASE}/manifest").json.get("channels", [])}
    h_chat, h_ops = man.get("chat", {}).get("schema_hash"), man.get("ops", {}).get("schema_hash")
    f = sub(ws, "s2", "chat", {"room": lobby}, schema="AAAAAAAAAAAAAAAAAAAAAA")
    chk(C, S, "a schema that is not the channel's schema_hash -> error stale_client (409) with the id", Q_SUB,
        is_err(f, "stale_client", id="s2"), f)
    f = sub(ws, "s2", "chat", {"room": lobby}, schema="")
    chk(C, S, "an empty schema -> stale_client", "4. `schema` is present and is not the channel's `schema_hash`: "
        "`stale_client`", is_err(f, "stale_client", id="s2"), f)
    f = sub(ws, "s2", "chat", {"room": ""}, schema="AAAAAAAAAAAAAAAAAAAAAA")
    chk(C, S, "a stale schema and invalid params -> stale_client (step 4 before 5)", Q_SUB,
        is_err(f, "stale_client", id="s2"), f)
    f = sub(ws, "s2", "ops", {}, schema=h_chat)
    chk(C, S, "another channel's schema_hash -> stale_client", Q_SUB, is_err(f, "stale_client", id="s2"), f)
    f = sub(ws, "s2", "chat", {"room": lobby}, schema=h_chat)
    chk(C, S, "the channel's own schema_hash -> subscribed (the id of a failed subscribe is free)",
        Q_SUB + " " + Q_FREE, isinstance(f, dict) and f.get("type") == "subscribed", f)
    Q422 = ("5. `params` fails the channel's `params` schema: `validation_failed` with `fields`, exactly as a call's "
            "params (§2.2.1, §2.9)")
    for label, params, want in (
            ("room empty", {"room": ""}, [(["room"], None)]),
            ("room with capitals", {"room": "Lobby"}, [(["room"], None)]),
            ("room with a space", {"room": "a b"}, [(["room"], None)]),
            ("room of 41 characters", {"room": "a" * 41}, [(["room"], None)]),
            ("room a number", {"room": 5}, [(["room"], None)]),
            ("room null", {"room": None}, [(["room"], None)]),
            ("no room", {}, [(["room"], "missing required parameter")]),
            ("an extra member", {"room": "ok", "x": 1}, [(["x"], "unknown parameter")]),
            ("no room and an extra member", {"y": True}, [(["room"], "missing required parameter"),
                                                          (["y"], "unknown parameter")])):
        f = sub(ws, "v1", "chat", params)
        got = sorted((x.get("path"), x.get("message")) for x in (f.get("error", {}).get("fields") or [])) \
            if is_err(f, "validation_failed", id="v1") else f
        ok = isinstance(got, list) and [p for p, _ in got] == [p for p, _ in sorted(want)] and \
            all(m is None or m == gm for (_, gm), (_, m) in zip(got, sorted(want)))
        chk(C, S, f"chat params with {label} -> validation_failed (422) at {[p for p, _ in want]}",
            Q422 + " A top-level parameter that is absent has the message `missing required parameter`; a member that "
            "names no parameter, `unknown parameter`", ok, f)
    f = sub(ws, "v2", "chat", {"room": "a" * 40})
    chk(C, S, "a room of 40 characters -> subscribed", Q422, isinstance(f, dict) and f.get("type") == "subscribed", f)
    f = sub(ws, "v3", "ops", {"x": 1})
    chk(C, S, "anonymous, ops with params {x} -> validation_failed at [x] (step 5 before 6)", Q_SUB,
        is_err(f, "validation_failed", id="v3") and [x.get("path") for x in f["error"].get("fields", [])] == [["x"]], f)
    f = sub(ws, "v3", "ops", {}, schema=h_ops)
    chk(C, S, "anonymous, ops -> error unauthenticated (401) with the id", "6. the socket's principal lacks the "
        "channel's `auth` level: `unauthenticated` when anonymous, `forbidden` otherwise", is_err(
            f, "unauthenticated", id="v3"), f)
    staff_room = room("staff-x")
    f = sub(ws, "v4", "chat", {"room": staff_room})
    chk(C, S, "anonymous, chat room staff-… -> unauthenticated (the authorize check)", "then the channel's authorize "
        "check, if any, refuses it: the error it gives (typically `unauthenticated` or `forbidden`)",
        is_err(f, "unauthenticated", id="v4"), f)
    ws.shut()
    for who, tok, ops_want, staff_want in (("ada", U.ada["token"], "forbidden", "forbidden"),
                                           ("grace", U.grace["token"], "subscribed", "subscribed")):
        w = open_ws(C, tok=tok)
        f = sub(w, "o", "ops", {})
        ok = (f.get("type") == "subscribed" and f.get("group") == "ops" and f.get("channel") == "ops") \
            if ops_want == "subscribed" else is_err(f, ops_want, id="o")
        chk(C, S, f"{who}, ops -> {ops_want}" + (" with group ops" if ops_want == "subscribed" else ""),
            "6. ... `unauthenticated` when anonymous, `forbidden` otherwise (as for a function, §2.5)", ok, f)
        f = sub(w, "st", "chat", {"room": staff_room})
        ok = f.get("type") == "subscribed" if staff_want == "subscribed" else is_err(f, staff_want, id="st")
        chk(C, S, f"{who}, chat room staff-… -> {staff_want}", "anyone may subscribe, except rooms named `staff-…`, "
            "which need a staff principal (`forbidden` for a signed-in non-staff user)", ok, f)
        w.shut()
    n = wel.get("max_subscriptions") if isinstance(wel, dict) else None
    if not isinstance(n, int) or n > 300:
        C.note(S, f"max_subscriptions {n}: too_many_subscriptions not checked")
        return
    w = open_ws(C)
    got = [sub(w, f"t{i}", "chat", {"room": room(f"t{i}")}) for i in range(n)]
    chk(C, S, f"{n} subscriptions (max_subscriptions) are all subscribed", "`max_subscriptions`",
        all(isinstance(f, dict) and f.get("type") == "subscribed" for f in got),
        [f for f in got if not (isinstance(f, dict) and f.get("type") == "subscribed")][:3])
    f = sub(w, "extra", "chat", {"room": room("extra")})
    chk(C, S, f"subscription {n + 1} -> error bad_request too_many_subscriptions with the id",
        "2. the socket already has `max_subscriptions` subscriptions: `bad_request`, `details.reason = "
        "\"too_many_subscriptions\"`", is_err(f, "bad_request", id="extra", reason="too_many_subscriptions"), f)
    f = sub(w, "extra", "nope", {})
    chk(C, S, "too many and an unknown channel -> too_many_subscriptions (step 2 before 3)", Q_SUB,
        is_err(f, "bad_request", id="extra", reason="too_many_subscriptions"), f)
    f = sub(w, "t0", "chat", {"room": room("t0")})
    chk(C, S, "too many and a duplicate id -> duplicate_id (step 1 before 2)", Q_SUB,
        is_err(f, "bad_request", id="t0", reason="duplicate_id"), f)
    w.json({"type": "unsubscribe", "id": "t0"})
    answer(w, "id", "t0", ("unsubscribed", "error"))
    f = sub(w, "extra", "chat", {"room": room("extra")})
    chk(C, S, "after an unsubscribe there is room for one more", "the socket already has `max_subscriptions` "
        "subscriptions", isinstance(f, dict) and f.get("type") == "subscribed", f)
    w.shut()
