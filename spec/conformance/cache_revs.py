"""Context cache checks, part 2: purges and revs (spec/PROTOCOL.md §2.16.3 the rev check, §2.16.4, §2.10 cache hints
and batches), on the demo's notes board. Run by cache_checks.run with K (cache_checks)."""
import json
import re
import time

MAX_REV = 2 ** 53 - 1
INVALIDATE_RE = re.compile(r"[A-Za-z0-9_.:%-]{1,128}(, [A-Za-z0-9_.:%-]{1,128})*")
Q_UNISSUED = ("A `rev` above `0` is accepted when it is not greater than the answer's **current rev** ...; otherwise "
              "the answer is `400 bad_request` with `details.reason = \"unissued_rev\"` and `details.rev`, the current "
              "rev (`0` when none)")
Q_PURGE = ("A call purges, when it returns successfully, its `invalidates` templates expanded with its params ... Its "
           "answer then carries `X-Mizan-Invalidate` with the purged tags and `X-Mizan-Rev: R` (§2.10)")
Q_HINTS = ("`X-Mizan-Invalidate: <tag>, <tag>, …` lists the cache tags the call made stale (each 1..=128 bytes of "
           "`[A-Za-z0-9_.:%-]`, each once, in the order first named, separated by comma and one space), and "
           "`X-Mizan-Rev: <n>` a rev (§1.3.1, a decimal integer in 1..=2^53−1)")
Q_BATCH = ("The calls of a batch (§2.4) purge together, once, after its last call: one purge of the union of their "
           "tags, in call order, issuing one rev `R` that is the current rev of every one of those tags")


def details_rev(r):
    d = r.json.get("details") if isinstance(r.json, dict) else None
    return d.get("rev") if isinstance(d, dict) else None


def invalidated(r):
    v = r.h("x-mizan-invalidate")
    return v.split(", ") if v is not None and INVALIDATE_RE.fullmatch(v) else v


def rev_of(r):
    v = r.h("x-mizan-rev")
    return int(v) if v is not None and re.fullmatch(r"[1-9][0-9]{0,15}", v) and int(v) <= MAX_REV else None


class Writer:
    """Calls `notes.add` anonymously, or with ada's token when the demo wants a signed-in caller."""

    def __init__(self, C):
        self.C = C
        r = C.call("demo.sign_in", '{"user":"ada"}')
        self.hs = [("Authorization", "Bearer " + C.token_of(r))]

    def add(self, board, text):
        body = json.dumps({"board": board, "text": text})
        r = self.C.call("notes.add", body)
        return r if r.status not in (401, 403) else self.C.call("notes.add", body, headers=self.hs)

    def batch(self, items):
        calls = {"calls": [{"fn": "notes.add", "params": {"board": b, "text": t}} for b, t in items]}
        r = self.C.batch(calls)
        res = r.json.get("results") if isinstance(r.json, dict) else None
        if isinstance(res, list) and any(x.get("error", {}).get("status") in (401, 403) for x in res):
            r = self.C.batch(calls, headers=self.hs)
        return r


def read(C, board, rev=0, hs=()):
    return C.get(C.ctx_url("notes", {"board": board}, rev), hs)


def shows(r, text):
    return r.status == 200 and text.encode() in r.body


def order_checks(C, K, M, board):
    S = "2.16.3"
    fresh = not any("mizan:fn:notes" in (f.get("invalidates") or []) for f in M.values())
    r = read(C, board, MAX_REV)
    K.chk(C, S, "a read of a board nothing purged, at an unissued rev -> 400 unissued_rev, details.rev 0",
          Q_UNISSUED, C.unissued_rev(r) and (details_rev(r) == 0 or not fresh), r.short())
    r = read(C, board, MAX_REV, [("Authorization", "Bearer not-a-token")])
    K.chk(C, S, "the rev check comes before authentication: a bad token with an unissued rev -> unissued_rev",
          "with one more after the canonical query (before authentication): **the rev**", C.unissued_rev(r), r.short())
    r = read(C, "Not A Board", MAX_REV)
    K.chk(C, S, "the rev check comes before the parameter checks: a board the schema refuses -> unissued_rev",
          "Order of checks (§2.3): ... canonical query (400/422), [the rev,] authentication (401), auth requirement "
          "(401/403), parameters (422)", C.unissued_rev(r), r.short())
    r = C.get(C.ctx_url("notes", {"board": 5}, MAX_REV))
    K.chk(C, S, "a number as board expands (the schema's type plays no part): the rev check answers unissued_rev",
          "each slot becomes its parameter's value written as text (an integer in decimal ...); " + Q_UNISSUED,
          C.unissued_rev(r), r.short())
    for label, p in (("null as board", {"board": None}), ("an array as board", {"board": ["a"]}), ("no board", {})):
        r = C.get(C.ctx_url("notes", p, MAX_REV))
        K.chk(C, S, f"params that cannot expand notes:{{board}} ({label}) skip the rev check -> 422",
              "Params whose values cannot expand the tag templates ... have no tags: the read skips the rev check and "
              "the cache, and the parameter checks refuse it (422).", r.status == 422 and
              r.json.get("code") == "validation_failed" and r.h("x-mizan-cache-status") is None, r.short())


def write_checks(C, K, W, board):
    S = "2.16.4"
    text = f"first note {K.TAG}"
    r0, r0b = read(C, board), read(C, board)
    warm = r0b.h("x-mizan-cache-status") == "hit"
    t_ms = int(time.time() * 1000)
    a = W.add(board, text)
    tag = K.T.expand("notes:{board}", {"board": board, "text": text})
    R = rev_of(a)
    K.chk(C, S, "notes.add answers 200, X-Mizan-Invalidate listing exactly notes:{board} expanded, and X-Mizan-Rev",
          Q_PURGE + " " + Q_HINTS, a.status == 200 and invalidated(a) == [tag] and R is not None,
          (a.short(), tag))
    if R is None:
        return None
    K.chk(C, S, "the rev issued is at least the Unix time in milliseconds of the call (the reference server)",
          "the reference server issues `max(last issued + 1, Unix time in milliseconds)`", R >= t_ms, (R, t_ms))
    r = read(C, board, R)
    K.chk(C, S, "a read with the call's rev is accepted and shows the new note (read-your-write), a miss",
          "so that its next read has a new URL and no cache on the way ... can answer it with an answer from before "
          "the write", shows(r, text) and r.h("x-mizan-cache-status") == "miss", r.short())
    r = read(C, board)
    K.chk(C, S, "the read at rev 0, stored before the write, was purged: a miss that shows the note",
          "A **purge** of a set of tags: removes every stored answer that has one of the tags", warm and shows(r, text)
          and r.h("x-mizan-cache-status") == "miss", (r0.h("x-mizan-cache-status"), warm, r.short()))
    r = read(C, board, R + 1)
    K.chk(C, "2.16.3", "rev + 1 is refused: unissued_rev with details.rev the call's rev", Q_UNISSUED,
          C.unissued_rev(r) and details_rev(r) == R, (r.short(), R))
    r = read(C, board, R - 1)
    K.chk(C, "2.16.3", "a rev below the current one is accepted", "A `rev` above `0` is accepted when it is not "
          "greater than the answer's **current rev**", shows(r, text), r.short())
    # A call that fails purges nothing: no hint, the stored answer stays, no rev is issued.
    read(C, board)
    for label, b, t in (("an empty text", board, ""), ("a board outside a-z 0-9 -", "Not A Board", "x")):
        f = W.add(b, t)
        K.chk(C, S, f"a notes.add refused 422 ({label}) carries neither X-Mizan-Invalidate nor X-Mizan-Rev",
              "A call purges, when it returns successfully, its `invalidates` templates", f.status == 422 and
              f.h("x-mizan-invalidate") is None and f.h("x-mizan-rev") is None, f.short())
    r, rr = read(C, board), read(C, board, R + 1)
    K.chk(C, S, "after the refused calls the stored answer is still served (hit) and the current rev is unchanged",
          "A call purges, when it returns successfully, its `invalidates` templates", r.h("x-mizan-cache-status") ==
          "hit" and shows(r, text) and C.unissued_rev(rr) and details_rev(rr) == R, (r.short(), rr.short(), R))
    return R


def batch_checks(C, K, W, before):
    S = "2.10"
    b1, b2, b3 = f"batch-a-{K.TAG}", f"batch-b-{K.TAG}", f"batch-c-{K.TAG}"
    r = W.batch([(b1, "one"), (b2, "two")])
    res = r.json.get("results") if isinstance(r.json, dict) else None
    R = rev_of(r)
    want = ["notes:" + b1, "notes:" + b2]
    K.chk(C, S, "a batch of two notes.add: X-Mizan-Invalidate is the union in call order, and X-Mizan-Rev",
          Q_BATCH + "; " + Q_HINTS, r.status == 200 and isinstance(res, list) and [x.get("ok") for x in res] ==
          [True, True] and invalidated(r) == want and R is not None, r.short())
    if R is None:
        return
    if before is not None:
        K.chk(C, "2.16.4", "the batch's rev is above the rev of the earlier notes.add", "Revs are issued in increasing "
              "order", R > before, (before, R))
    first, above = read(C, b1, R), read(C, b1, R + 1)
    K.chk(C, S, "the batch's one rev is the current rev of the first call's board too: R accepted, R + 1 refused "
          "with details.rev R", Q_BATCH + "; " + Q_UNISSUED, shows(first, "one") and C.unissued_rev(above) and
          details_rev(above) == R, (first.short(), above.short()))
    r = read(C, b2, R)
    K.chk(C, S, "the second board read at the batch's rev shows its note", Q_BATCH, shows(r, "two"), r.short())
    r = W.batch([(b3, "x"), (b3, "y")])
    K.chk(C, S, "two notes.add on one board in a batch: the tag is listed once", Q_HINTS,
          r.status == 200 and invalidated(r) == ["notes:" + b3] and rev_of(r) is not None, r.short())
    r = W.batch([(b3, ""), (b1, "three")])
    K.chk(C, S, "a batch with a refused notes.add: only the successful call's tag is listed",
          "A call purges, when it returns successfully, its `invalidates` templates; " + Q_BATCH,
          r.status == 200 and invalidated(r) == ["notes:" + b1] and rev_of(r) is not None, r.short())


def run(C, K, M):
    W = Writer(C)
    board = f"conf-{K.TAG}"
    order_checks(C, K, M, board)
    batch_checks(C, K, W, write_checks(C, K, W, board))
