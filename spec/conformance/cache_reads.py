"""Context cache checks, part 1: reading through the cache (spec/PROTOCOL.md §2.16.3), the headers for HTTP caches
and CDNs (§2.16.7) and `X-Mizan-Pk` (§2.16.8). Run by cache_checks.run with K (cache_checks)."""
import hashlib
import threading

Q_STATUS = ("Every context answer with a policy (`200` and `304`) carries `X-Mizan-Cache-Status`: `hit` (the stored "
            "answer, or the answer of a concurrent run that was stored), `miss` (run and stored), or `bypass`")
Q_HIT = "A **hit** answers with the stored body and its ETag (`304` when `If-None-Match` matches)."
Q_SHARE = ("A shareable answer has, in place of §2.3's `Cache-Control`: `Cache-Control` `public, max-age=0, "
           "stale-while-revalidate=300`; `CDN-Cache-Control` `public, max-age=<max_age>, stale-while-revalidate=<swr>`;"
           " `Surrogate-Control` `max-age=<max_age>, stale-while-revalidate=<swr>`")
Q_PRIVATE = ("An answer is **shareable** when ... the request carried no valid token ... Any other answer with a "
             "policy is `Cache-Control: private, no-cache` and has neither `CDN-Cache-Control` nor `Surrogate-Control`")
Q_TAGS = ("Every answer with a policy and scope `public` or `permission` carries its tags (§2.16.2) as `Cache-Tag: "
          "t1,t2,…` (comma-separated) and `Surrogate-Key: t1 t2 …` (space-separated)")
Q_PK = ("an answer with a policy that the server answered from or put in its cache (`X-Mizan-Cache-Status` `hit` or "
        "`miss`) and whose scope is `public` or `permission` carries `X-Mizan-Pk: <pk>`, the permission key it was "
        "computed under ... `public`: the anonymous permission key `[\"mizan.pk.v1\",\"anonymous\"]` for every caller")
CDN_HEADERS = ("cdn-cache-control", "surrogate-control")


def shareable(pol):
    ma, swr = pol["max_age"], pol.get("swr", 300)
    return {"cache-control": "public, max-age=0, stale-while-revalidate=300",
            "cdn-cache-control": f"public, max-age={ma}, stale-while-revalidate={swr}",
            "surrogate-control": f"max-age={ma}, stale-while-revalidate={swr}"}


def etag_of(C, body):
    return '"' + C.b64u(hashlib.sha256(body).digest()) + '"'


def tag_headers(C, K, fn, params, pol):
    tags = K.T.answer_tags(C.canonical, fn, params, pol["tags"])
    return {"cache-tag": ",".join(tags), "surrogate-key": " ".join(tags)}


def headers_of(r, names):
    return {n: r.h(n) for n in names}


def anonymous_pk(C, K):
    if not C.SECRET_HEX:
        C.note("2.16.8", "the server's root secret is unknown (run with --spawn, or set MIZAN_SECRET to the "
                         "server's): X-Mizan-Pk was checked for presence only")
        return None
    return K.permission_key(C, bytes.fromhex(C.SECRET_HEX), ["mizan.pk.v1", "anonymous"])


def pk_ok(r, anon):
    return r.h("x-mizan-pk") is not None and (anon is None or r.h("x-mizan-pk") == anon)


def sign_in(C):
    """ada's token and session cookie (§2.14.4 demo.sign_in)."""
    r = C.call("demo.sign_in", '{"user":"ada"}')
    return C.token_of(r), C.session_of(r)


def hit_miss_checks(C, K, M, anon):
    S = "2.16.3"
    pol = M["greet"]["cache"]
    params = {"name": f"Cache {K.TAG}: é%"}
    url = C.ctx_url("greet", params)
    r1, r2 = C.get(url), C.get(url)
    K.chk(C, S, "a first read of greet is a miss, the second a hit", Q_STATUS,
          r1.status == 200 and r2.status == 200 and r1.h("x-mizan-cache-status") == "miss" and
          r2.h("x-mizan-cache-status") == "hit", (r1.short(), r2.short()))
    K.chk(C, S, "the hit has the miss's body and ETag, and the ETag is §2.3's of that body", Q_HIT + " Nothing in this "
          "section changes a context's body or ETag", r2.body == r1.body and r2.h("etag") == r1.h("etag") ==
          etag_of(C, r1.body), (r1.h("etag"), r2.h("etag"), r1.body[:80], r2.body[:80]))
    want = dict(shareable(pol), **tag_headers(C, K, "greet", params, pol))
    for label, r in (("miss", r1), ("hit", r2)):
        got = headers_of(r, want)
        K.chk(C, "2.16.7", f"an anonymous greet {label}: shareable CDN headers from the manifest's policy, and its "
              "predicted Cache-Tag and Surrogate-Key", Q_SHARE + " " + Q_TAGS, got == want, {"got": got, "want": want})
        K.chk(C, "2.16.8", f"an anonymous greet {label} carries X-Mizan-Pk, the anonymous permission key", Q_PK,
              pk_ok(r, anon), (r.h("x-mizan-pk"), anon))
    r3 = C.get(url, [("If-None-Match", r1.h("etag") or '"x"')])
    K.chk(C, S, "a hit whose If-None-Match matches is 304 with the ETag, no body, X-Mizan-Cache-Status hit",
          Q_HIT + " " + Q_STATUS, r3.status == 304 and r3.body == b"" and r3.h("etag") == r1.h("etag") and
          r3.h("x-mizan-cache-status") == "hit", r3.short())
    got = headers_of(r3, want)
    K.chk(C, "2.16.7", "the 304 of a shareable hit has the 200's Cache-Control, CDN headers and tags",
          "A `304` ... with `ETag`, `Cache-Control` and `Vary` (§2.3); " + Q_SHARE, got == want,
          {"got": got, "want": want})
    rh = C.get(url, method="HEAD")
    same = {k: v for k, v in rh.headers if k != "date"} == {k: v for k, v in r2.headers if k != "date"}
    K.chk(C, "2.1", "HEAD of a hit: the GET hit's status and headers, no body",
          "A `HEAD` answer has the status and headers of the `GET` answer and no body",
          rh.status == 200 and same and rh.raw_after == b"", (rh.short(), r2.short()))
    return url, params, r1


def concurrent_checks(C, K):
    S = "2.16.3"
    url = C.ctx_url("greet", {"name": f"together {K.TAG}"})
    out = [None] * 6

    def one(i):
        try:
            out[i] = C.request("GET", url)
        except OSError as e:
            out[i] = e
    ts = [threading.Thread(target=one, args=(i,)) for i in range(len(out))]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    st = [r.h("x-mizan-cache-status") if isinstance(r, C.Resp) else repr(r) for r in out]
    bodies = {r.body if isinstance(r, C.Resp) else None for r in out}
    K.chk(C, S, "six concurrent first reads of one key: one miss, five hits, one body",
          "concurrent misses for one key run it once ... and the others answer with its result when it was stored; "
          + Q_STATUS, sorted(st) == ["hit"] * 5 + ["miss"] and len(bodies) == 1, st)


def credential_checks(C, K, M, url, params, r1, anon):
    pol = M["greet"]["cache"]
    tok, sess = sign_in(C)
    tags = tag_headers(C, K, "greet", params, pol)
    for label, hs in (("a bearer token", [("Authorization", "Bearer " + tok)]),
                      ("a session cookie", [("Cookie", "mizan_session=" + sess)])):
        r = C.get(url, hs)
        got = headers_of(r, ("cache-control",) + CDN_HEADERS)
        K.chk(C, "2.16.7", f"greet read with {label}: private, no-cache and no CDN header",
              Q_PRIVATE + " (§2.3: a signed-in caller's data never goes into a shared cache)",
              r.status == 200 and got == {"cache-control": "private, no-cache", "cdn-cache-control": None,
                                          "surrogate-control": None}, r.short())
        K.chk(C, "2.16.3", f"greet (public) read with {label}: the stored answer, its tags and the anonymous pk",
              "| `public` | the anonymous permission key ... for every caller | " + Q_TAGS + " " + Q_PK,
              r.h("x-mizan-cache-status") == "hit" and r.body == r1.body and headers_of(r, tags) == tags and
              pk_ok(r, anon), (r.short(), anon))
    if not tok:
        C.note("2.16.7", "demo.sign_in gave no token: the bearer check above could not be meaningful")


def no_policy_checks(C, K, M):
    S = "2.16"
    if "current_user" not in M:
        return
    r = C.get(C.ctx_url("current_user"))
    got = headers_of(r, ("x-mizan-cache-status", "x-mizan-pk", "cache-tag", "surrogate-key") + CDN_HEADERS)
    K.chk(C, S, "a context without a policy (current_user) has no cache header of §2.16",
          "A context without a policy is answered as §2.3 says and is never stored.",
          r.status == 200 and set(got.values()) == {None}, got)
    r = C.get(C.ctx_url("greet", {}))
    K.chk(C, "2.16.8", "a greet read refused 422 (params that do not expand) has no X-Mizan-Pk",
          "A `bypass` answer never has it ... (hit or miss) carries `X-Mizan-Pk`",
          r.status == 422 and r.h("x-mizan-pk") is None, r.short())


def notes_read_checks(C, K, M, anon):
    pol = M["notes"]["cache"]
    params = {"board": f"read-{K.TAG}"}
    r = C.get(C.ctx_url("notes", params))
    want = dict(shareable(pol), **tag_headers(C, K, "notes", params, pol))
    got = headers_of(r, want)
    K.chk(C, "2.16.7", "a notes read: CDN headers with the notes policy's max_age, tags with notes:{board} expanded",
          Q_SHARE + " " + Q_TAGS, r.status == 200 and got == want, {"got": got, "want": want})
    K.chk(C, "2.16.8", "a notes read (miss) carries the anonymous X-Mizan-Pk", Q_PK,
          r.h("x-mizan-cache-status") == "miss" and pk_ok(r, anon), (r.short(), anon))


def run(C, K, M):
    anon = anonymous_pk(C, K)
    url, params, r1 = hit_miss_checks(C, K, M, anon)
    concurrent_checks(C, K)
    credential_checks(C, K, M, url, params, r1, anon)
    no_policy_checks(C, K, M)
    notes_read_checks(C, K, M, anon)
    C.note("2.16.8", "no demo context with a policy reads headers or cookies or records an effect, and its store "
                     "cannot be made to fail from here: a `bypass` answer (without X-Mizan-Pk) was not produced; the "
                     "absence of X-Mizan-Pk was checked on errors and on a context without a policy")
