"""Channels checks, part 6: live invalidation over the channel socket (spec/PROTOCOL.md §2.16.5, with the tags of
§2.16.1). Written from the spec alone; run by channels_checks.run with K (helpers) and U.

`watch` frames are checked against any server with channels. The end-to-end check (a call's purge reaches the
sockets watching its tags, and only those) needs a cached context and a call that invalidates it: it runs when the
demo publishes the notes board (from the task that asked for it, not from the spec): the call `notes.add`
(`{board, text}`, board 1 to 40 characters of `a-z 0-9 -`, text 1 to 280 characters) with `invalidates` naming
`notes:{board}`. Without it the check is a note, not a failure.
"""
import json
import socket

from ws_client import Closed

Q_WATCH = ("`watch` | client → server | `tags`: an array of 0 to 1024 distinct tags (§2.16.1) | none, or `error`")
Q_BAD = ("A `watch` whose `tags` is not such an array is answered with `error` `bad_request`, `details.reason = "
         "\"malformed_frame\"`, and the watched set stays as it was.")
Q_TAG = "**Tags.** A tag is 1 to 128 bytes of `A-Z a-z 0-9 _ . : - %`."
Q_NOCRED = "Watching needs no credentials: a tag names data, and a client learns only that it changed, never its value."
Q_INV = ("`invalidated` | server → client | `tags`: the purged tags the socket watches, in the purge's order; `rev`: the "
         "rev issued (`0` when the store could not be reached)")
Q_ONCE = "Every purge, in any process sharing the store, reaches every socket watching one of its tags once."


def before_pong(ws, timeout=3.0):
    """Sends `ping` and returns the frames that came before its `pong` (None when no pong came: closed or silent).
    Frames are answered in order, so an accepted `watch` sent earlier is in place once the pong is back."""
    try:
        ws.json({"type": "ping"})
        f, skipped = ws.until(lambda f: f.get("type") == "pong", timeout)
    except (OSError, Closed):
        return None
    return skipped if f is not None else None


def frame_checks(C, K):
    S = "2.16.5"
    for label, text in (
            ("without tags", '{"type":"watch"}'),
            ("whose tags are a string", '{"type":"watch","tags":"posts"}'),
            ("whose tags are null", '{"type":"watch","tags":null}'),
            ("whose tags are an object", '{"type":"watch","tags":{"0":"posts"}}'),
            ("of 1025 tags", json.dumps({"type": "watch", "tags": [f"t{i}" for i in range(1025)]})),
            ("naming a tag twice", '{"type":"watch","tags":["posts","post:1","posts"]}'),
            ("naming a tag twice, once written with an escape", '{"type":"watch","tags":["a","\\u0061"]}'),
            ("of a tag with a space", '{"type":"watch","tags":["post 1"]}'),
            ("of a tag with a slash", '{"type":"watch","tags":["post/1"]}'),
            ("of a tag with a non-ASCII letter", '{"type":"watch","tags":["caf\u00e9"]}'),
            ("of an empty tag", '{"type":"watch","tags":[""]}'),
            ("of a 129-byte tag", json.dumps({"type": "watch", "tags": ["a" * 129]})),
            ("of a number", '{"type":"watch","tags":["posts",42]}'),
            ("of null", '{"type":"watch","tags":[null]}'),
            ("of a nested array", '{"type":"watch","tags":[["posts"]]}')):
        ws = K.open_ws(C)
        ws.text(text)
        try:
            f = ws.recv_json(3.0)
        except (socket.timeout, Closed) as e:
            f = f"no frame ({e!r})"
        ok = K.is_err(f, "bad_request", reason="malformed_frame", no_id=True)
        K.chk(C, S, f"a watch {label} -> error bad_request malformed_frame, and the socket serves on",
              Q_BAD + " " + Q_TAG, ok and K.still_open(ws), f)
        ws.shut()
    for label, tags in (
            ("of 1024 tags", [f"t{i}" for i in range(1024)]),
            ("of a 128-byte tag, the server's mizan: tags and a %-escaped one",
             ["a" * 128, "mizan:fn:greet", "mizan:p:00112233445566778899aabbccddeeff", "user:Ada%20L"]),
            ("of no tag (it clears the set)", [])):
        ws = K.open_ws(C)
        ws.json({"type": "watch", "tags": tags})
        got = before_pong(ws)
        K.chk(C, S, f"an anonymous watch {label} is accepted without an answer", Q_WATCH + " " + Q_NOCRED,
              got == [], got)
        ws.shut()
    ws = K.open_ws(C)
    ws.json({"type": "watch", "tags": ["a"], "id": "not an id", "ref": 7})
    got = before_pong(ws)
    K.chk(C, S, "a watch with members it does not define (an invalid id and ref) is accepted without an answer",
          "Members a frame does not define are ignored.", got == [], got)
    ws.shut()


def notes_add(C):
    """The manifest entry of `notes.add` when it invalidates `notes:{board}`, else None."""
    m = C.get(f"{C.BASE}/manifest").json
    fns = {f.get("name"): f for f in m.get("functions", [])} if isinstance(m, dict) else {}
    add = fns.get("notes.add")
    return add if isinstance(add, dict) and "notes:{board}" in (add.get("invalidates") or []) else None


def add_note(C, U, board, text):
    """Calls `notes.add` anonymously, or as ada when that needs a signed-in user."""
    body = json.dumps({"board": board, "text": text})
    r = C.call("notes.add", body)
    if r.status in (401, 403):
        r = C.call("notes.add", body, headers=[("Authorization", "Bearer " + U.ada["token"])])
    return r


def purge_checks(C, K, U):
    S = "2.16.5"
    if notes_add(C) is None:
        C.note(S, "the server publishes no call notes.add invalidating notes:{board}: the end-to-end check of "
                  "`invalidated` (a purge reaches the watching sockets) did not run")
        return
    board, other = K.room("watched"), K.room("unwatched")
    tag, other_tag = f"notes:{board}", f"notes:{other}"
    watcher, bystander = K.open_ws(C), K.open_ws(C)
    watcher.json({"type": "watch", "tags": ["unrelated", tag, other_tag]})
    bystander.json({"type": "watch", "tags": [other_tag]})
    ready = before_pong(watcher) == [] and before_pong(bystander) == []
    r = add_note(C, U, board, "watched")
    purged = [t.strip() for t in (r.h("x-mizan-invalidate") or "").split(",") if t.strip()]
    rev = r.h("x-mizan-rev")
    K.chk(C, "2.16.4", "notes.add answers 200 with X-Mizan-Invalidate naming notes:{board}",
          "Its answer then carries `X-Mizan-Invalidate` with the purged tags and `X-Mizan-Rev: R` (§2.10)",
          ready and r.status == 200 and tag in purged, (r.status, purged, rev))
    f, skipped = watcher.until(lambda f: f.get("type") == "invalidated", 3.0)
    want_rev = int(rev) if rev and rev.isdigit() else None
    K.chk(C, S, "the socket watching notes:{board} gets one invalidated frame with that tag and the call's rev",
          Q_INV + " " + Q_ONCE, isinstance(f, dict) and f.get("tags") == [tag] and
          isinstance(f.get("rev"), int) and (want_rev is None or f.get("rev") == want_rev), (f, skipped, rev))
    again = before_pong(watcher)
    K.chk(C, S, "nothing more reaches the watching socket for that purge", Q_ONCE,
          again is not None and not [x for x in again if x.get("type") == "invalidated"], again)
    quiet = before_pong(bystander)
    K.chk(C, S, "a socket watching other tags hears nothing of the purge", Q_INV,
          quiet is not None and not [x for x in quiet if x.get("type") == "invalidated"], quiet)
    # Watching again replaces the set: the old tag is no longer heard of.
    watcher.json({"type": "watch", "tags": [other_tag]})
    before_pong(watcher)
    add_note(C, U, board, "after the set changed")
    after = before_pong(watcher)
    K.chk(C, S, "after a watch that replaces the set, a purge of a tag no longer watched is not sent",
          "`watch` replaces the socket's watched set (an empty array clears it).",
          after is not None and not [x for x in after if x.get("type") == "invalidated"], after)
    # A malformed watch leaves the set as it was.
    bystander.json({"type": "watch", "tags": "not an array"})
    err = before_pong(bystander)
    add_note(C, U, other, "still watched")
    f, skipped = bystander.until(lambda f: f.get("type") == "invalidated", 3.0)
    K.chk(C, S, "a malformed watch is answered malformed_frame and the watched set stays as it was", Q_BAD,
          err is not None and len(err) == 1 and K.is_err(err[0], "bad_request", reason="malformed_frame") and
          isinstance(f, dict) and f.get("tags") == [other_tag], (err, f, skipped))
    watcher.shut()
    bystander.shut()


def run(C, K, U):
    frame_checks(C, K)
    purge_checks(C, K, U)
