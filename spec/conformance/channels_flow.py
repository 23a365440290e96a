"""Channels checks, part 2 (spec/PROTOCOL.md §2.15.3–§2.15.5): unsubscribe, send, auth, delivery once per
socket, epochs and offsets, recovery with `since`. Written from the spec alone; run by channels_checks.run,
which passes itself as K (helpers) and the demo's users as U.

Absence ("nothing arrives") is observed over a short window (QUIET seconds) after the publish that
would have caused it; presence waits up to a few seconds.
"""
QUIET = 0.8
Q_UNSUB = ("**`unsubscribe`** of an `id` that is not active: `not_found`. Otherwise the subscription ends at once, and "
           "the client hands it nothing after the `unsubscribed` frame (the socket still receives its group's messages "
           "while another of its subscriptions has the same channel and group).")
Q_SEND = ("**`send`** checks, in order: the `id` is an active subscription of this socket (`not_found`); its channel "
          "accepts client messages, `incoming` is not `null` (`bad_request`, `details.reason = \"no_incoming\"`); "
          "`data` passes the `incoming` schema (`validation_failed`, with `fields` whose paths start at `data`); the "
          "channel's receive handler runs ...; else `ack`.")
Q_AUTH = ("**`auth`** with a token verifies it as an `Authorization: Bearer` token of the upgrade request would be ...: "
          "on success it becomes the socket's credentials (`ack`); a token that fails is `error` `unauthenticated` and "
          "the socket keeps its previous principal. `token: null` drops the credentials of earlier `auth` frames: the "
          "principal becomes the upgrade request's again. After a successful `auth`, every subscription is checked "
          "again (§2.15.7): the `ack` comes first, then an `unsubscribed` for each subscription the new principal may "
          "not have.")
Q_RECHECK = ("Whenever the principal changes (a failed check, or an `auth` frame), the server checks every subscription "
             "again with the new principal (step 6 of `subscribe`), and ends each refused one with `unsubscribed`, "
             "`reason` = the refusal's code and `error` = its body")
Q_ONCE = ("the server sends each message **once per socket**, however many of the socket's subscriptions share its "
          "channel and group ... The bytes of a `message` frame are the same for every socket that receives it from "
          "one server process.")
Q_MESSAGE = "`message` | `channel`, `group`, `epoch`, `offset`, `data` (a value of the channel's `message` schema)"
Q_OFFSETS = ("Each message published to the group gets the next offset (the first is `1`); a group that has had no "
             "message in the current epoch is at offset `0`. ... Within an epoch, a socket receives a group's messages "
             "in increasing offset order, and each at most once")
Q_SINCE = ("A `subscribe` with `since` asks for the messages the client missed: those of epoch `since.epoch` with an "
           "offset greater than `since.offset`. After `subscribed` (whose `epoch` and `offset` are the group's "
           "position), the server sends either: **every** such message, as `message` frames in offset order, when "
           "`since.epoch` is the group's epoch and the history still holds every offset from `since.offset + 1` to the "
           "group's offset (nothing, when `since.offset` equals the group's offset); or a `gap` frame with the "
           "subscription's `id` and the group's position, when it cannot: another epoch, an offset the history no "
           "longer holds, or an offset greater than the group's.")


def msgs(frames, group):
    return [f for f in frames if isinstance(f, dict) and f.get("type") == "message" and f.get("group") == group]


def fpaths(f):
    return sorted(x.get("path") for x in (f.get("error", {}).get("fields") or [])) if isinstance(f, dict) else f


def unsubscribe_checks(C, K, U):
    S = "2.15.3"
    rm = K.room("unsub")
    g = "room." + rm
    ws = K.open_ws(C)
    ws.json({"type": "unsubscribe", "id": "nope"})
    f = K.answer(ws, "id", "nope", ("unsubscribed", "error"))
    K.chk(C, S, "unsubscribe of an id that is not active -> error not_found with the id", Q_UNSUB,
          K.is_err(f, "not_found", id="nope"), f)
    K.sub(ws, "a", "chat", {"room": rm})
    K.sub(ws, "b", "chat", {"room": rm})
    ws.json({"type": "unsubscribe", "id": "a"})
    f = K.answer(ws, "id", "a", ("unsubscribed", "error"))
    K.chk(C, "2.15.4", "unsubscribe -> {type: unsubscribed, id, reason: client}", Q_UNSUB + " `unsubscribed` | `id`, "
          "`reason`: `\"client\"` after `unsubscribe`", isinstance(f, dict) and f.get("type") == "unsubscribed" and
          f.get("reason") == "client" and "error" not in f, f)
    K.announce(C, U.grace["token"], rm, "u1")
    got = msgs(ws.collect(QUIET * 2), g)
    K.chk(C, S, "after unsubscribing one of two subscriptions of a group, its messages still come, once", Q_UNSUB,
          len(got) == 1 and got[0].get("data", {}).get("text") == "u1", got)
    ws.json({"type": "unsubscribe", "id": "b"})
    f = K.answer(ws, "id", "b", ("unsubscribed", "error"))
    K.announce(C, U.grace["token"], rm, "u2")
    got = msgs(ws.collect(QUIET), g)
    K.chk(C, S, "after the last subscription of a group ends, its messages stop", "Otherwise the subscription ends at "
          "once", isinstance(f, dict) and f.get("type") == "unsubscribed" and not got, (f, got))
    ws.json({"type": "unsubscribe", "id": "b"})
    f = K.answer(ws, "id", "b", ("unsubscribed", "error"))
    K.chk(C, S, "unsubscribe of an id already ended -> not_found", Q_UNSUB, K.is_err(f, "not_found", id="b"), f)
    f = K.sub(ws, "a", "chat", {"room": rm})
    K.chk(C, S, "an ended subscription's id can be subscribed again", Q_UNSUB, isinstance(f, dict) and
          f.get("type") == "subscribed" and f.get("offset") == 2, f)
    ws.shut()


def send_checks(C, K, U):
    S = "2.15.3"
    rm = K.room("send")
    g = "room." + rm
    ws = K.open_ws(C)
    K.sub(ws, "s", "chat", {"room": rm})
    ws.json({"type": "send", "ref": "r1", "id": "zz", "data": {"text": "x"}})
    f = K.answer(ws, "ref", "r1", ("ack", "error"))
    K.chk(C, S, "send on an id that is not active -> error not_found with the ref", Q_SEND,
          K.is_err(f, "not_found", ref="r1") and "id" not in f, f)
    ws.json({"type": "send", "ref": "r1b", "id": "zz", "data": 5})
    f = K.answer(ws, "ref", "r1b", ("ack", "error"))
    K.chk(C, S, "send on an inactive id with invalid data -> not_found (the id first)", Q_SEND,
          K.is_err(f, "not_found", ref="r1b"), f)
    gs = K.open_ws(C, tok=U.grace["token"])
    K.sub(gs, "o", "ops", {})
    gs.json({"type": "send", "ref": "r2", "id": "o", "data": {"text": "x"}})
    f = K.answer(gs, "ref", "r2", ("ack", "error"))
    K.chk(C, S, "send on ops (incoming null) -> error bad_request no_incoming with the ref", Q_SEND,
          K.is_err(f, "bad_request", ref="r2", reason="no_incoming"), f)
    gs.json({"type": "send", "ref": "r2b", "id": "o", "data": 5})
    f = K.answer(gs, "ref", "r2b", ("ack", "error"))
    K.chk(C, S, "send on ops with data that no schema could accept -> no_incoming (before the data)", Q_SEND,
          K.is_err(f, "bad_request", ref="r2b", reason="no_incoming"), f)
    gs.shut()
    for i, (label, data, want, *msg) in enumerate((
            ("text empty", {"text": ""}, [["data", "text"]]),
            ("text of 501 characters", {"text": "x" * 501}, [["data", "text"]]),
            ("text a number", {"text": 5}, [["data", "text"]]),
            ("no text", {}, [["data", "text"]], "missing required field"),
            ("an extra member", {"text": "ok", "x": 1}, [["data", "x"]], "unknown field"),
            ("data a string", "hi", [["data"]]),
            ("data an array", [], [["data"]]))):
        ws.json({"type": "send", "ref": f"v{i}", "id": "s", "data": data})
        f = K.answer(ws, "ref", f"v{i}", ("ack", "error"))
        K.chk(C, S, f"send with {label} -> validation_failed (422) at {want}" + (f", {msg[0]!r}" if msg else ""),
              Q_SEND + " the members of `data` are below the top level, so their messages are `missing required "
              "field` and `unknown field`", K.is_err(f, "validation_failed", ref=f"v{i}") and fpaths(f) == want and
              (not msg or [x.get("message") for x in f["error"]["fields"]] == msg), f)
    got = msgs(ws.collect(QUIET), g)
    K.chk(C, S, "refused sends publish nothing", "answering the first failure", not got, got)
    other = K.open_ws(C)
    K.sub(other, "x", "chat", {"room": rm})
    emo = "\U0001F600" * 500
    for ref, text in (("ok1", "hello"), ("ok2", emo)):
        ws.json({"type": "send", "ref": ref, "id": "s", "data": {"text": text}})
        a, skipped = ws.until(lambda f: f.get("ref") == ref and f.get("type") in ("ack", "error"), 5.0)
        m = msgs(skipped + msgs(ws.collect(QUIET), g), g)
        K.chk(C, S, f"anonymous send of {len(text)} characters -> ack with the ref, and the message "
              "{author: guest, text} to the room", Q_SEND + " (the demo) `send` publishes `{author: <the user's id, or "
              "\"guest\">, text}` to the room and then acks.", a == {"type": "ack", "ref": ref} and len(m) == 1 and
              m[0].get("data") == {"author": "guest", "text": text}, (a, m))
        if ref == "ok1" and a is not None and m:
            C.note("2.15.9", "the demo's ack came " + ("after" if skipped and skipped[-1] in m else "before") +
                   " the sender's own message frame (the example shows the message first; no order is stated)")
    om = msgs(other.collect(QUIET), g)
    mine = [(ws.raws[i], v) for i, v in enumerate(ws.log) if isinstance(v, dict) and v.get("type") == "message"
            and v.get("group") == g]
    theirs = [(other.raws[i], v) for i, v in enumerate(other.log) if isinstance(v, dict) and v.get("type") == "message"
              and v.get("group") == g]
    K.chk(C, "2.15.4", "another subscriber gets both messages, with the same bytes", Q_ONCE,
          len(om) == 2 and [r for r, _ in mine[-2:]] == [r for r, _ in theirs[-2:]], (mine[-2:], theirs[-2:]))
    other.shut()
    ad = K.open_ws(C, tok=U.ada["token"])
    K.sub(ad, "s", "chat", {"room": rm})
    ad.json({"type": "send", "ref": "a1", "id": "s", "data": {"text": "from ada"}})
    a, skipped = ad.until(lambda f: f.get("ref") == "a1", 5.0)
    m = msgs(skipped + ad.collect(QUIET), g)
    K.chk(C, S, "ada's send publishes {author: ada's id}", "(the demo) `{author: <the user's id, or \"guest\">, text}`",
          a == {"type": "ack", "ref": "a1"} and [x.get("data") for x in m] == [{"author": U.ada["id"],
                                                                               "text": "from ada"}], (a, m))
    for i in range(5):
        ad.json({"type": "send", "ref": f"o{i}", "id": "s", "data": {"text": f"o{i}"}})
    a, skipped = ad.until(lambda f: f.get("ref") == "o4", 8.0)
    frames = skipped + ([a] if a else []) + ad.collect(QUIET)
    acks = [f.get("ref") for f in frames if f.get("type") == "ack"]
    m = msgs(frames, g)
    offs = [x.get("offset") for x in m]
    K.chk(C, S, "five sends in a row: acks in order, messages in the order sent with consecutive offsets",
          "A socket runs its `send` handlers one at a time, in the order received. " + Q_OFFSETS,
          acks == [f"o{i}" for i in range(5)] and [x["data"]["text"] for x in m] == [f"o{i}" for i in range(5)] and
          len(offs) == 5 and all(isinstance(o, int) for o in offs) and offs == list(range(offs[0], offs[0] + 5)),
          (acks, [(x.get("offset"), x.get("data")) for x in m]))
    ad.shut()
    ws.shut()


def auth_checks(C, K, U):
    S = "2.15.3"
    lobby = K.room("auth")
    staff_room = K.room("staff-auth")
    ws = K.open_ws(C)
    ws.json({"type": "auth", "ref": "a1", "token": U.ada["token"]})
    f = K.answer(ws, "ref", "a1", ("ack", "error"))
    K.chk(C, S, "auth with ada's token -> ack with the ref; the principal becomes ada", Q_AUTH,
          f == {"type": "ack", "ref": "a1"} and K.principal(ws, "w1") == "user", f)
    f = K.sub(ws, "st", "chat", {"room": staff_room})
    K.chk(C, S, "after auth as ada, a staff room is forbidden (was unauthenticated)", Q_AUTH,
          K.is_err(f, "forbidden", id="st"), f)
    K.sub(ws, "l", "chat", {"room": lobby})
    ws.json({"type": "send", "ref": "a1t", "id": "l", "data": {"text": "who"}})
    _, skipped = ws.until(lambda f: f.get("ref") == "a1t", 5.0)
    m = msgs(skipped + ws.collect(QUIET), "room." + lobby)
    K.chk(C, S, "after auth, send runs with the new principal (author ada)", Q_AUTH + " the channel's receive handler "
          "runs with the principal", [x.get("data", {}).get("author") for x in m] == [U.ada["id"]], m)
    for ref, tok in (("a2", "garbage"), ("a2b", "mwt1.k.e30." + "A" * 43), ("a2c", "")):
        ws.json({"type": "auth", "ref": ref, "token": tok})
        f = K.answer(ws, "ref", ref, ("ack", "error"))
        K.chk(C, S, f"auth with a token that fails ({tok[:12]!r}) -> error unauthenticated with the ref; the "
              "principal stays ada", Q_AUTH, K.is_err(f, "unauthenticated", ref=ref) and
              K.principal(ws, "w" + ref) == "user", f)
    ws.json({"type": "auth", "ref": "a3", "token": U.grace["token"]})
    f = K.answer(ws, "ref", "a3", ("ack", "error"))
    got = [K.sub(ws, sid, ch, p) for sid, ch, p in (("o", "ops", {}), ("st", "chat", {"room": staff_room}))]
    K.chk(C, S, "auth with grace's token -> ack; ops and the staff room can be subscribed", Q_AUTH,
          f == {"type": "ack", "ref": "a3"} and all(isinstance(x, dict) and x.get("type") == "subscribed" for x in got),
          (f, got))
    ws.json({"type": "auth", "ref": "a4", "token": U.ada["token"]})
    a, skipped = ws.until(lambda f: f.get("ref") == "a4", 5.0)
    frames = skipped + ws.collect(QUIET)
    ends = {f.get("id"): f for f in frames if f.get("type") == "unsubscribed"}

    def ended_forbidden(f):
        e = f.get("error") if isinstance(f, dict) else None
        return (isinstance(f, dict) and f.get("reason") == "forbidden" and isinstance(e, dict) and
                e.get("code") == "forbidden" and e.get("status") == 403 and isinstance(e.get("message"), str))
    K.chk(C, "2.15.7", "auth from grace to ada: ack first; then ops and the staff room end with unsubscribed reason "
          "forbidden and its error body; the lobby stays", Q_AUTH + " " + Q_RECHECK, a == {"type": "ack", "ref": "a4"}
          and not any(f.get("type") == "unsubscribed" for f in skipped) and
          set(ends) == {"o", "st"} and all(ended_forbidden(x) for x in ends.values()), (a, frames))
    K.announce(C, U.grace["token"], lobby, "still here")
    m = msgs(ws.collect(QUIET * 2), "room." + lobby)
    K.chk(C, "2.15.7", "the subscription the new principal may keep goes on receiving", Q_RECHECK,
          [x.get("data", {}).get("text") for x in m] == ["still here"], m)
    ws.json({"type": "auth", "ref": "a5", "token": U.grace["token"]})
    K.answer(ws, "ref", "a5", ("ack", "error"))
    K.sub(ws, "o2", "ops", {})
    ws.json({"type": "auth", "ref": "a6", "token": None})
    a, skipped = ws.until(lambda f: f.get("ref") == "a6", 5.0)
    frames = skipped + ws.collect(QUIET)
    end = [f for f in frames if f.get("type") == "unsubscribed"]
    e = end[0].get("error") if end else None
    K.chk(C, S, "auth null on an anonymous upgrade's socket -> ack; ops ends with reason unauthenticated (the "
          "principal is anonymous again)", Q_AUTH + " " + Q_RECHECK, a == {"type": "ack", "ref": "a6"} and
          not any(f.get("type") == "unsubscribed" for f in skipped) and
          len(end) == 1 and end[0].get("id") == "o2" and end[0].get("reason") == "unauthenticated" and
          isinstance(e, dict) and e.get("code") == "unauthenticated" and e.get("status") == 401 and
          K.principal(ws, "w6") == "anonymous", (a, frames))
    ws.shut()
    gs = K.open_ws(C, ck=U.grace["cookie"])
    K.sub(gs, "o", "ops", {})
    gs.json({"type": "auth", "ref": "b1", "token": U.ada["token"]})
    a, skipped = gs.until(lambda f: f.get("ref") == "b1", 5.0)
    frames = skipped + gs.collect(QUIET)
    K.chk(C, S, "a socket upgraded with grace's cookie, auth ada: the principal is ada and ops ends", Q_AUTH + " " +
          Q_RECHECK, a == {"type": "ack", "ref": "b1"} and not any(f.get("type") == "unsubscribed" for f in skipped)
          and any(f.get("type") == "unsubscribed" and f.get("id") == "o"
                                                                for f in frames) and K.principal(gs, "w") == "user",
          (a, frames))
    gs.json({"type": "auth", "ref": "b2", "token": None})
    f = K.answer(gs, "ref", "b2", ("ack", "error"))
    K.chk(C, S, "then auth null: the principal is the upgrade request's again (grace, staff)", Q_AUTH,
          f == {"type": "ack", "ref": "b2"} and K.principal(gs, "w2") == "staff", f)
    gs.shut()
    ended = U.sign_in("ada")
    r = C.call("auth.logout", None, ct=None, headers=[("Authorization", "Bearer " + ended["token"]),
                                                     ("X-Mizan-CSRF", "1")])
    ws = K.open_ws(C)
    ws.json({"type": "auth", "ref": "c1", "token": ended["token"]})
    f = K.answer(ws, "ref", "c1", ("ack", "error"))
    K.chk(C, S, "auth with the token of a session that ended -> error unauthenticated",
          Q_AUTH + " (§2.14.3: a token that fails any of these is `401 unauthenticated` with `details.reason = "
          "\"revoked\"`)", r.status == 200 and K.is_err(f, "unauthenticated", ref="c1"), (r.short(), f))
    C.note(S, f"auth with a revoked token: error details {f.get('error', {}).get('details') if f else None}")
    ws.shut()


def delivery_checks(C, K, U):
    S = "2.15.4"
    rm, other = K.room("once"), K.room("once-b")
    g = "room." + rm
    w = K.open_ws(C)
    x = K.open_ws(C)
    got = [K.sub(w, "a", "chat", {"room": rm}), K.sub(w, "b", "chat", {"room": rm}),
           K.sub(w, "c", "chat", {"room": other}), K.sub(x, "a", "chat", {"room": rm})]
    pos = K.announce(C, U.grace["token"], rm, "once")
    fw, fx = w.collect(QUIET * 2), x.collect(QUIET)
    mw, mx = msgs(fw, g), msgs(fx, g)
    K.chk(C, S, "two subscriptions of one group on one socket: the message comes once", Q_ONCE,
          all(f.get("type") == "subscribed" for f in got) and len(mw) == 1 and
          not msgs(fw, "room." + other), fw)
    m = mw[0] if mw else {}
    K.chk(C, S, "the message frame: type, channel, group, epoch, offset, data {author: system, text}", Q_MESSAGE,
          set(m) == {"type", "channel", "group", "epoch", "offset", "data"} and m.get("channel") == "chat" and
          m.get("data") == {"author": "system", "text": "once"}, m)
    K.chk(C, S, "chat.announce answers the message's position {epoch, offset}", "(the demo) publishes ... and answers "
          "the message's position `{epoch, offset}`", pos == (m.get("epoch"), m.get("offset")) and pos[1] == 1,
          (pos, m))
    raw_w = [w.raws[i] for i, v in enumerate(w.log) if v is m]
    raw_x = [x.raws[i] for i, v in enumerate(x.log) if mx and v is mx[0]]
    K.chk(C, S, "the same message has the same bytes on two sockets", Q_ONCE, len(mx) == 1 and raw_w == raw_x,
          (raw_w, raw_x))
    w.shut()
    x.shut()


def offset_checks(C, K, U):
    S = "2.15.4"
    rm = K.room("offsets")
    g = "room." + rm
    w = K.open_ws(C)
    s0 = K.sub(w, "a", "chat", {"room": rm})
    pos = [K.announce(C, U.grace["token"], rm, f"m{i}") for i in range(3)]
    w.json({"type": "send", "ref": "r", "id": "a", "data": {"text": "m3"}})
    frames = w.collect(QUIET * 2)
    m = msgs(frames, g)
    e = s0.get("epoch") if isinstance(s0, dict) else None
    K.chk(C, S, "a fresh group is at offset 0; its messages get offsets 1, 2, 3, 4 in one epoch, in order", Q_OFFSETS,
          isinstance(s0, dict) and s0.get("offset") == 0 and pos == [(e, 1), (e, 2), (e, 3)] and
          [(x.get("epoch"), x.get("offset"), x["data"]["text"]) for x in m] == [(e, i + 1, f"m{i}") for i in range(4)],
          (s0, pos, m))
    y = K.open_ws(C)
    s1 = K.sub(y, "a", "chat", {"room": rm})
    K.chk(C, "2.15.4", "a later subscribe is at the group's position (epoch, offset 4)", "`subscribed` | ... `epoch`, "
          "`offset`: the group's position when the subscription started", isinstance(s1, dict) and
          (s1.get("epoch"), s1.get("offset")) == (e, 4), s1)
    K.chk(C, "2.15.5", "a subscribe without since receives nothing published before it",
          "A `subscribe` without `since` receives only messages published after `subscribed`.",
          not msgs(y.collect(QUIET), g), y.log)
    w.shut()
    y.shut()


def recovery_checks(C, K, U):
    S = "2.15.5"
    rm = K.room("since")
    g = "room." + rm
    pos = [K.announce(C, U.grace["token"], rm, f"h{i}") for i in range(5)]
    e = pos[0][0]

    def recover(since, sid="r"):
        w = K.open_ws(C)
        f = K.sub(w, sid, "chat", {"room": rm}, since=since)
        rest = w.collect(QUIET)
        w.shut()
        return f, rest

    for since, want in (({"epoch": e, "offset": 2}, [3, 4, 5]), ({"epoch": e, "offset": 0}, [1, 2, 3, 4, 5]),
                        ({"epoch": e, "offset": 5}, [])):
        f, rest = recover(since)
        got = [(x.get("offset"), x.get("data", {}).get("text")) for x in msgs(rest, g)]
        K.chk(C, S, f"since offset {since['offset']} of the group's epoch (at 5): subscribed at 5, then messages "
              f"{want} in order, no gap", Q_SINCE, isinstance(f, dict) and f.get("type") == "subscribed" and
              (f.get("epoch"), f.get("offset")) == (e, 5) and got == [(o, f"h{o - 1}") for o in want] and
              not any(x.get("type") == "gap" for x in rest), (f, rest))
    for label, since in (("a future offset (6)", {"epoch": e, "offset": 6}),
                         ("a future offset (2^53 - 1)", {"epoch": e, "offset": 2 ** 53 - 1}),
                         ("another epoch", {"epoch": "another-epoch", "offset": 1}),
                         ("another epoch at offset 0", {"epoch": "another-epoch", "offset": 0}),
                         ("an empty epoch", {"epoch": "", "offset": 0}),
                         ("an epoch with characters outside the epoch rule", {"epoch": "a b!\u00e9", "offset": 2}),
                         ("an epoch of 65 characters", {"epoch": "e" * 65, "offset": 2})):
        f, rest = recover(since)
        gaps = [x for x in rest if x.get("type") == "gap"]
        K.chk(C, S, f"since {label} -> subscribed, then gap {{id, epoch, offset}} at the group's position, no "
              "messages", Q_SINCE + " (another epoch: any string that is not the group's epoch, whatever its "
              "characters) `gap` | `id`, `epoch`, `offset`", isinstance(f, dict) and
              f.get("type") == "subscribed" and gaps == [{"type": "gap", "id": "r", "epoch": e, "offset": 5}] and
              not msgs(rest, g), (f, rest))
    for label, since in (("offset -1", {"epoch": e, "offset": -1}), ("offset 2^53", {"epoch": e, "offset": 2 ** 53}),
                         ("offset 2^64", {"epoch": e, "offset": 2 ** 64})):
        f, rest = recover(since)
        K.chk(C, "2.15.3", f"since with {label} -> error bad_request malformed_frame with the id, nothing else",
              "or has one of the wrong JSON type (an id or ref breaking the rule above, and a `since.offset` outside "
              "`0 ..= 2^53 - 1`, included) is answered with an `error` frame, `code` `bad_request`, `details.reason = "
              "\"malformed_frame\"`", K.is_err(f, "bad_request", id="r", reason="malformed_frame") and not rest,
              (f, rest))
    w = K.open_ws(C)
    f = K.sub(w, "r", "chat", {"room": rm}, since={"epoch": e, "offset": 3})
    rec = w.collect(QUIET)
    K.announce(C, U.grace["token"], rm, "live")
    live = msgs(w.collect(QUIET * 2), g)
    K.chk(C, S, "after recovery, later messages follow live (offset 6)", "Either way, messages published after the "
          "group's position follow live", [x.get("offset") for x in msgs(rec, g)] == [4, 5] and
          [(x.get("offset"), x["data"]["text"]) for x in live] == [(6, "live")], (rec, live))
    w.shut()
    fresh = K.room("since-fresh")
    w = K.open_ws(C)
    f0 = K.sub(w, "a", "chat", {"room": fresh})
    w.shut()
    w = K.open_ws(C)
    f = K.sub(w, "r", "chat", {"room": fresh}, since={"epoch": f0.get("epoch") if isinstance(f0, dict) else "x",
                                                      "offset": 0})
    rest = w.collect(QUIET)
    w.shut()
    K.chk(C, S, "since {its epoch, 0} on a group still at 0 -> subscribed, nothing after", Q_SINCE,
          isinstance(f, dict) and f.get("type") == "subscribed" and f.get("offset") == 0 and not rest, (f0, f, rest))
    hist = K.room("since-100")
    hg = "room." + hist
    last = None
    for i in range(105):
        last = K.announce(C, U.grace["token"], hist, f"n{i + 1}")
    he = last[0]
    for since, want in ((5, list(range(6, 106))), (4, "gap"), (1, "gap")):
        w = K.open_ws(C)
        f = K.sub(w, "r", "chat", {"room": hist}, since={"epoch": he, "offset": since})
        rest = w.collect(QUIET * 2)
        w.shut()
        if want == "gap":
            ok = [x for x in rest if x.get("type") == "gap"] == [{"type": "gap", "id": "r", "epoch": he,
                                                                  "offset": 105}] and not msgs(rest, hg)
        else:
            ok = [x.get("offset") for x in msgs(rest, hg)] == want and not any(x.get("type") == "gap" for x in rest)
        K.chk(C, S, f"105 messages, since {since}: " + ("the history (100) holds 6..105: all 100 of them" if want !=
              "gap" else "offset %d is no longer held: gap at 105" % (since + 1)),
              "The server keeps, per group, the last messages published to it (the reference server: 100 messages, "
              "kept 300 seconds ...) " + Q_SINCE, last[1] == 105 and ok,
              (last, f, [f"{x.get('type')}{x.get('offset')}" for x in rest][:8], len(rest)))
