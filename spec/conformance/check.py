#!/usr/bin/env python3
"""Independent checker of the Mizan wire protocol (spec/PROTOCOL.md, Layer 2) against a running server.

Written from spec/PROTOCOL.md and spec/vectors/ alone, by someone who did not read the server's or
the clients' source: every check quotes the sentence it tests, so a failure is either a server bug
or a sentence that reads two ways. Standard library only.

    python3 spec/conformance/check.py [--spawn] [--quiet] [host] [port]

--spawn starts the demo binary ($MIZAN_DEMO_BIN, default target/debug/mizan-demo under
$CARGO_TARGET_DIR or target) on host:port (default 127.0.0.1 and a free port), on a new SQLite
database in a temporary folder, and stops it at the end; --quiet prints only failures and the
summary. Exits 1 when any check fails.

The demo authenticates with the accounts module (§2.14): its `demo.sign_in` (with --dev) starts a
session of a fixture user (`ada`, or `grace` who is staff) and answers as `auth.login` does, with a
token (§2.14.5) in its body; the session cookie serves the cookie checks, the token the bearer ones.

Accounts (§2.14) live beside this file too: accounts_checks.py and accounts_limits.py (throttles,
password reset through the mail the demo writes to its standard error, a database that stops
answering with --pg); with --spawn they start demos of their own on fresh databases.

Forms (§2.13) live beside this file: forms_model.py (a §2.13.2 checker, pinned by vectors/forms.json),
forms_checks.py (the manifest's `forms`, contact.validate against that checker on a few hundred
generated inputs), forms_wire.py (JSON and multipart submits), forms_nojs.py (posts without
JavaScript). A check the demo fails for a reason reported as a demo bug is an XFAIL: listed in the
summary, not counted, and noted as XPASS once fixed.

Channels (§2.15) live beside this file: channels_checks.py (helpers, the manifest's `channels`, the
runner), channels_connect.py (the upgrade), channels_subscribe.py (unreadable frames, `subscribe`),
channels_flow.py (unsubscribe, send, auth, delivery, recovery) and channels_close.py (close codes,
flood, idle and credentials over a minute, in background threads), on ws_client.py, a small RFC 6455
client that can also send what a browser never would.

The context cache (§2.16) lives beside this file: cache_tags.py (a §2.16.2 model, pinned by vectors/cache_tags.json),
cache_checks.py (the manifest's `cache` and `invalidates`, the runner), cache_reads.py (hit and miss, CDN headers,
`X-Mizan-Pk`) and cache_revs.py (purges, revs, batches). With --spawn the demo runs on a root secret of this file's
(SECRET_HEX), so that permission keys can be computed; against a running server, set MIZAN_SECRET to its secret.
"""
import base64
import hashlib
import hmac
import json
import os
import re
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import forms_checks  # noqa: E402  (§2.13 forms: forms_checks.py, forms_wire.py, forms_nojs.py, forms_model.py)
import accounts_checks  # noqa: E402  (§2.14 accounts: accounts_checks.py, accounts_limits.py)
import channels_checks  # noqa: E402  (§2.15 channels: channels_*.py on ws_client.py)
import cache_checks  # noqa: E402  (§2.16 context cache: cache_*.py)

SPAWN = "--spawn" in sys.argv  # start the demo binary ourselves and stop it at the end
QUIET = "--quiet" in sys.argv
_args = [a for a in sys.argv[1:] if not a.startswith("--")]
_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


HOST = _args[0] if len(_args) > 0 else "127.0.0.1"
PORT = int(_args[1]) if len(_args) > 1 else (_free_port() if SPAWN else 8765)
DEMO = os.environ.get("MIZAN_DEMO_BIN", os.path.join(_ROOT, os.environ.get("CARGO_TARGET_DIR", "target"), "debug",
                                                     "mizan-demo"))
BASE = "/api/mizan"
# `current_user` for an anonymous request (§2.14.4 CurrentUser)
ANONYMOUS = {"authenticated": False, "id": None, "email": None, "username": None, "staff": False, "superuser": False}
VEC = os.path.join(_ROOT, "spec", "vectors")
# The root secret (§1.2, hex) of the demo --spawn starts; without --spawn, the server's when $MIZAN_SECRET gives it.
SECRET_HEX = "6d697a616e2d636f6e666f726d616e63652d636865636b2d726f6f742d736563" if SPAWN else \
    os.environ.get("MIZAN_SECRET")
TIMEOUT = 5.0

RESULTS = []  # (ok, section, name, quote, detail)
SEEN_ERRORS = []  # every error response seen: (label, Resp)
NOTES = []  # things the spec leaves open or the demo cannot exercise (not counted)


def note(section, text):
    NOTES.append((section, text))
    if not QUIET:
        print(f"NOTE [{section}] {text}")


# ---------------------------------------------------------------- raw HTTP client

class Resp:
    def __init__(self, status, reason, headers, body, raw_after_headers):
        self.status = status
        self.reason = reason
        self.headers = headers  # list of (lower name, value) in order
        self.body = body
        self.raw_after = raw_after_headers
        self._json = None

    def h(self, name):
        name = name.lower()
        for k, v in self.headers:
            if k == name:
                return v
        return None

    def hall(self, name):
        name = name.lower()
        return [v for k, v in self.headers if k == name]

    @property
    def json(self):
        if self._json is None:
            try:
                self._json = json.loads(self.body.decode("utf-8"))
            except Exception:
                self._json = "<<not json>>"
        return self._json

    def short(self):
        b = self.body[:300].decode("utf-8", "replace")
        hs = "; ".join(f"{k}: {v}" for k, v in self.headers if k not in ("date",))
        return f"{self.status} [{hs}] {b}"


def _read_until_close(s, deadline):
    buf = b""
    while time.time() < deadline:
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            break
        if not chunk:
            break
        buf += chunk
    return buf


def request(method, target, headers=(), body=None, chunked=False, chunks=None,
            content_length=None, send_body=True, head_wait=0.6):
    """Send one request on a fresh connection (Connection: close). target may be str or bytes."""
    if isinstance(target, str):
        target = target.encode("latin-1")
    lines = [method.encode() + b" " + target + b" HTTP/1.1",
             f"Host: {HOST}:{PORT}".encode(), b"Connection: close"]
    hdrs = list(headers)
    names = {k.lower() for k, _ in hdrs}
    if isinstance(body, str):
        body = body.encode("utf-8")
    if chunked:
        lines.append(b"Transfer-Encoding: chunked")
    elif content_length is not None:
        lines.append(f"Content-Length: {content_length}".encode())
    elif body is not None and "content-length" not in names:
        lines.append(f"Content-Length: {len(body)}".encode())
    for k, v in hdrs:
        if isinstance(v, str):
            v = v.encode("latin-1")
        lines.append(k.encode() + b": " + v)
    data = b"\r\n".join(lines) + b"\r\n\r\n"
    s = socket.create_connection((HOST, PORT), timeout=TIMEOUT)
    deadline = time.time() + TIMEOUT
    try:
        s.sendall(data)
        if send_body:
            try:
                if chunked:
                    for c in (chunks if chunks is not None else ([body] if body else [])):
                        if c:
                            s.sendall(b"%x\r\n" % len(c) + c + b"\r\n")
                    s.sendall(b"0\r\n\r\n")
                elif body:
                    s.sendall(body)
            except (BrokenPipeError, ConnectionResetError):
                pass
        buf = b""
        while b"\r\n\r\n" not in buf and time.time() < deadline:
            try:
                c = s.recv(65536)
            except socket.timeout:
                break
            except ConnectionResetError:
                break
            if not c:
                break
            buf += c
        if b"\r\n\r\n" not in buf:
            raise IOError(f"no response head (got {buf[:200]!r})")
        head, rest = buf.split(b"\r\n\r\n", 1)
        hl = head.decode("latin-1").split("\r\n")
        parts = hl[0].split(" ", 2)
        status = int(parts[1])
        reason = parts[2] if len(parts) > 2 else ""
        hs = []
        for line in hl[1:]:
            k, _, v = line.partition(":")
            hs.append((k.strip().lower(), v.strip()))
        hd = dict(hs)
        if method == "HEAD" or status in (204, 304):
            s.settimeout(head_wait)
            try:
                rest += _read_until_close(s, time.time() + head_wait)
            except Exception:
                pass
            return Resp(status, reason, hs, b"", rest)
        if "content-length" in hd:
            n = int(hd["content-length"])
            while len(rest) < n and time.time() < deadline:
                try:
                    c = s.recv(65536)
                except (socket.timeout, ConnectionResetError):
                    break
                if not c:
                    break
                rest += c
            return Resp(status, reason, hs, rest[:n], rest)
        if hd.get("transfer-encoding", "").lower() == "chunked":
            while not rest.endswith(b"0\r\n\r\n") and time.time() < deadline:
                try:
                    c = s.recv(65536)
                except (socket.timeout, ConnectionResetError):
                    break
                if not c:
                    break
                rest += c
            out, r = b"", rest
            while r:
                ln, _, r = r.partition(b"\r\n")
                n = int(ln.split(b";")[0], 16)
                if n == 0:
                    break
                out += r[:n]
                r = r[n + 2:]
            return Resp(status, reason, hs, out, rest)
        rest += _read_until_close(s, deadline)
        return Resp(status, reason, hs, rest, rest)
    finally:
        s.close()


# ---------------------------------------------------------------- Layer 1 helpers

SAFE = 9007199254740991


def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def b64u_dec(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def canon_str(s):
    out = ['"']
    for ch in s:
        o = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif o == 8:
            out.append("\\b")
        elif o == 9:
            out.append("\\t")
        elif o == 10:
            out.append("\\n")
        elif o == 12:
            out.append("\\f")
        elif o == 13:
            out.append("\\r")
        elif o < 0x20:
            out.append("\\u00%02x" % o)
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def es_number(x):
    """ECMAScript Number.prototype.toString for a double (for jcs)."""
    if x == 0:
        return "0"
    if x != x or x in (float("inf"), float("-inf")):
        raise ValueError("non-finite")
    r = repr(float(x))
    neg = r.startswith("-")
    if neg:
        r = r[1:]
    m, _, e = r.partition("e")
    e = int(e) if e else 0
    if "." in m:
        ip, fp = m.split(".")
    else:
        ip, fp = m, ""
    digits = (ip + fp).lstrip("0")
    lead_zeros = len(ip + fp) - len((ip + fp).lstrip("0"))
    n = len(ip) + e - lead_zeros  # decimal point position relative to digits
    digits = digits.rstrip("0") or "0"
    k = len(digits)
    if k <= n <= 21:
        s = digits + "0" * (n - k)
    elif 0 < n <= 21:
        s = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        s = "0." + "0" * (-n) + digits
    else:
        ee = n - 1
        sign = "+" if ee >= 0 else "-"
        s = digits[0] + ("." + digits[1:] if k > 1 else "") + "e" + sign + str(abs(ee))
    return ("-" if neg else "") + s


def jcs(v, canonical_only=False):
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int):
        if -SAFE <= v <= SAFE:
            return str(v)
        if canonical_only:
            raise ValueError("integer_out_of_range")
        return es_number(float(v))
    if isinstance(v, float):
        if canonical_only:
            raise ValueError("float_not_allowed")
        return es_number(v)
    if isinstance(v, str):
        return canon_str(v)
    if isinstance(v, list):
        return "[" + ",".join(jcs(x, canonical_only) for x in v) + "]"
    if isinstance(v, dict):
        ks = sorted(v.keys(), key=lambda k: k.encode("utf-16-be"))
        return "{" + ",".join(canon_str(k) + ":" + jcs(v[k], canonical_only) for k in ks) + "}"
    raise ValueError("unsupported_value")


def canonical(v):
    return jcs(v, canonical_only=True).encode("utf-8")


UNRESERVED = set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def percent(bs):
    return "".join(chr(c) if c in UNRESERVED else "%%%02X" % c for c in bs)


def ctx_query(params, rev=0):
    parts = []
    if params:
        parts.append("p=" + percent(canonical(params)))
    if rev > 0:
        parts.append("rev=%d" % rev)
    return "&".join(parts)


def ctx_url(name, params=None, rev=0):
    q = ctx_query(params or {}, rev)
    return f"{BASE}/context/{name}" + ("?" + q if q else "")


ANNOT = {"title", "description", "examples", "default", "deprecated", "readOnly", "writeOnly", "$comment"}
ONE = {"items", "additionalItems", "additionalProperties", "unevaluatedItems", "unevaluatedProperties",
       "not", "if", "then", "else", "contains", "propertyNames"}
LIST = {"prefixItems", "allOf", "anyOf", "oneOf"}
MAP = {"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"}


def strip(s):
    # written from spec §2.7 "Without annotations"
    if not isinstance(s, dict):
        return s
    out = {}
    for k, v in s.items():
        if k in ANNOT:
            continue
        if k in ONE:
            v = strip(v)
        elif k in LIST and isinstance(v, list):
            v = [strip(x) for x in v]
        elif k in MAP and isinstance(v, dict):
            v = {n: strip(x) for n, x in v.items()}
        out[k] = v
    return out


def schema_hash(fn):
    fn = dict(fn, input=strip(fn["input"]), output=strip(fn["output"]))
    j = jcs({"input": fn["input"], "output": fn["output"]}).encode("utf-8")
    return b64u(hashlib.sha256(j).digest()[:16])


def hkdf(ikm, salt, info, n=32):
    prk = hmac.new(salt, ikm, hashlib.sha256).digest()
    out, t, i = b"", b"", 1
    while len(out) < n:
        t = hmac.new(prk, t + info + bytes([i]), hashlib.sha256).digest()
        out += t
        i += 1
    return out[:n]


# ---------------------------------------------------------------- check recording

def check(section, name, quote, ok, detail=""):
    RESULTS.append((bool(ok), section, name, quote, detail))
    tag = "PASS" if ok else "FAIL"
    if QUIET and ok:
        return
    print(f"{tag} [{section}] {name}\n      spec: {quote}")
    if not ok:
        print(f"      got:  {detail}")


def err_shape(r, code, status=None, label=""):
    """True if r is the §2.6 error `code` with its status."""
    j = r.json
    status = status if status is not None else r.status
    return (r.status == status and isinstance(j, dict) and j.get("code") == code
            and j.get("status") == status and isinstance(j.get("message"), str))


def rec(label, r):
    if r.status >= 400:
        SEEN_ERRORS.append((label, r))
    return r


def call(name, body=None, headers=(), ct="application/json", **kw):
    hs = list(headers)
    if ct is not None and body is not None:
        hs.append(("Content-Type", ct))
    r = request("POST", f"{BASE}/call/{name}", hs, body=body, **kw)
    return rec(f"POST /call/{name} {body!r:.80}", r)


def unissued_rev(r):
    """A read of a context with a cache policy refused for a rev the server never issued (§2.16.3):
    the decoding was accepted, and the rev check, which comes after it, answered."""
    j = r.json if isinstance(r.json, dict) else {}
    d = j.get("details") if isinstance(j.get("details"), dict) else {}
    return r.status == 400 and j.get("code") == "bad_request" and d.get("reason") == "unissued_rev" and \
        isinstance(d.get("rev"), int) and not isinstance(d.get("rev"), bool) and d.get("rev") >= 0


def get(target, headers=(), method="GET"):
    return rec(f"{method} {target[:120]}", request(method, target, headers))


def batch(calls_or_body, headers=(), ct="application/json"):
    body = calls_or_body if isinstance(calls_or_body, (str, bytes)) else json.dumps(calls_or_body)
    hs = list(headers)
    if ct is not None:
        hs.append(("Content-Type", ct))
    return rec(f"POST /batch {body!r:.80}", request("POST", f"{BASE}/batch", hs, body=body))


def fields_of(r):
    j = r.json
    if not isinstance(j, dict):
        return None
    return [(tuple(f.get("path", [])), f.get("message")) for f in j.get("fields", [])]


# ================================================================= checks

def selftests():
    """My own Layer 1 code against the vectors (so that schema_hash / query checks are trustworthy)."""
    c = json.load(open(f"{VEC}/canonical.json"))
    sec = bytes.fromhex(c["secret_hex"])
    ok = all(hkdf(sec, b"mizan.v1", b"mizan.v1." + p.encode()).hex() == c["derived"][p]
             for p in ("token", "cache", "permission"))
    check("self/1.2", "my HKDF reproduces canonical.json derived keys",
          "key(purpose) = HKDF-SHA256(salt = ascii(\"mizan.v1\"), ikm = root_secret, info = ...)", ok)
    n = bad = 0
    for case in c["cases"]:
        if "canonical" not in case or "input" not in case:
            continue
        try:
            v = json.loads(case["input"])
            got = canonical(v).decode()
        except Exception:
            continue
        n += 1
        if got != case["canonical"]:
            bad += 1
    check("self/1.1", f"my canonical JSON encoder matches {n} canonical.json cases",
          "Every value has exactly one encoding", bad == 0, f"{bad} mismatches")
    q = json.load(open(f"{VEC}/query.json"))
    bad = [e["name"] for e in q["encode"] if "query" in e and ctx_query(e["params"], e["rev"]) != e["query"]]
    check("self/2.3", "my context query encoder matches query.json encode vectors",
          "the part p= followed by percent(canonical(P)) ...", not bad, bad)
    m = json.load(open(f"{VEC}/mwt.json"))
    keys = {k["kid"]: bytes.fromhex(k["token_key_hex"]) for k in m["keyring"]["keys"]}
    good = bad = 0
    for case in m["cases"]:
        if "claims" not in case:
            continue
        kid = case.get("kid", m["keyring"]["primary"])
        pl = b64u(canonical(case["claims"]))
        msg = f"mwt1.{kid}.{pl}"
        tok = msg + "." + b64u(hmac.new(keys[kid], msg.encode(), hashlib.sha256).digest())
        if tok == case["token"]:
            good += 1
        else:
            bad += 1
    check("self/1.5", f"my MWT signer reproduces {good + bad} valid mwt.json tokens",
          "tag = b64u(HMAC(key_kid, ascii(\"mwt1.\" + kid + \".\" + payload)))", bad == 0, f"{bad} mismatch")


def manifest_checks():
    S = "2.7"
    r = get(f"{BASE}/manifest")
    check(S, "GET /manifest is 200 application/json", "`GET /manifest` returns `Cache-Control: no-cache` and: {...}",
          r.status == 200 and (r.h("content-type") or "").startswith("application/json"), r.short())
    check(S, "GET /manifest has Cache-Control: no-cache", "`GET /manifest` returns `Cache-Control: no-cache`",
          r.h("cache-control") == "no-cache", r.h("cache-control"))
    m = r.json
    check(S, "protocol is 1", "| `protocol` | `1` |", m.get("protocol") == 1, m.get("protocol"))
    fns = m.get("functions", [])
    names = [f["name"] for f in fns]
    check(S, "functions sorted by name (byte order)", "| `functions` | every function, sorted by `name` (byte order) |",
          names == sorted(names, key=lambda n: n.encode()), names)
    req = ["name", "rust_name", "kind", "context", "auth", "method", "path", "params", "input", "output",
           "schema_hash"]
    for f in fns:
        n = f.get("name")
        miss = [k for k in req if k not in f]
        check(S, f"{n}: has every manifest member", "the members table of §2.7", not miss, miss)
        if f.get("kind") == "call":
            ok = f["context"] is None and f["method"] == "POST" and f["path"] == f"/call/{n}"
        else:
            ok = f.get("kind") == "context" and f["context"] in ("global", "local") and \
                f["method"] == "GET" and f["path"] == f"/context/{n}"
        check(S, f"{n}: kind/context/method/path consistent",
              "| `kind` | `call` or `context` | ... | `context` | `global`, `local`, or `null` for calls |", ok,
              {k: f.get(k) for k in ("kind", "context", "method", "path")})
        check(S, f"{n}: auth is one of the listed values",
              "`none`, `authenticated`, `staff`, `superuser` or `custom`",
              f.get("auth") in ("none", "authenticated", "staff", "superuser", "custom"), f.get("auth"))
        inp = f.get("input", {})
        check(S, f"{n}: input has additionalProperties false",
              "| `input` | JSON Schema (2020-12) of the params object; `additionalProperties` is `false`",
              inp.get("additionalProperties") is False and inp.get("type") == "object", inp)
        props = list((inp.get("properties") or {}).keys())
        check(S, f"{n}: params lists the input properties",
              "| `params` | parameter names in declaration order |", sorted(props) == sorted(f.get("params", [])),
              (props, f.get("params")))
        sh = f.get("schema_hash", "")
        check(S, f"{n}: schema_hash is 22 base64url characters",
              "| `schema_hash` | the function's schema hash: 22 characters",
              isinstance(sh, str) and re.fullmatch(r"[A-Za-z0-9_-]{21}[AQgw]", sh) is not None, sh)
        mine = schema_hash(f)
        check(S, f"{n}: schema_hash recomputed from input/output matches",
              "`schema_hash` = `b64u(first16(SHA-256(jcs({\"input\": I, \"output\": O}))))`", mine == sh,
              f"server {sh}, mine {mine}")
        if f.get("context") == "global":
            check(S, f"{n}: global context takes no params",
                  "**Global** contexts (`context = \"global\"`) take no params", f.get("params") == [], f.get("params"))
    hr = get(f"{BASE}/manifest", method="HEAD")
    same = hr.status == r.status and {k: v for k, v in hr.headers if k != "date"} == \
        {k: v for k, v in r.headers if k != "date"}
    check("2.1", "HEAD /manifest: GET's status and headers, no body",
          "A `HEAD` answer has the status and headers of the `GET` answer and no body", same and hr.raw_after == b"",
          hr.short() + f" after={hr.raw_after[:50]!r}")
    r2 = get(f"{BASE}/manifest?x=1&&y")
    check("2.1", "GET /manifest?x=1&&y is 200 (query plays no part in routing)",
          "The query string plays no part in routing.", r2.status == 200, r2.short())
    return {f["name"]: f for f in fns}


def routing_checks():
    S = "2.1"
    q404 = "Every other path at or under the base is `404 not_found` (the JSON error of §2.6), whatever the method"
    paths = ["/api/mizan", "/api/mizan/", "/api/mizan//call/echo", "/api/mizan/call//echo",
             "/api/mizan/call/echo/", "/api/mizan/batch/", "/api/mizan/call/", "/api/mizan/context/",
             "/api/mizan/manifest/", "/api/mizan/context/greet/", "/api/mizan/nope", "/api/mizan/call",
             "/api/mizan/context", "/api/mizan/call/ECHO", "/api/mizan/call/ech%6F", "/api/mizan/./call/echo",
             "/api/mizan/call/../call/echo", "/api/mizan/call/echo/x", "/api/mizan/MANIFEST",
             "/api/mizan/call/nope", "/api/mizan/context/nope", "/api/mizan/call/echo%2F"]
    for p in paths:
        for meth in ("POST", "GET"):
            hs = [("Content-Type", "application/json")] if meth == "POST" else []
            r = rec(f"{meth} {p}", request(meth, p, hs, body=b'{"text":"hi"}' if meth == "POST" else None))
            ok = err_shape(r, "not_found", 404) and (r.h("content-type") or "").startswith("application/json")
            check(S, f"{meth} {p} -> 404 not_found JSON", q404, ok, r.short())
    for meth in ("DELETE", "OPTIONS", "PUT"):
        r = rec(f"{meth} /api/mizan/", request(meth, "/api/mizan/"))
        check(S, f"{meth} /api/mizan/ -> 404 not_found", q404, err_shape(r, "not_found", 404), r.short())
    r = request("HEAD", "/api/mizan/nope")
    check(S, "HEAD /api/mizan/nope -> 404, no body", q404 + "; A `HEAD` answer has ... no body",
          r.status == 404 and r.raw_after == b"", r.short())
    qa = ("a method not listed above is `405 method_not_allowed` with `Allow` listing the listed methods, "
          "exactly `POST` or `GET, HEAD` (`OPTIONS` and `HEAD` included)")
    for meth in ("GET", "PUT", "DELETE", "PATCH", "OPTIONS"):
        r = rec(f"{meth} /call/echo", request(meth, f"{BASE}/call/echo"))
        check(S, f"{meth} /call/echo -> 405 Allow: POST", qa,
              err_shape(r, "method_not_allowed", 405) and r.h("allow") == "POST", r.short())
    r = request("HEAD", f"{BASE}/call/echo")
    check(S, "HEAD /call/echo -> 405 Allow: POST, no body", qa,
          r.status == 405 and r.h("allow") == "POST" and r.raw_after == b"", r.short())
    for meth in ("GET", "HEAD", "OPTIONS", "PUT"):
        r = rec(f"{meth} /batch", request(meth, f"{BASE}/batch"))
        ok = r.status == 405 and r.h("allow") == "POST" and (meth == "HEAD" or err_shape(r, "method_not_allowed"))
        check(S, f"{meth} /batch -> 405 Allow: POST", "`/batch` answers `HEAD` with `405` and `Allow: POST`", ok,
              r.short())
    for meth in ("POST", "PUT", "OPTIONS", "DELETE"):
        r = rec(f"{meth} /context/greet", request(meth, ctx_url("greet", {"name": "Ada"}),
                                                   [("Content-Type", "application/json")], body=b"{}"))
        check(S, f"{meth} /context/greet -> 405 Allow: GET, HEAD", qa,
              err_shape(r, "method_not_allowed", 405) and r.h("allow") == "GET, HEAD", r.short())
    for meth in ("POST", "OPTIONS", "DELETE"):
        r = rec(f"{meth} /manifest", request(meth, f"{BASE}/manifest"))
        check(S, f"{meth} /manifest -> 405 Allow: GET, HEAD", qa,
              err_shape(r, "method_not_allowed", 405) and r.h("allow") == "GET, HEAD", r.short())
    q = ("The server checks, in this order ...: the function exists (404), it is a call (405, `Allow: GET, HEAD`), "
         "the method is `POST` (405, `Allow: POST`)")
    r = call("greet", '{"name":"Ada"}')
    check("2.2", "POST /call/greet (a context) -> 405 Allow: GET, HEAD", q,
          err_shape(r, "method_not_allowed", 405) and r.h("allow") == "GET, HEAD", r.short())
    r = get(f"{BASE}/call/greet")
    check("2.2", "GET /call/greet (context, wrong method too) -> 405 Allow: GET, HEAD", q,
          r.status == 405 and r.h("allow") == "GET, HEAD", r.short())
    r = rec("OPTIONS /call/nope", request("OPTIONS", f"{BASE}/call/nope"))
    check(S, "OPTIONS /call/nope -> 404 (method checked after the function is found)",
          "for `/call/<name>` and `/context/<name>`, after the function is found", err_shape(r, "not_found", 404),
          r.short())
    q = "Order of checks: function exists (404), it is a context (405, `Allow: POST`), method `GET`/`HEAD` (405, ...)"
    r = get(f"{BASE}/context/echo")
    check("2.3", "GET /context/echo (a call) -> 405 Allow: POST", q,
          err_shape(r, "method_not_allowed", 405) and r.h("allow") == "POST", r.short())
    r = call("../context/greet", "{}") if False else rec("POST /context/echo",
                                                          request("POST", f"{BASE}/context/echo",
                                                                  [("Content-Type", "application/json")], body="{}"))
    check("2.3", "POST /context/echo -> 405 Allow: POST", q,
          r.status == 405 and r.h("allow") == "POST", r.short())
    r = get(f"{BASE}/context/nope?garbage")
    check("2.3", "GET /context/nope?garbage -> 404 before the query is decoded", q, err_shape(r, "not_found", 404),
          r.short())
    r = call("echo?x=1&&", '{"text":"q"}')
    check(S, "POST /call/echo?x=1&& -> 200", "The query string plays no part in routing.", r.status == 200,
          r.short())
    r = request("GET", "/")
    check(S, "the HTML page is still served outside the base (sanity)", "(§2.8)", r.status == 200, r.short())


def call_checks(M):
    S = "2.2"
    r = call("echo", '{"text":"hi"}')
    j = r.json
    check(S, "echo {\"text\":\"hi\"} -> 200 application/json",
          "Response: `200`, `Content-Type: application/json`, `Cache-Control: no-store`, the output as JSON.",
          r.status == 200 and (r.h("content-type") or "").startswith("application/json"), r.short())
    check(S, "call response Cache-Control: no-store", "`Cache-Control: no-store`", r.h("cache-control") == "no-store",
          r.h("cache-control"))
    check("2.9", "echo count (u64) is a decimal string",
          "Integers of 64 bits and wider ... travel as **decimal strings**",
          isinstance(j, dict) and j.get("message") == "hi" and isinstance(j.get("count"), str)
          and re.fullmatch(r"0|[1-9][0-9]*", j.get("count", "")) is not None, r.short())
    # content types
    qct = "A non-empty body MUST be sent with `Content-Type: application/json`, matched as follows"
    accepted = ["application/json", "Application/JSON", "application/json;", "application/json; ;charset=utf-8",
                "application/json; charset=UTF-8", 'application/json; charset="utf-8"', "application/json;charset=utf-8",
                "  application/json  ", "application/json; foo=bar", "application/json;\tcharset=utf-8",
                'application/json; charset="utf\\-8"', "application/json; CHARSET=Utf-8",
                'application/json; foo="a b;c"', "application/json;;", "application/json; x=\"\"",
                "application/json; charset=utf-8; charset=UTF-8", 'application/json; foo="a\\"b"',
                "application/json ;charset=utf-8", "application/json\t", "application/json \t; \tcharset=utf-8"]
    for ct in accepted:
        r = call("echo", '{"text":"ct"}', ct=ct)
        check(S, f"Content-Type {ct!r} accepted", qct, r.status == 200, r.short())
    refused = ["text/json", "application/vnd.api+json", "application/ld+json", "application / json",
               "application/json; charset = utf-8", "application/json; charset=utf8",
               "application/json; charset=latin1", "application/json; charset=", 'application/json; charset=""',
               "application/json; charset", "application", "application/", "application/json x", "text/plain",
               "application/json, text/plain", "application/x-www-form-urlencoded",
               "application/json; charset=utf-8; charset=latin1", 'application/json; charset="utf-8',
               "application/json ; charset=utf-8x", "application/json; =utf-8", "*/*", "",
               'application/json; charset="utf-8"x', "application/json; charset=utf-8 x", "application/json/x",
               "application/jsonx", "xapplication/json", 'application/json; charset="utf8"', "json"]
    for ct in refused:
        r = call("echo", '{"text":"ct"}', ct=ct)
        check(S, f"Content-Type {ct!r} refused with 415", qct + "; anything else is `415 unsupported_media_type`",
              err_shape(r, "unsupported_media_type", 415), r.short())
    r = call("echo", '{"text":"x"}', headers=[("Content-Type", "application/json")])
    check(S, "two Content-Type fields (both application/json) -> 415",
          "The field appears once (two `Content-Type` fields are refused)",
          err_shape(r, "unsupported_media_type", 415), r.short())
    csrf = ("X-Mizan-CSRF", "1")  # auth.* functions need it whatever the credentials (§2.14.4)
    r = rec("logout text/plain empty", request("POST", f"{BASE}/call/auth.logout",
                                               [("Content-Type", "text/plain"), csrf], body=b""))
    check(S, "refused Content-Type with empty body -> 415",
          "A request that carries a `Content-Type` that is refused is refused even with an empty body.",
          err_shape(r, "unsupported_media_type", 415), r.short())
    r = rec("two CT empty", request("POST", f"{BASE}/call/auth.logout",
                                    [("Content-Type", "application/json"), ("Content-Type", "application/json"), csrf],
                                    body=b""))
    check(S, "two Content-Type fields with an empty body -> 415",
          "two `Content-Type` fields are refused ... A request that carries a `Content-Type` that is refused is "
          "refused even with an empty body.", err_shape(r, "unsupported_media_type", 415), r.short())
    r = rec("logout no CT", request("POST", f"{BASE}/call/auth.logout", [csrf], body=b""))
    check(S, "empty body without Content-Type means {} (auth.logout -> 200)",
          "An empty body (no bytes) means `{}`, and then `Content-Type` may be absent.", r.status == 200, r.short())
    r = rec("echo no CT", request("POST", f"{BASE}/call/echo", [], body=None))
    check(S, "no body, no Content-Length, no CT: echo -> 422 missing text",
          "An empty body (no bytes) means `{}`", r.status == 422 and fields_of(r) == [(("text",),
                                                                                      "missing required parameter")],
          r.short())
    r = rec("echo no CT body", request("POST", f"{BASE}/call/echo", [], body=b'{"text":"a"}'))
    check(S, "body without Content-Type (Content-Length > 0) -> 415",
          "Without `Content-Type`, a `Content-Length` above 0 is refused at once",
          err_shape(r, "unsupported_media_type", 415), r.short())
    r = rec("echo chunked no CT", request("POST", f"{BASE}/call/echo", [], body=b'{"text":"a"}', chunked=True))
    check(S, "chunked non-empty body without Content-Type -> 415",
          "a body streamed without either header is refused once it is read and found non-empty",
          err_shape(r, "unsupported_media_type", 415), r.short())
    r = rec("logout chunked empty", request("POST", f"{BASE}/call/auth.logout", [csrf], body=b"", chunked=True))
    check(S, "chunked empty body without Content-Type -> accepted as {}",
          "An empty body (no bytes) means `{}`, and then `Content-Type` may be absent.", r.status == 200, r.short())
    r = rec("echo chunked", request("POST", f"{BASE}/call/echo", [("Content-Type", "application/json")],
                                     chunks=[b'{"te', b'xt":"chunk"}'], chunked=True))
    check(S, "chunked JSON body with Content-Type -> 200", "(ordinary call)", r.status == 200, r.short())
    # size
    LIM = 1048576
    qsz = ("The body MUST NOT exceed the server's body limit (default 1 MiB = 1,048,576 bytes): "
           "`413 payload_too_large`, decided from `Content-Length` when present, and while reading otherwise.")
    pad = LIM - len('{"text":""}')
    r = call("echo", '{"text":"' + "a" * pad + '"}')
    check(S, "body of exactly 1,048,576 bytes accepted", qsz, r.status == 200, r.short()[:200])
    r = call("echo", '{"text":"' + "a" * (pad + 1) + '"}')
    check(S, "body of 1,048,577 bytes -> 413", qsz, err_shape(r, "payload_too_large", 413), r.short()[:200])
    r = rec("declared 413", request("POST", f"{BASE}/call/echo", [("Content-Type", "application/json")],
                                     content_length=LIM + 1, send_body=False))
    check(S, "Content-Length 1,048,577 with no body sent -> 413 at once", qsz,
          err_shape(r, "payload_too_large", 413), r.short())
    big = b'{"text":"' + b"a" * (pad + 10) + b'"}'
    r = rec("chunked 413", request("POST", f"{BASE}/call/echo", [("Content-Type", "application/json")],
                                    chunks=[big[i:i + 65536] for i in range(0, len(big), 65536)], chunked=True))
    check(S, "chunked body over 1 MiB -> 413 while reading", qsz, err_shape(r, "payload_too_large", 413),
          r.short()[:200])
    # JSON
    qj = ("The body is parsed with the rules of §1.1.5 except that numbers with a fraction or exponent are accepted "
          "... Any failure is `400 malformed_json` with the Layer 1 code in `details.reason`.")
    deep32 = '{"text":' + "[" * 31 + "]" * 31 + "}"
    deep33 = '{"text":' + "[" * 32 + "]" * 32 + "}"
    cases = [("{", "invalid_json"), ('{"text":"a"} x', "invalid_json"), ('{"text":"a",}', "invalid_json"),
             ("\ufeff{}", "invalid_json"), ('{"text":"a","text":"b"}', "duplicate_key"),
             ('{"text":"a","\\u0074ext":"b"}', "duplicate_key"),
             ('{"text":"\\ud800"}', "lone_surrogate"), ('{"text":NaN}', "non_finite_number"),
             ('{"text":-Infinity}', "non_finite_number"), ('{"text":1e400}', "non_finite_number"),
             ('{"text":9007199254740992}', "integer_out_of_range"), ("{'text':'a'}", "invalid_json"),
             ('{"text":01}', "invalid_json"), ('{"text":"a\tb"}', "invalid_json"), (deep33, "depth_exceeded"),
             ('{"text":"\\x"}', "invalid_json"), ('{"text":+1}', "invalid_json"), ("{}//", "invalid_json")]
    for body, reason in cases:
        r = call("echo", body)
        j = r.json
        ok = err_shape(r, "malformed_json", 400) and isinstance(j.get("details"), dict) and \
            j["details"].get("reason") == reason
        check(S, f"body {body[:40]!r} -> 400 malformed_json reason {reason}", qj, ok, r.short())
    r = call("echo", b'{"text":"\xff"}')
    check(S, "invalid UTF-8 body -> 400 malformed_json invalid_utf8", qj,
          err_shape(r, "malformed_json", 400) and r.json.get("details", {}).get("reason") == "invalid_utf8",
          r.short())
    r = call("echo", deep32)
    check(S, "params nesting 32 deep is parsed (then 422 for the wrong type)",
          "the depth limit is the server's (default 32)", r.status == 422 and fields_of(r) and
          fields_of(r)[0][0] == ("text",), r.short())
    r = call("echo", deep33)
    check(S, "depth_exceeded message names the limit", "(the message of `depth_exceeded` names it)",
          "32" in (r.json.get("message", "") if isinstance(r.json, dict) else ""), r.short())
    r = call("echo", '{"text":1.5}')
    check(S, "float accepted by the parser: {\"text\":1.5} -> 422 not 400",
          "numbers with a fraction or exponent are accepted (as IEEE 754 doubles", r.status == 422, r.short())
    for body in ("[]", '"s"', "null", "1", "true"):
        r = call("echo", body)
        check(S, f"body {body} (JSON, not an object) -> 422",
              "A body that is JSON but not an object: `422 validation_failed`.",
              err_shape(r, "validation_failed", 422), r.short())
    # §2.2.1 params
    Q = ("Every parameter is checked; all failures are reported together in `fields` (§2.6) with "
         "`422 validation_failed`")
    pcases = [
        ("echo", "{}", [(("text",), "missing required parameter")]),
        ("echo", '{"text":null}', [(("text",), None)]),
        ("echo", '{"text":5}', [(("text",), None)]),
        ("echo", '{"text":true}', [(("text",), None)]),
        ("echo", '{"text":["a"]}', [(("text",), None)]),
        ("echo", '{"text":{"a":1}}', [(("text",), None)]),
        ("echo", '{"text":"a","extra":1}', [(("extra",), "unknown parameter")]),
        ("echo", '{"text":"a","Text":"b"}', [(("Text",), "unknown parameter")]),
        ("echo", '{"extra":null}', [(("extra",), "unknown parameter"), (("text",), "missing required parameter")]),
        ("echo", '{"text":1,"a":1,"b":2}', [(("text",), None), (("a",), "unknown parameter"),
                                            (("b",), "unknown parameter")]),
        ("demo.sign_in", '{"user":5}', [(("user",), None)]),
        ("demo.sign_in", '{}', [(("user",), "missing required parameter")]),
        ("auth.logout", '{"x":1}', [(("x",), "unknown parameter")]),
        ("auth.logout", '{"":1}', [(("",), "unknown parameter")]),
        ("auth.logout", '{"x":1,"y":2}', [(("x",), "unknown parameter"), (("y",), "unknown parameter")]),
        ("echo", '{"text":"a","__proto__":1}', [(("__proto__",), "unknown parameter")]),
    ]
    for fn, body, want in pcases:
        r = call(fn, body)
        got = fields_of(r) or []
        ok = err_shape(r, "validation_failed", 422) and len(got) == len(want) and \
            sorted(p for p, _ in got) == sorted(p for p, _ in want) and \
            all(m is None or (p, m) in got for p, m in want)
        check("2.2.1", f"{fn} {body} -> 422 fields {[list(p) for p, _ in want]}",
              Q + "; a missing parameter (`\"missing required parameter\"`) ... a member that names no parameter "
                  "(`\"unknown parameter\"`)", ok, r.short())
    r = call("echo", '{"text":"a","extra":1}')
    check("2.6", "fields entries: path is a list, message a string",
          "each `path` is a list of object keys (strings) and array indexes (integers)",
          all(isinstance(f.get("path"), list) and isinstance(f.get("message"), str)
              for f in r.json.get("fields", [])), r.short())
    r = call("echo", '{"text":"é\\u0000\\ud83d\\ude00"}')
    check(S, "string with NUL and astral char echoed exactly", "(ordinary call)",
          r.status == 200 and r.json.get("message") == "é\u0000\U0001F600", r.short())
    # X-Mizan-Schema
    H = M["echo"]["schema_hash"]
    qs = ("When present, its value MUST equal the server's current `schema_hash` of the function byte for byte; "
          "otherwise the answer is `409 stale_client`.")
    r = call("echo", '{"text":"s"}', headers=[("X-Mizan-Schema", H)])
    check(S, "X-Mizan-Schema = current hash -> 200", qs, r.status == 200, r.short())
    for bad in ("AAAAAAAAAAAAAAAAAAAAAA", H.lower() if H.lower() != H else H + "x", H[:-1], H + "=",
                M["greet"]["schema_hash"], '"' + H + '"'):
        r = call("echo", '{"text":"s"}', headers=[("X-Mizan-Schema", bad)])
        check(S, f"X-Mizan-Schema {bad!r} -> 409 stale_client", qs, err_shape(r, "stale_client", 409), r.short())
    r = rec("empty schema", request("POST", f"{BASE}/call/echo", [("Content-Type", "application/json"),
                                                                 ("X-Mizan-Schema", "")], body=b'{"text":"s"}'))
    check(S, "X-Mizan-Schema empty -> 409 stale_client", qs, err_shape(r, "stale_client", 409), r.short())
    r = call("echo", '{"text":"s"}', headers=[("X-Mizan-Schema", H), ("X-Mizan-Schema", "wrong")])
    check(S, "repeated X-Mizan-Schema, first current -> 200", "When the header is repeated, the first one counts.",
          r.status == 200, r.short())
    r = call("echo", '{"text":"s"}', headers=[("X-Mizan-Schema", "wrong"), ("X-Mizan-Schema", H)])
    check(S, "repeated X-Mizan-Schema, first stale -> 409", "When the header is repeated, the first one counts.",
          err_shape(r, "stale_client", 409), r.short())
    # order of checks
    QO = ("The server checks, in this order, and answers the first failure: the function exists (404), it is a call "
          "(405 ...), the method is `POST` (405 ...), the schema hash (409 `stale_client`), the content type (415), "
          "the declared length (413), authentication (401, §2.5), the function's auth requirement (401/403), the "
          "body length (413), the JSON (400), the parameters (422)")
    stale = [("X-Mizan-Schema", "stale")]
    r = rec("GET call stale", request("GET", f"{BASE}/call/echo", stale))
    check(S, "order: method (405) before schema hash (409)", QO, r.status == 405, r.short())
    r = call("nope", "{", headers=stale, ct="text/plain")
    check(S, "order: unknown function (404) before everything", QO, r.status == 404, r.short())
    r = call("echo", "{", headers=stale, ct="text/plain")
    check(S, "order: schema hash (409) before content type (415)", QO, r.status == 409, r.short())
    r = rec("stale+413", request("POST", f"{BASE}/call/echo", stale + [("Content-Type", "application/json")],
                                 content_length=LIM + 1, send_body=False))
    check(S, "order: schema hash (409) before declared length (413)", QO, r.status == 409, r.short())
    r = call("echo", "{", headers=stale + [("Authorization", "Bearer junk")])
    check(S, "order: schema hash (409) before authentication (401)", QO + " ... A stale client therefore never sees "
                                                                         "a `401` or `422`", r.status == 409,
          r.short())
    r = call("echo", '{"text":1}', headers=stale)
    check(S, "order: schema hash (409) before params (422)", QO, r.status == 409, r.short())
    r = rec("415+413", request("POST", f"{BASE}/call/echo", [("Content-Type", "text/plain")],
                               content_length=LIM + 1, send_body=False))
    check(S, "order: content type (415) before declared length (413)", QO, r.status == 415, r.short())
    r = rec("413+401", request("POST", f"{BASE}/call/echo", [("Content-Type", "application/json"),
                                                            ("Authorization", "Bearer junk")],
                               content_length=LIM + 1, send_body=False))
    check(S, "order: declared length (413) before authentication (401)", QO, r.status == 413, r.short())
    r = call("echo", "{", headers=[("Authorization", "Basic abc")])
    check(S, "order: authentication (401) before JSON (400)", QO, r.status == 401, r.short())
    r = call("admin.stats", "{")
    check(S, "order: auth requirement (401 anonymous) before JSON (400)", QO, r.status == 401, r.short())
    r = call("admin.stats", '{"x":1}')
    check(S, "order: auth requirement (401) before params (422)", QO, r.status == 401, r.short())
    big = '{"text":"' + "a" * (pad + 1) + '"}'
    r = call("admin.stats", big)
    check(S, "order: auth requirement (401) before body length (413) [Content-Length over limit is 'declared']",
          QO, r.status == 413, r.short()[:200])
    r = rec("chunked 401 vs 413", request("POST", f"{BASE}/call/admin.stats", [("Content-Type", "application/json")],
                                          chunks=[big.encode()], chunked=True))
    check(S, "order: auth requirement (401) before streamed body length (413)", QO, r.status == 401,
          r.short()[:200])
    r = call("echo", '{"text":1,"text":2}')
    check(S, "order: JSON (400 duplicate_key) before params (422)", QO, r.status == 400, r.short())


def context_checks(M):
    S = "2.3"
    url = ctx_url("greet", {"name": "Ada"})
    check(S, "greet(name=Ada) canonical URL is the spec's example",
          "`greet(name = \"Ada\")` at rev 0 is `/context/greet?p=%7B%22name%22%3A%22Ada%22%7D`",
          url == f"{BASE}/context/greet?p=%7B%22name%22%3A%22Ada%22%7D", url)
    r = get(url)
    j = r.json
    check(S, "greet canonical -> 200 application/json", "Response `200`: | `Content-Type` | `application/json` |",
          r.status == 200 and (r.h("content-type") or "").startswith("application/json"), r.short())
    check(S, "body is canonical JSON of the output", "The body is the canonical JSON (§1.1) of the output",
          r.status == 200 and canonical(j) == r.body, r.body)
    check(S, "anonymous, auth none: Cache-Control public, max-age=0, stale-while-revalidate=300",
          "`public, max-age=0, stale-while-revalidate=300` for an anonymous caller of a context without an auth "
          "requirement", r.h("cache-control") == "public, max-age=0, stale-while-revalidate=300",
          r.h("cache-control"))
    check(S, "Vary: Authorization, Cookie, X-Mizan-Schema", "| `Vary` | `Authorization, Cookie, X-Mizan-Schema` |",
          r.h("vary") == "Authorization, Cookie, X-Mizan-Schema", r.h("vary"))
    etag = r.h("etag") or ""
    want = '"' + b64u(hashlib.sha256(r.body).digest()) + '"'
    check(S, "ETag is \"b64u(SHA-256(body))\", 45 characters",
          "| `ETag` | `\"` + `b64u(SHA-256(body))` + `\"` (a strong validator, 45 characters) |",
          etag == want and len(etag) == 45, f"{etag} vs {want}")
    QN = ("A request whose `If-None-Match` lists the ETag (weak comparison, RFC 9110 §13.1.2; `*` matches too) gets "
          "`304 Not Modified` with `ETag`, `Cache-Control` and `Vary` and no body.")
    for inm in (etag, "W/" + etag, "*", '"zzz", ' + etag, '"zzz",' + "W/" + etag):
        r2 = get(url, [("If-None-Match", inm)])
        ok = r2.status == 304 and r2.h("etag") == etag and r2.h("cache-control") == r.h("cache-control") and \
            r2.h("vary") == r.h("vary") and r2.raw_after == b""
        check(S, f"If-None-Match {inm[:30]!r}... -> 304 with ETag, Cache-Control, Vary, no body", QN, ok, r2.short())
    r2 = get(url, [("If-None-Match", '"nope"')])
    check(S, "If-None-Match not matching -> 200", QN, r2.status == 200, r2.short())
    hr = get(url, method="HEAD")
    # X-Mizan-Cache-Status says how the server came by the answer (§2.16.3), not what it is.
    varies = ("date", "x-mizan-cache-status")
    same = hr.status == 200 and {k: v for k, v in hr.headers if k not in varies} == \
        {k: v for k, v in r.headers if k not in varies}
    check("2.1", "HEAD /context/greet: GET's status and headers, no body",
          "A `HEAD` answer has the status and headers of the `GET` answer and no body", same and hr.raw_after == b"",
          hr.short())
    r3 = get(ctx_url("greet", {"name": "Ada"}, 3))
    if unissued_rev(r3):
        # greet has a cache policy (§2.16.3): the server names the rev to use instead.
        r3 = get(ctx_url("greet", {"name": "Ada"}, r3.json["details"]["rev"]))
    check(S, "rev=3 -> 200, same body (rev does not reach the function)",
          "`rev` does not reach the function: it only makes a new URL", r3.status == 200 and r3.body == r.body,
          r3.short())
    r4 = get(ctx_url("current_user"))
    check(S, "current_user (no query) -> 200", "`current_user` is `/context/current_user`",
          r4.status == 200 and r4.json == ANONYMOUS, r4.short())
    r4 = get(ctx_url("greet", {"name": "é\u2028\n😀 \"&+%"}))
    check(S, "non-ASCII params round-trip through the canonical query", "percent(canonical(P))",
          r4.status == 200 and canonical(r4.json) == r4.body and "é\u2028\n😀 \"&+%" in r4.json.get("text", ""),
          r4.short())
    # decode vectors
    q = json.load(open(f"{VEC}/query.json"))
    QD = "spec/vectors/query.json decode case (§2.3 Decoding)"
    for c in q["decode"]:
        qs = c["query"]
        if qs is not None and any(ord(ch) <= 0x20 or ord(ch) > 0x7e for ch in qs):
            target_q = qs.encode("utf-8")
            raw_note = " (raw bytes in request target)"
        else:
            target_q = (qs or "").encode()
            raw_note = ""
        if "error" in c:
            fn = "greet"
        else:
            fn = "current_user" if c["params"] == {} else "greet"
        target = f"{BASE}/context/{fn}".encode() + (b"?" + target_q if qs is not None else b"")
        if b" " in target_q:
            r = request("GET", target)
            note(S, f"vector {c['name']}: a literal space cannot be sent in an HTTP/1.1 request-target; the server "
                    f"answered {r.status} with no Mizan JSON (HTTP parser), not {c['error']}. Not counted.")
            continue
        try:
            r = rec(f"GET {target!r}", request("GET", target))
        except Exception as e:
            check(S, f"vector {c['name']}{raw_note}", QD, False, f"exception {e}")
            continue
        if "error" in c:
            j = r.json
            ok = err_shape(r, c["error"], c["status"])
            if "details" in c:
                ok = ok and isinstance(j, dict) and j.get("details") == c["details"]
            elif c["error"] != "validation_failed":
                ok = ok and "details" not in j
            check(S, f"vector {c['name']}: ?{qs!s:.50} -> {c['status']} {c['error']} {c.get('details', '')}"
                     f"{raw_note}", QD, ok, r.short())
        else:
            if c["params"] == {} or c["params"] == {"name": "Ada"}:
                check(S, f"vector {c['name']}: ?{qs} -> 200", QD, r.status == 200 or unissued_rev(r), r.short())
            else:
                extra = sorted(k for k in c["params"])
                want = sorted([(k,) for k in extra] + [("name",)])
                got = sorted(p for p, _ in (fields_of(r) or []))
                check("2.2.1", f"vector {c['name']} on greet: decodes, then params 422 at {want}",
                      "The params are then checked as for calls (`422`).",
                      err_shape(r, "validation_failed", 422) and got == want, r.short())
    # extra decoding cases from the prose
    QP = "So, for instance: ..."
    extra = [
        ("rev=1?x", "non_canonical_query", {"received": "rev=1?x"}, "the characters after the first `?`"),
        ("rev=%2b1", "non_canonical_query", {"received": "rev=%2b1"}, "`?rev=+1` have no `canonical`"),
        ("rev=%30", "non_canonical_query", {"received": "rev=%30", "canonical": ""},
         "`%` and two hex digits, of either case, is that byte"),
        ("rev=0000000000000000000000000000001", "non_canonical_query",
         {"received": "rev=0000000000000000000000000000001", "canonical": "rev=1"},
         "one or more ASCII digits (leading zeros allowed here) whose value is at most `2^53 - 1`"),
        ("rev=%31%32", "non_canonical_query", {"received": "rev=%31%32", "canonical": "rev=12"},
         "percent-encoded digits"),
        ("p=%7B%22name%22%3A%22Ada%22%7D&rev=0", "non_canonical_query",
         {"received": "p=%7B%22name%22%3A%22Ada%22%7D&rev=0", "canonical": "p=%7B%22name%22%3A%22Ada%22%7D"},
         "`?rev=0` ... name the canonical"),
        ("p=%7B%22name%22%3A%22A%7Eda%22%7D", "non_canonical_query",
         {"received": "p=%7B%22name%22%3A%22A%7Eda%22%7D", "canonical": "p=%7B%22name%22%3A%22A~da%22%7D"},
         "`percent` leaves the bytes `A-Z a-z 0-9 - . _ ~` as they are"),
        ("p=%7B%22name%22%3A%22A~da%22%7D&rev=%", "non_canonical_query",
         {"received": "p=%7B%22name%22%3A%22A~da%22%7D&rev=%"}, "a `%` not followed by two hex digits"),
        ("P=%7B%7D", "non_canonical_query", {"received": "P=%7B%7D"}, "a name in another case"),
        ("p", "non_canonical_query", {"received": "p"}, "a name without `=`"),
        ("&", "non_canonical_query", {"received": "&"}, "an empty part"),
        ("p=%7B%22name%22%3A%22Ada%22%7D&p=%7B%22name%22%3A%22Ada%22%7D", "non_canonical_query",
         {"received": "p=%7B%22name%22%3A%22Ada%22%7D&p=%7B%22name%22%3A%22Ada%22%7D"}, "two `p` parts"),
        ("p=%5B&rev=1&rev=2", "malformed_json", {"reason": "invalid_json"}, "the first failure is the answer"),
        ("rev=1&rev=2&p=%5B", "non_canonical_query", {"received": "rev=1&rev=2&p=%5B"},
         "if a `rev` part was read before, the part is unreadable"),
        ("p=%7B%22name%22%3A1.0%7D", "malformed_json", {"reason": "float_not_allowed"},
         "(so ... a float ... fail)"),
        ("p=%7B%22name%22%3A%22Ada%22%7D%20", "non_canonical_query",
         {"received": "p=%7B%22name%22%3A%22Ada%22%7D%20", "canonical": "p=%7B%22name%22%3A%22Ada%22%7D"},
         "Whitespace (U+0020, ...) is allowed between tokens and ignored (trailing whitespace is JSON)"),
        ("p=%7B%22name%22%3A%22a&b%22%7D", "malformed_json", {"reason": "invalid_json"},
         "The query is split on `&` into parts (a raw & cuts the JSON)"),
        ("p=%7B%22name%22%3A%22a%26b%22%7D", None, None, "percent-encoded & is data"),
        ("p=%7B%22name%22%3A%22%C3%A9%22%7D", None, None, "non-ASCII written as %XX of its UTF-8 bytes"),
        ("p=%7B%22name%22%3A%22%c3%a9%22%7D", "non_canonical_query",
         {"received": "p=%7B%22name%22%3A%22%c3%a9%22%7D", "canonical": "p=%7B%22name%22%3A%22%C3%A9%22%7D"},
         "`%` and two hex digits, of either case, is that byte"),
        ("p=%7B%22name%22%3A%22A%22%7D&rev=1&", "non_canonical_query",
         {"received": "p=%7B%22name%22%3A%22A%22%7D&rev=1&"}, "a trailing `&` is an empty part"),
        ("p=%5B%5D&x", "validation_failed", None, "A value that is not an object is `422 validation_failed`."),
        ("p=%7B%22name%22%3A%22Ada%22%7D&rev=9007199254740991", None, None, "largest rev"),
        ("p=%7B%22name%22%3A%22a%2Bb%22%7D", None, None, "`%2B` is a plus, and then `canonical` spells it `%2B`"),
        ("p=%7B%22name%22%3A%22a%5C%2Fb%22%7D", "non_canonical_query",
         {"received": "p=%7B%22name%22%3A%22a%5C%2Fb%22%7D", "canonical": "p=%7B%22name%22%3A%22a%2Fb%22%7D"},
         "`/` is written as itself"),
        ("p=%7B%22name%22%3A%22%5Cu001F%22%7D", "non_canonical_query",
         {"received": "p=%7B%22name%22%3A%22%5Cu001F%22%7D", "canonical": "p=%7B%22name%22%3A%22%5Cu001f%22%7D"},
         "U+001F is `\\u001f`"),
    ]
    for qs, err, det, quote in extra:
        r = get(f"{BASE}/context/greet?{qs}")
        if err is None:
            ok = r.status == 200 or ("rev=" in qs and unissued_rev(r))
        else:
            ok = err_shape(r, err) and (det is None or r.json.get("details") == det)
        check(S, f"?{qs[:60]} -> {err or 200} {det or ''}", quote, ok, r.short())
    r = get(f"{BASE}/context/current_user?")
    check(S, "current_user? (empty query) -> 400 non_canonical_query, received \"\", no canonical",
          "A URL with a `?` is decoded as below even when nothing follows the `?` (`/context/x?` is not `/context/x`)",
          err_shape(r, "non_canonical_query", 400) and r.json.get("details") == {"received": ""}, r.short())
    r = get(f"{BASE}/context/current_user?rev=5")
    check(S, "global context with rev=5 -> 200", "If `rev > 0`: the part `rev=`", r.status == 200, r.short())
    r = get(f"{BASE}/context/current_user?p=%7B%22a%22%3A1%7D")
    check("2.2.1", "global context with p={\"a\":1} -> 422 unknown parameter at [\"a\"]",
          "The params are then checked as for calls (`422`).",
          err_shape(r, "validation_failed", 422) and fields_of(r) == [(("a",), "unknown parameter")], r.short())
    r = get(f"{BASE}/context/greet?p=%7B%22name%22%3Anull%7D")
    check("2.2.1", "greet name=null -> 422 at [\"name\"]", "A parameter of an optional type may be absent or `null`"
                                                          " (name is not optional)",
          err_shape(r, "validation_failed", 422) and [p for p, _ in fields_of(r)] == [("name",)], r.short())
    r = get(f"{BASE}/context/greet?p=%7B%7D")
    check(S, "greet ?p=%7B%7D -> 400 canonical \"\" (canonical query before params)",
          "Order of checks: ... canonical query (400/422), authentication (401), auth requirement (401/403), "
          "parameters (422)", err_shape(r, "non_canonical_query", 400) and
          r.json.get("details") == {"received": "p=%7B%7D", "canonical": ""}, r.short())
    r = get(f"{BASE}/context/greet")
    check("2.2.1", "greet with no query -> 422 missing required parameter name",
          "a missing parameter (`\"missing required parameter\"`)",
          err_shape(r, "validation_failed", 422) and fields_of(r) == [(("name",), "missing required parameter")],
          r.short())
    # query length
    QL = ("A query string longer than the server's limit (default 8 KiB = 8192 bytes) is `414 uri_too_long`, checked "
          "before decoding. ... an 8192-byte query is decoded, an 8193-byte one is refused.")
    base_len = len(ctx_query({"name": ""}))
    q8192 = ctx_query({"name": "a" * (8192 - base_len)})
    q8193 = ctx_query({"name": "a" * (8193 - base_len)})
    r = get(f"{BASE}/context/greet?{q8192}")
    check(S, f"8192-byte canonical query ({len(q8192)}) -> 200", QL, r.status == 200 and len(q8192) == 8192,
          r.short()[:200])
    r = get(f"{BASE}/context/greet?{q8193}")
    check(S, f"8193-byte query ({len(q8193)}) -> 414 uri_too_long", QL, err_shape(r, "uri_too_long", 414),
          r.short()[:200])
    r = get(f"{BASE}/context/greet?" + "x" * 8192)
    check(S, "8192-byte non-canonical query -> 400 (decoded, not 414)", QL,
          err_shape(r, "non_canonical_query", 400), r.short()[:200])
    r = get(f"{BASE}/context/greet?" + "x" * 8193)
    check(S, "8193-byte garbage query -> 414 (before decoding)", QL, err_shape(r, "uri_too_long", 414),
          r.short()[:200])
    r = get(f"{BASE}/context/greet?" + "%5B" * 3000)
    check(S, "9000-byte query of a malformed p -> 414 before decoding", QL, err_shape(r, "uri_too_long", 414),
          r.short()[:200])
    # X-Mizan-Schema on contexts, order
    H = M["greet"]["schema_hash"]
    QO = ("Order of checks: function exists (404), it is a context (405, `Allow: POST`), method `GET`/`HEAD` (405, "
          "`Allow: GET, HEAD`), schema hash (409 `stale_client`), query length (414), canonical query (400/422), "
          "authentication (401), auth requirement (401/403), parameters (422).")
    r = get(url, [("X-Mizan-Schema", H)])
    check(S, "context with current X-Mizan-Schema -> 200", "A context read MAY carry `X-Mizan-Schema`, with the same "
                                                           "rule as for calls", r.status == 200, r.short())
    r = get(url, [("X-Mizan-Schema", M["echo"]["schema_hash"])])
    check(S, "context with another function's hash -> 409 stale_client", "same rule as for calls (§2.2)",
          err_shape(r, "stale_client", 409), r.short())
    r = get(url, [("X-Mizan-Schema", "stale"), ("If-None-Match", etag)])
    check(S, "stale hash + matching If-None-Match -> 409 (not 304)", QO, err_shape(r, "stale_client", 409),
          r.short())
    r = get(url, [("X-Mizan-Schema", H), ("If-None-Match", etag)])
    check(S, "current hash + matching If-None-Match -> 304 with Vary listing X-Mizan-Schema",
          "context responses (`200` and `304`) list it in `Vary`", r.status == 304 and "X-Mizan-Schema" in
          (r.h("vary") or ""), r.short())
    r = get(url, [("X-Mizan-Schema", "a"), ("X-Mizan-Schema", H)])
    check(S, "context, repeated X-Mizan-Schema, first stale -> 409", "When the header is repeated, the first one "
                                                                     "counts.", r.status == 409, r.short())
    r = rec("POST ctx stale", request("POST", url, [("X-Mizan-Schema", "stale")]))
    check(S, "order: method (405) before schema (409)", QO, r.status == 405, r.short())
    r = get(f"{BASE}/context/greet?" + "x" * 9000, [("X-Mizan-Schema", "stale")])
    check(S, "order: schema (409) before query length (414)", QO, r.status == 409, r.short())
    r = get(f"{BASE}/context/greet?" + "x" * 9000, [("Authorization", "Basic x")])
    check(S, "order: query length (414) before authentication (401)", QO, r.status == 414, r.short())
    r = get(f"{BASE}/context/greet?rev=01", [("Authorization", "Basic x")])
    check(S, "order: canonical query (400) before authentication (401)", QO, r.status == 400, r.short())
    r = get(f"{BASE}/context/greet?p=1", [("Authorization", "Basic x")])
    check(S, "order: non-object p (422) before authentication (401)", QO, r.status == 422, r.short())
    r = get(f"{BASE}/context/greet?p=%7B%22x%22%3A1%7D", [("Authorization", "Basic x")])
    check(S, "order: authentication (401) before parameters (422)", QO, r.status == 401, r.short())
    r = get(f"{BASE}/context/greet?rev=01", method="HEAD")
    check("2.1", "HEAD of an erroring context: 400, no body", "A `HEAD` answer has the status and headers of the "
                                                              "`GET` answer and no body",
          r.status == 400 and r.raw_after == b"", r.short())


def session_of(r):
    """The value of the first Set-Cookie of answer r."""
    return (r.hall("set-cookie") or [""])[0].partition("=")[2].split(";")[0]


def token_of(r):
    """The token of a sign-in answer ({"user", "token": {"token", "expires_at"}}, §2.14.4)."""
    j = r.json
    return j.get("token", {}).get("token", "") if isinstance(j, dict) and isinstance(j.get("token"), dict) else ""


def auth_checks(M):
    S = "2.5"
    r = call("demo.sign_in", '{"user":"ada"}')
    ck = r.hall("set-cookie")
    check("2.10", "sign_in ada -> 200 with exactly one Set-Cookie",
          "**cookies**: `Set-Cookie` fields (RFC 6265), one per cookie", r.status == 200 and len(ck) == 1, r.short())
    c0 = ck[0] if ck else ""
    cname, _, rest = c0.partition("=")
    cval = rest.split(";")[0]
    attrs = [a.strip().lower() for a in rest.split(";")[1:]]
    check("2.10", "sign_in cookie is HttpOnly",
          "the attributes (`HttpOnly`, `Secure`, `SameSite`, `Max-Age`, `Expires`, `Path`, `Domain`) are the "
          "function's", "httponly" in attrs, c0)
    check("2.10", "sign_in cookie name is a token, value cookie-octets",
          "Names are RFC 6265 tokens and values cookie-octets",
          re.fullmatch(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+", cname) is not None and
          re.fullmatch(r"[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]*", cval) is not None, c0)
    check("2.14.2", "the session cookie: mizan_session, 43 base64url characters, SameSite=Lax, Path=/, Max-Age",
          "sets the cookie `mizan_session`: its value is 32 random bytes as base64url (43 characters); attributes "
          "`HttpOnly`, `SameSite=Lax`, `Path=/`, `Max-Age` the session lifetime",
          cname == "mizan_session" and re.fullmatch(r"[A-Za-z0-9_-]{43}", cval) is not None and
          "samesite=lax" in attrs and "path=/" in attrs and any(a.startswith("max-age=") for a in attrs), c0)
    check("2.14.4", "the sign-in answer names the user and carries no session",
          "`{\"user\": CurrentUser, \"token\": Token}`", isinstance(r.json, dict) and
          r.json.get("user", {}).get("id") == "ada" and r.json.get("user", {}).get("authenticated") is True and
          cval not in r.body.decode("utf-8", "replace"), r.short())
    ada_s = cval
    ada = token_of(r)
    segs = ada.split(".")
    check("1.5.1", "the answer's token is an MWT: mwt1.<kid>.<payload>.<43-char tag>",
          "token = \"mwt1\" \".\" kid \".\" payload \".\" tag", len(segs) == 4 and segs[0] == "mwt1" and
          len(segs[3]) == 43 and len(ada) <= 4096, ada)
    try:
        pl = b64u_dec(segs[2])
        claims = json.loads(pl)
    except Exception:
        pl, claims = b"", {}
    check("1.5.2", "payload is canonical JSON of the claims",
          "The payload is the canonical JSON (§1.1) of one object", canonical(claims) == pl, pl)
    allowed = {"iss", "aud", "iat", "exp", "pk", "nbf", "sub", "staff", "superuser", "ext"}
    check("1.5.2", "claims: required members, nothing else, sub=ada, no staff:false",
          "Any other member is an error ... `staff` and `superuser` are present only when `true`",
          set(claims) <= allowed and {"iss", "aud", "iat", "exp", "pk"} <= set(claims) and
          claims.get("sub") == "ada" and "staff" not in claims and re.fullmatch(r"[0-9a-f]{32}", claims.get("pk", ""))
          is not None, claims)
    rg = call("demo.sign_in", '{"user":"grace"}')
    grace_s = session_of(rg)
    grace = token_of(rg)
    try:
        gcl = json.loads(b64u_dec(grace.split(".")[2]))
    except Exception:
        gcl = {}
    check("2.5", "grace (staff) token: staff:true, a different pk than ada's (level key)",
          "give a signed-in user the key of their level — `superuser` for superusers, else `staff` for staff, else "
          "`authenticated`", gcl.get("staff") is True and gcl.get("pk") != claims.get("pk") and
          rg.json.get("user", {}).get("id") == "grace" and rg.json.get("user", {}).get("staff") is True, gcl)
    r2 = call("demo.sign_in", '{"user":"ada"}')
    a2_s = session_of(r2)
    a2 = token_of(r2)
    try:
        a2c = json.loads(b64u_dec(a2.split(".")[2]))
    except Exception:
        a2c = {}
    check("2.5", "two sign-ins of ada carry the same pk (never a per-user key)",
          "and never a per-user key, so that users of one level share cached answers",
          a2c.get("pk") == claims.get("pk"), (a2c.get("pk"), claims.get("pk")))
    r = call("auth.logout", None, ct=None, headers=[("Cookie", f"{cname}={a2_s}"), ("X-Mizan-CSRF", "1")])
    so = r.hall("set-cookie")
    sv = so[0] if so else ""
    exp_m = re.search(r"expires=([^;]+)", sv, re.I)
    past = False
    if exp_m:
        import email.utils
        try:
            past = email.utils.parsedate_to_datetime(exp_m.group(1)).timestamp() < time.time()
        except Exception:
            past = False
    check("2.10", "auth.logout removes the cookie: empty value, Max-Age=0, Expires in the past",
          "Removing a cookie sends it with an empty value, `Max-Age=0` and an `Expires` in the past.",
          r.status == 200 and len(so) == 1 and sv.startswith(cname + "=;") and
          re.search(r";\s*max-age=0(;|$)", sv, re.I) is not None and past, sv)
    r = get(ctx_url("current_user"), [("Cookie", f"{cname}={a2_s}")])
    check("2.14.2", "a session ends at logout: its cookie is anonymous after", "A session ends ... when its user "
                                                                               "signs out", r.status == 200 and
          r.json == ANONYMOUS, r.short())
    # Bearer
    QB = ("Its value, with leading and trailing spaces and tabs removed (RFC 9110 §5.5), must be the scheme `Bearer` "
          "in any letter case, then one or more spaces ... then the token")
    cu = ctx_url("current_user")
    for hv in ("Bearer " + ada, "bearer " + ada, "BEARER " + ada, "BeArEr   " + ada, " \tBearer " + ada + " \t"):
        r = get(cu, [("Authorization", hv)])
        check(S, f"Authorization {hv[:14]!r}... accepted", QB,
              r.status == 200 and r.json.get("id") == "ada", r.short())
    for hv in ("Bearer\t" + ada, "Bearer", "Bearer ", "Basic " + ada, "Bearer " + ada + " x", ada,
               "Bearer \t" + ada, "Token " + ada, "Bearer" + ada, ""):
        r = get(cu, [("Authorization", hv)])
        ok = err_shape(r, "unauthenticated", 401) and "details" not in r.json
        check(S, f"Authorization {hv[:16]!r} -> 401 without details",
              "Anything else (`Basic …`, `Bearer` alone, a tab after `Bearer`, two words after it) is "
              "`401 unauthenticated` without `details`.", ok, r.short())
    r = get(cu, [("Authorization", "Bearer " + ada), ("Authorization", "Bearer " + ada)])
    check(S, "two identical valid Authorization headers -> 401 without details",
          "**Several `Authorization` headers** (two or more field lines named `Authorization`): "
          "`401 unauthenticated` without `details`.",
          err_shape(r, "unauthenticated", 401) and "details" not in r.json, r.short())
    r = call("echo", '{"text":"a"}', headers=[("Authorization", "Bearer " + ada), ("authorization", "Basic x")])
    check(S, "two Authorization headers on a call -> 401", "A request never has two identities.",
          r.status == 401, r.short())
    # token verification failures
    QV = ("A token from the `Authorization` header that fails verification is `401 unauthenticated`, with "
          "the MWT failure code in `details.reason`")
    p, t = segs[2], segs[3]
    zero31 = b64u(b"\0" * 31)
    flipped = ("B" if t[0] == "A" else "A") + t[1:]
    last = t[-1]
    alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    badbits = t[:-1] + alpha[alpha.index(last) ^ 1]
    ptamper = b64u(canonical(dict(claims, sub="grace")))
    toks = [
        ("x", "malformed_token"), ("a.b.c", "malformed_token"), ("mwt1.demo.a.b.c", "malformed_token"),
        ("mwt2.demo." + p + "." + t, "unsupported_version"), ("MWT1.demo." + p + "." + t, "unsupported_version"),
        ("mwt1.other." + p + "." + t, "unknown_kid"), ("mwt1.de!mo." + p + "." + t, "unknown_kid"),
        ("mwt1.." + p + "." + t, "unknown_kid"),
        ("mwt1.demo." + p + "=." + t, "invalid_encoding"), ("mwt1.demo." + p + "." + t + "=", "invalid_encoding"),
        ("mwt1.demo." + p.replace("-", "+") + "+." + t, "invalid_encoding"),
        ("mwt1.demo." + p + "." + badbits, "invalid_encoding"),
        ("mwt1.demo." + p + "." + zero31, "invalid_tag_length"), ("mwt1.demo." + p + ".", "invalid_tag_length"),
        ("mwt1.demo." + p + "." + flipped, "bad_signature"), ("mwt1.demo." + ptamper + "." + t, "bad_signature"),
        ("mwt1.demo." + "A" * 4200 + "." + t, "token_too_large"),
        ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZGEifQ.c2ln", "malformed_token"),
    ]
    for tok, reason in toks:
        r = call("echo", '{"text":"a"}', headers=[("Authorization", "Bearer " + tok)])
        j = r.json
        ok = err_shape(r, "unauthenticated", 401) and isinstance(j, dict) and \
            j.get("details", {}).get("reason") == reason
        check(S, f"Bearer {tok[:28]}... on echo (auth none) -> 401 reason {reason}", QV, ok, r.short())
    # cookies: the session cookie of the accounts module (§2.14.3 step 2)
    QC = ("For a method other than `GET` or `HEAD` the request MUST carry `X-Mizan-CSRF` (else `403 forbidden`, "
          "`details.reason = \"csrf\"`) and MUST pass the **origin check** (else `403 forbidden`, "
          "`details.reason = \"origin\"`), both before the session is looked up.")
    r = get(cu, [("Cookie", f"{cname}={ada_s}")])
    check("2.14.3", "session cookie on GET without CSRF -> authenticated as ada",
          "2. **The cookie `mizan_session`** ... A live session is its user, with the store's flags",
          r.status == 200 and r.json.get("id") == "ada" and r.json.get("email") == "ada@example.com", r.short())
    check(S, "signed-in caller: Cache-Control private, no-cache",
          "`private, no-cache` otherwise (a signed-in caller's data never goes into a shared cache",
          r.h("cache-control") == "private, no-cache", r.h("cache-control"))
    r = get(ctx_url("greet", {"name": "x"}), [("Authorization", "Bearer " + ada)])
    check(S, "Bearer caller on greet (auth none): private, no-cache",
          "a context answer to any request that carried a valid token, with or without `sub`, is "
          "`Cache-Control: private, no-cache`", r.status == 200 and r.h("cache-control") == "private, no-cache",
          r.short())
    et = r.h("etag")
    r2 = get(ctx_url("greet", {"name": "x"}), [("Authorization", "Bearer " + ada), ("If-None-Match", et or "")])
    check(S, "304 for a signed-in caller keeps private, no-cache", "gets `304 Not Modified` with `ETag`, "
                                                                   "`Cache-Control` and `Vary`",
          r2.status == 304 and r2.h("cache-control") == "private, no-cache", r2.short())
    r = call("echo", '{"text":"a"}', headers=[("Cookie", f"{cname}={ada_s}")])
    check("2.14.3", "session cookie POST without X-Mizan-CSRF -> 403 forbidden reason csrf", QC,
          err_shape(r, "forbidden", 403) and r.json.get("details") == {"reason": "csrf"}, r.short())
    r = call("echo", '{"text":"a"}', headers=[("Cookie", f"{cname}=garbage")])
    check("2.14.3", "unknown session POST without CSRF -> 403 csrf (before the lookup)", QC,
          err_shape(r, "forbidden", 403) and r.json.get("details") == {"reason": "csrf"}, r.short())
    r = call("echo", "{", headers=[("Cookie", f"{cname}=garbage")])
    check("2.14.3", "cookie POST without CSRF and bad JSON -> 403 (auth before JSON)", QC, r.status == 403, r.short())
    r = rec("csrf empty", request("POST", f"{BASE}/call/echo", [("Content-Type", "application/json"),
                                                              ("Cookie", f"{cname}={ada_s}"), ("X-Mizan-CSRF", "")],
                                  body=b'{"text":"a"}'))
    check("2.14.3", "session cookie POST with empty X-Mizan-CSRF -> 200",
          "the request MUST carry the header `X-Mizan-CSRF` (any value, even empty)", r.status == 200, r.short())
    QO = ("The **origin check**: a request passes when it has no `Origin` header, or when its `Origin` equals, byte "
          "for byte, `http://` or `https://` followed by the request's `Host` value ... `Origin: null` fails.")
    host = f"{HOST}:{PORT}"  # the Host every request here sends
    for origin, ok in (("http://" + host, True), ("https://" + host, True), ("https://evil.example", False),
                       ("null", False), ("http://" + host + "/", False)):
        r = call("echo", '{"text":"a"}', headers=[("Cookie", f"{cname}={ada_s}"), ("X-Mizan-CSRF", "1"),
                                                  ("Origin", origin)])
        check("2.14.3", f"session cookie POST with Origin {origin!r} -> {200 if ok else '403 origin'}", QO,
              r.status == 200 if ok else err_shape(r, "forbidden", 403) and
              r.json.get("details") == {"reason": "origin"}, r.short())
    r = call("echo", '{"text":"a"}', headers=[("Cookie", f"{cname}=garbage"), ("X-Mizan-CSRF", "1")])
    QCOOKIE = ("A session that is unknown, expired, or whose user is not `active` counts as no cookie: the request "
               "is anonymous (step 3)")
    check("2.14.3", "session cookie POST with CSRF and an unknown session -> anonymous (public echo answers 200)",
          QCOOKIE, r.status == 200, r.short())
    r = call("echo", '{"text":"a"}', headers=[("Cookie", f"{cname}=")])
    check(S, "empty cookie value counts as no cookie (POST without CSRF -> 200)",
          "an empty value counts as no cookie", r.status == 200, r.short())
    r = call("echo", '{"text":"a"}', headers=[("Cookie", f'{cname}=""')])
    check(S, "cookie value \"\" (quotes removed -> empty) counts as no cookie",
          "with one pair of surrounding double quotes removed; an empty value counts as no cookie",
          r.status == 200, r.short())
    r = get(cu, [("Cookie", f'{cname}="{ada_s}"')])
    check(S, "quoted cookie value accepted", "with one pair of surrounding double quotes removed",
          r.status == 200 and r.json.get("id") == "ada", r.short())
    r = get(cu, [("Cookie", f"other=1; {cname}={ada_s}; {cname}={grace_s}")])
    check(S, "first matching pair wins (ada before grace)", "the first `name=value` pair of the `Cookie` header(s) "
                                                            "whose name matches exactly",
          r.status == 200 and r.json.get("id") == "ada", r.short())
    r = get(cu, [("Cookie", f"{cname}={grace_s}"), ("Cookie", f"{cname}={ada_s}")])
    check(S, "two Cookie headers: the first pair across them wins (grace)", "of the `Cookie` header(s)",
          r.status == 200 and r.json.get("id") == "grace", r.short())
    r = get(cu, [("Cookie", f"{cname.upper()}={ada_s}")])
    check(S, "cookie name in another case is not the token cookie", "whose name matches exactly",
          r.status == 200 and r.json.get("authenticated") is False, r.short())
    r = get(cu, [("Cookie", f"{cname}=garbage")])
    check("2.14.3", "GET with an unknown session -> anonymous", QCOOKIE,
          r.status == 200 and r.json.get("authenticated") is False, r.short())
    r = get(cu, [("Cookie", f"{cname}={ada}")])
    check("2.14.3", "a token in the session cookie is no session -> anonymous", QCOOKIE,
          r.status == 200 and r.json.get("authenticated") is False, r.short())
    r = get(cu, [("Authorization", "Bearer " + ada), ("Cookie", f"{cname}={grace_s}")])
    check(S, "Authorization wins over the cookie", "The token is then verified (§1.5.4) and a cookie is never "
                                                   "looked at.", r.status == 200 and r.json.get("id") == "ada",
          r.short())
    r = call("echo", '{"text":"a"}', headers=[("Authorization", "Bearer " + ada), ("Cookie", f"{cname}=garbage")])
    check(S, "Bearer POST with a cookie present needs no CSRF", "a cookie is never looked at", r.status == 200,
          r.short())
    r = get(cu, [("Authorization", "Bearer junk"), ("Cookie", f"{cname}={ada_s}")])
    check(S, "bad Authorization + good cookie -> 401", "a cookie is never looked at", r.status == 401, r.short())
    # tokens against the store (§2.14.3 step 1)
    r = get(cu, [("Authorization", "Bearer " + grace)])
    check("2.14.3", "a sign-in token is its user, with the store's flags", "The principal is that user with the flags "
                                                                          "**from the store**", r.status == 200 and
          r.json.get("id") == "grace" and r.json.get("email") == "grace@example.com" and r.json.get("staff") is True,
          r.short())
    r = call("auth.token", "{}", headers=[("Authorization", "Bearer " + ada)])
    check("2.14.4", "auth.token without X-Mizan-CSRF -> 403 csrf, even for a bearer client",
          "**every one requires `X-Mizan-CSRF` and the origin check** of §2.14.3 whatever the request's credentials",
          err_shape(r, "forbidden", 403) and r.json.get("details") == {"reason": "csrf"}, r.short())
    r = call("auth.token", "{}", headers=[("Authorization", "Bearer " + ada), ("X-Mizan-CSRF", "1")])
    fresh = r.json.get("token", "") if isinstance(r.json, dict) else ""
    try:
        fcl = json.loads(b64u_dec(fresh.split(".")[2]))
    except Exception:
        fcl = {}
    check("2.14.4", "auth.token answers a new token for the caller: {token, expires_at} with sub and exp",
          "`Token` is `{\"token\": string, \"expires_at\": integer}`: an MWT (§1.5) and its `exp`",
          r.status == 200 and fcl.get("sub") == "ada" and r.json.get("expires_at") == fcl.get("exp"), r.short())
    # auth requirements
    QR = "A caller that is not allowed gets `401 unauthenticated` when anonymous and `403 forbidden` when signed in."
    r = call("admin.stats", "{}")
    check(S, "admin.stats (staff) anonymous -> 401 with WWW-Authenticate: Bearer",
          QR + " Every `401` carries `WWW-Authenticate: Bearer`.", err_shape(r, "unauthenticated", 401) and
          r.h("www-authenticate") == "Bearer", r.short())
    r = call("admin.stats", "{}", headers=[("Authorization", "Bearer " + ada)])
    check(S, "admin.stats as ada (not staff) -> 403 forbidden", QR, err_shape(r, "forbidden", 403), r.short())
    r = call("admin.stats", '{"x":1}', headers=[("Authorization", "Bearer " + ada)])
    check(S, "admin.stats as ada with bad params -> 403 (auth requirement before params)",
          "the function's auth requirement (401/403), the body length (413), the JSON (400), the parameters (422)",
          r.status == 403, r.short())
    r = call("admin.stats", "{}", headers=[("Authorization", "Bearer " + grace)])
    check(S, "admin.stats as grace (staff) -> 200, echoes is a decimal string",
          "| `staff` | users with `staff` or `superuser` |", r.status == 200 and
          re.fullmatch(r"0|[1-9][0-9]*", str(r.json.get("echoes"))) is not None and
          isinstance(r.json.get("echoes"), str), r.short())
    r = call("admin.stats", None, ct=None, headers=[("Authorization", "Bearer " + grace)])
    check(S, "admin.stats as grace with empty body -> 200", "An empty body (no bytes) means `{}`", r.status == 200,
          r.short())
    r = call("admin.stats", '{"x":1}', headers=[("Authorization", "Bearer " + grace)])
    check("2.2.1", "admin.stats as grace with {\"x\":1} -> 422 unknown parameter",
          "a member that names no parameter (`\"unknown parameter\"`)",
          err_shape(r, "validation_failed", 422) and fields_of(r) == [(("x",), "unknown parameter")], r.short())
    r = call("admin.stats", "{}", headers=[("Cookie", f"{cname}={grace_s}"), ("X-Mizan-CSRF", "x")])
    check("2.14.3", "admin.stats via session cookie + CSRF as grace -> 200", QC, r.status == 200, r.short())
    return cname, ada_s, ada


def batch_checks(M, cname, ada_s, ada):
    S = "2.4"
    r = batch({"calls": [{"fn": "echo", "params": {"text": "a"}}, {"fn": "admin.stats"}]})
    j = r.json
    res = j.get("results", []) if isinstance(j, dict) else []
    check(S, "spec example batch -> 200, no-store, results in order",
          "The response is `200`, `Cache-Control: no-store`, with one result per call in the same order",
          r.status == 200 and r.h("cache-control") == "no-store" and len(res) == 2 and res[0].get("ok") is True and
          res[0].get("data", {}).get("message") == "a", r.short())
    check(S, "failing item carries the §2.6 error with status (unauthenticated 401)",
          "Each failing item carries the error object of §2.6 that the call would have had on its own, with `status`.",
          len(res) == 2 and res[1].get("ok") is False and res[1].get("error", {}).get("code") == "unauthenticated"
          and res[1]["error"].get("status") == 401, r.short())
    r = batch({"calls": [{"fn": "echo", "params": {"text": "1"}}, {"fn": "echo", "params": {"text": "2"}}]})
    res = r.json.get("results", [])
    try:
        c1, c2 = int(res[0]["data"]["count"]), int(res[1]["data"]["count"])
    except Exception:
        c1 = c2 = -9
    check(S, "calls run in order (echo counts consecutive)", "The calls run **in order**, each after the previous "
                                                             "one finished.", c2 == c1 + 1, r.short())
    QI = ("Each item is checked in this order, and the first failure is its result: it is an object whose `fn` is a "
          "string, whose `schema` (when present) is a string, and which has no other members than `fn`, `params` and "
          "`schema` (422 `validation_failed`); the function exists (404); it is a call (405); the schema hash "
          "(409 `stale_client`); the function's auth requirement (401/403); `params` (when present) is an object "
          "(422); the parameters (422); then the function runs.")
    H = M["echo"]["schema_hash"]
    items = [
        ({"fn": "echo", "params": {"text": "a"}, "schema": H}, None, "current schema"),
        ({"fn": "echo", "params": {"text": "a"}, "schema": "stale"}, ("stale_client", 409), "stale schema"),
        ({"fn": "echo", "params": {"text": "a"}, "schema": 5}, ("validation_failed", 422), "schema not a string"),
        ({"fn": "echo", "params": {"text": "a"}, "schema": None}, ("validation_failed", 422), "schema null"),
        ({"fn": "echo", "params": {"text": "a"}, "x": 1}, ("validation_failed", 422), "extra member"),
        ({"fn": 5}, ("validation_failed", 422), "fn not a string"),
        ({"params": {}}, ("validation_failed", 422), "fn missing"),
        ("echo", ("validation_failed", 422), "item not an object"),
        ({"fn": "nope", "x": 1}, ("validation_failed", 422), "extra member before unknown fn"),
        ({"fn": "nope", "schema": 1}, ("validation_failed", 422), "schema type before unknown fn"),
        ({"fn": "nope", "schema": "stale"}, ("not_found", 404), "unknown fn"),
        ({"fn": "greet", "params": {"name": "a"}}, ("method_not_allowed", 405), "context"),
        ({"fn": "greet", "schema": "stale"}, ("method_not_allowed", 405), "context before schema"),
        ({"fn": "admin.stats", "schema": "stale"}, ("stale_client", 409), "schema before auth requirement"),
        ({"fn": "admin.stats", "params": 5}, ("unauthenticated", 401), "auth requirement before params type"),
        ({"fn": "echo", "params": 5}, ("validation_failed", 422), "params not object"),
        ({"fn": "echo", "params": None}, ("validation_failed", 422), "params null"),
        ({"fn": "echo", "params": []}, ("validation_failed", 422), "params array"),
        ({"fn": "echo"}, ("validation_failed", 422), "params absent means {} -> missing text"),
        ({"fn": "echo", "params": {"text": 1, "y": 2}}, ("validation_failed", 422), "bad params"),
        ({"fn": "auth.logout"}, None, "params absent means {}"),
        ({"fn": ""}, ("not_found", 404), "empty fn name"),
        ({"fn": "echo", "params": {"text": "a"}, "schema": M["greet"]["schema_hash"]}, ("stale_client", 409),
         "other function's hash"),
    ]
    # X-Mizan-CSRF for auth.logout (§2.14.4); without a cookie it changes nothing for the other items.
    r = batch({"calls": [it for it, _, _ in items]}, headers=[("X-Mizan-CSRF", "1")])
    res = r.json.get("results", []) if isinstance(r.json, dict) else []
    check(S, f"batch of {len(items)} mixed items -> 200 with {len(items)} results",
          "an item that fails fails on its own, as below, and does not fail the batch", r.status == 200 and
          len(res) == len(items), r.short())
    for i, (it, want, label) in enumerate(items):
        got = res[i] if i < len(res) else {}
        if want is None:
            ok = got.get("ok") is True and "data" in got
        else:
            e = got.get("error", {})
            ok = got.get("ok") is False and e.get("code") == want[0] and e.get("status") == want[1] and \
                isinstance(e.get("message"), str)
        check(S, f"item {json.dumps(it)[:70]} ({label}) -> {want or 'ok'}", QI, ok, json.dumps(got)[:300])
    e = res[19].get("error", {}) if len(res) > 19 else {}
    fl = sorted(tuple(f.get("path", [])) for f in e.get("fields", []))
    check("2.2.1", "batch item params errors carry fields [text],[y]",
          "The check is §2.2.1; it also applies to ... every call in a batch (§2.4)", fl == [("text",), ("y",)], e)
    e = res[18].get("error", {}) if len(res) > 18 else {}
    check("2.2.1", "batch item without params: missing required parameter at [text]",
          "optionally `params` (absent means `{}`)", [(tuple(f["path"]), f["message"]) for f in e.get("fields", [])]
          == [(("text",), "missing required parameter")], e)
    r = batch({"calls": [{"fn": "echo", "params": {"text": "a"}}]}, headers=[("X-Mizan-Schema", "stale")])
    check(S, "batch's own X-Mizan-Schema is ignored", "The batch's own `X-Mizan-Schema` header, if any, is ignored.",
          r.status == 200 and r.json["results"][0].get("ok") is True, r.short())
    QO = ("the method is `POST` (405, `Allow: POST`), the content type (415), the declared length (413), "
          "authentication (401, §2.5), the body length (413), the JSON (400), the outer shape (422), the number of "
          "calls (413)")
    for body, want, label in [
        ("{}", ("validation_failed", 422), "no calls"), ('{"calls":{}}', ("validation_failed", 422), "calls object"),
        ('{"calls":[],"x":1}', ("validation_failed", 422), "extra member"), ("[]", ("validation_failed", 422),
                                                                               "array body"),
        ('{"calls":null}', ("validation_failed", 422), "calls null"),
        ("{", ("malformed_json", 400), "bad JSON"), ('{"calls":[],"calls":[]}', ("malformed_json", 400), "dup key"),
        ('{"calls":[1.5]}', None, "float in body is parsed (item then fails 422)"),
        (json.dumps({"calls": [{"fn": "echo", "params": {"text": "a"}}] * 33}), ("payload_too_large", 413),
         "33 calls"),
        (json.dumps({"calls": [{"fn": "nope"}] * 33, "x": 1}), ("validation_failed", 422),
         "outer shape before number of calls"),
    ]:
        r = batch(body)
        ok = err_shape(r, *want) if want else r.status == 200
        check(S, f"batch body {label} -> {want or 200}", "A body of another outer shape is `422 validation_failed`; "
                                                         "too many calls is `413 payload_too_large`. " + QO, ok,
              r.short()[:300])
    r = batch({"calls": []})
    check(S, "empty calls -> 200 results []", "an array of at most 32 (the server's limit) items",
          r.status == 200 and r.json == {"results": []}, r.short())
    r = batch({"calls": [{"fn": "echo", "params": {"text": str(i)}} for i in range(32)]})
    check(S, "32 calls -> 200 with 32 results", "an array of at most 32 (the server's limit) items",
          r.status == 200 and len(r.json.get("results", [])) == 32, r.short()[:200])
    r = batch('{"calls":[]}', ct="text/json")
    check(S, "batch with text/json -> 415", QO, err_shape(r, "unsupported_media_type", 415), r.short())
    r = batch("{", headers=[("Authorization", "Basic x")])
    check(S, "batch: bad credentials -> 401 whatever the body",
          "So a request with bad credentials is `401` whatever its body holds, and its body is never parsed.",
          err_shape(r, "unauthenticated", 401) and r.h("www-authenticate") == "Bearer", r.short())
    r = batch(json.dumps({"calls": [{"fn": "x"}] * 40}), headers=[("Authorization", "Bearer junk")])
    check(S, "batch: bad token with 40 calls -> 401", "a failure there fails the whole batch",
          r.status == 401, r.short())
    r = batch({"calls": [{"fn": "echo", "params": {"text": "a"}}]}, headers=[("Cookie", f"{cname}={ada_s}")])
    check(S, "cookie batch without CSRF -> 403 csrf for the whole batch",
          "Authentication (§2.5) happens once for the batch; a failure there fails the whole batch.",
          err_shape(r, "forbidden", 403) and r.json.get("details") == {"reason": "csrf"}, r.short())
    r = batch({"calls": [{"fn": "admin.stats"}, {"fn": "admin.stats"}]}, headers=[("Authorization", "Bearer " + ada)])
    res = r.json.get("results", [])
    check(S, "batch as ada: admin.stats items fail 403 on their own",
          "the function's auth requirement (401/403)", r.status == 200 and len(res) == 2 and
          all(x.get("error", {}).get("code") == "forbidden" for x in res), r.short())
    r = rec("batch declared 413", request("POST", f"{BASE}/batch", [("Content-Type", "application/json"),
                                                                    ("Authorization", "Bearer junk")],
                                          content_length=1048577, send_body=False))
    check(S, "batch: declared length (413) before authentication (401)", QO, r.status == 413, r.short())
    r = rec("batch no CT", request("POST", f"{BASE}/batch", [], body=b""))
    check(S, "batch with an empty body (= {}) -> 422 outer shape", "The body follows the rules of §2.2 ... MUST be "
                                                                 "an object with exactly the member `calls`",
          err_shape(r, "validation_failed", 422), r.short())
    # depth: raised by 3
    QD = "the depth limit is raised by 3 so that params nest as deep in a batch as in a call"
    p32 = '{"text":' + "[" * 31 + "]" * 31 + "}"
    p33 = '{"text":' + "[" * 32 + "]" * 32 + "}"
    r = batch('{"calls":[{"fn":"echo","params":' + p32 + "}]}")
    check(S, "batch item params nested 32 deep parse (item 422)", QD, r.status == 200 and
          r.json["results"][0].get("error", {}).get("code") == "validation_failed", r.short())
    r = batch('{"calls":[{"fn":"echo","params":' + p33 + "}]}")
    check(S, "batch item params nested 33 deep -> 400 depth_exceeded, message names 32", QD +
          " (and the error message names the server's limit for params)",
          err_shape(r, "malformed_json", 400) and r.json.get("details", {}).get("reason") == "depth_exceeded" and
          "32" in r.json.get("message", ""), r.short())
    # effects
    r = batch({"calls": [{"fn": "demo.sign_in", "params": {"user": "ada"}},
                         {"fn": "demo.sign_in", "params": {"user": "nobody"}},
                         {"fn": "demo.sign_in", "params": {"user": "grace"}}]})
    sc = r.hall("set-cookie")
    vals = [s.partition("=")[2].split(";")[0] for s in sc]
    subs = [get(ctx_url("current_user"), [("Cookie", f"{cname}={v}")]).json.get("id") for v in vals]
    check("2.10", "batch carries every Set-Cookie of every call, in call order (ada then grace)",
          "the batch's one response carries the effects of every call in it, in call order: every `Set-Cookie` of "
          "every call", r.status == 200 and subs[:1] == ["ada"] and subs[-1:] == ["grace"] and len(sc) in (2, 3),
          sc)
    # Logging out ends the session the request came with, so this batch comes with one.
    old = session_of(call("demo.sign_in", '{"user":"ada"}'))
    r = batch({"calls": [{"fn": "demo.sign_in", "params": {"user": "ada"}}, {"fn": "auth.logout"}]},
              headers=[("Cookie", f"{cname}={old}"), ("X-Mizan-CSRF", "1")])
    sc = r.hall("set-cookie")
    check("2.10", "batch sign_in then auth.logout: two Set-Cookie, removal last",
          "for two cookies of the same name, path and domain the browser keeps the later one, so a later call wins",
          len(sc) == 2 and sc[1].startswith(cname + "=;"), sc)


def error_table_checks():
    S = "2.6"
    table = {c["code"]: c["status"] for c in json.load(open(f"{VEC}/errors.json"))["codes"]}
    seen = {}
    bad_ct, bad_cc, bad_shape, bad_401, bad_status = [], [], [], [], []
    for label, r in SEEN_ERRORS:
        if "a b%22" in label:   # literal space: refused by the HTTP parser, see NOTE
            continue
        j = r.json
        if not (r.h("content-type") or "").startswith("application/json"):
            bad_ct.append(label)
        if r.h("cache-control") != "no-store":
            bad_cc.append(label)
        if r.status == 401 and r.h("www-authenticate") != "Bearer":
            bad_401.append(label)
        if label.startswith("HEAD"):
            continue
        if not (isinstance(j, dict) and isinstance(j.get("code"), str) and isinstance(j.get("message"), str)
                and j.get("status") == r.status):
            bad_shape.append(label + " " + r.short()[:120])
            continue
        seen.setdefault(j["code"], r.status)
        if table.get(j["code"]) != r.status:
            bad_status.append(label)
        extra = set(j) - {"code", "message", "status", "fields", "details"}
        if extra:
            bad_shape.append(label + f" extra members {extra}")
    n = len(SEEN_ERRORS)
    check(S, f"all {n} error answers: Content-Type application/json",
          "Every error response has `Content-Type: application/json`", not bad_ct, bad_ct[:5])
    check(S, f"all {n} error answers: Cache-Control no-store", "Every error response has ... `Cache-Control: "
                                                               "no-store`", not bad_cc, bad_cc[:5])
    check(S, f"all {n} error answers: code, message, status (= HTTP status)",
          "`code`, `message` and `status` are always present", not bad_shape, bad_shape[:5])
    check(S, "every code seen has the status of the table", "| code | status | ... (errors.json)", not bad_status,
          bad_status[:5])
    check("2.5", "every 401 carries WWW-Authenticate: Bearer", "Every `401` carries `WWW-Authenticate: Bearer`.",
          not bad_401, bad_401[:5])
    sniffable = [label for label, r in SEEN_ERRORS if "a b%22" not in label and r.h("x-content-type-options") != "nosniff"]
    check("2.11", f"all {n} error answers: X-Content-Type-Options: nosniff",
          "Every answer of the API, and the HTML shell (§2.8), carries `X-Content-Type-Options: nosniff`.",
          not sniffable, sniffable[:5])
    print(f"      (codes observed: {sorted(seen)})")


def limits_and_cors_checks():
    NS = "Every answer of the API, and the HTML shell (§2.8), carries `X-Content-Type-Options: nosniff`."
    for label, r in [("call 200", call("echo", '{"text":"n"}')),
                     ("context 200", get(f"{BASE}/context/current_user")),
                     ("manifest 200", get(f"{BASE}/manifest")),
                     ("shell page", request("GET", "/"))]:
        check("2.11", f"{label}: X-Content-Type-Options: nosniff", NS, r.h("x-content-type-options") == "nosniff",
              r.short()[:200])
    PRE = ("By default the API allows no other origin: it sends no `Access-Control-*` header, and a CORS preflight "
           "(`OPTIONS`) gets `405 method_not_allowed` like any other `OPTIONS` request.")
    r = rec("OPTIONS preflight", request("OPTIONS", f"{BASE}/call/echo", [
        ("Origin", "https://elsewhere.example"), ("Access-Control-Request-Method", "POST"),
        ("Access-Control-Request-Headers", "content-type")]))
    check("2.12", "preflight without CORS configured -> 405 method_not_allowed, no Access-Control-* header", PRE,
          err_shape(r, "method_not_allowed", 405) and not any(k.startswith("access-control-") for k, _ in r.headers),
          r.short())
    r = call("echo", '{"text":"o"}', headers=[("Origin", "https://elsewhere.example")])
    check("2.12", "cross-origin call without CORS -> answered, no Access-Control-* header", PRE,
          r.status == 200 and not any(k.startswith("access-control-") for k, _ in r.headers), r.short())


def extra_checks(M):
    H = M["echo"]["schema_hash"]
    r = call("echo", '{"text":"s"}', headers=[("X-Mizan-Schema", "  " + H + "\t ")])
    check("2.2", "X-Mizan-Schema with surrounding OWS (not part of the field value, RFC 9110 §5.5) -> 200",
          "its value MUST equal the server's current `schema_hash` of the function byte for byte",
          r.status == 200, r.short())
    r = rec("absolute-form", request("GET", f"http://{HOST}:{PORT}{BASE}/context/current_user?rev=2"))
    check("2.3", "absolute-form request target: query read after the first ? -> 200",
          "the characters after the first `?` of the request target", r.status == 200, r.short())
    r = call("echo", '{"text":"a"}', headers=[("Authorization", "Bearer a,b;c=d")])
    check("2.5", "Bearer token with punctuation is verified (malformed_token), not a syntax 401",
          "then the token: one or more characters none of which is a space, tab, CR or LF",
          r.status == 401 and r.json.get("details", {}).get("reason") == "malformed_token", r.short())
    r = call("echo", '{"text":"a"}', headers=[("Authorization", ""), ("Authorization", "")])
    check("2.5", "two empty Authorization headers -> 401", "two or more field lines named `Authorization`",
          r.status == 401, r.short())
    r = batch({"calls": [{"fn": "a..b"}, {"fn": "echo.", "params": {}}, {"fn": "ECHO", "params": {"text": "a"}}]})
    res = r.json.get("results", []) if isinstance(r.json, dict) else []
    check("2.4", "items with invalid or differently-cased names -> 404 each", "the function exists (404)",
          r.status == 200 and [x.get("error", {}).get("status") for x in res] == [404, 404, 404], r.short())
    note("2.2.1", "The demo's input schemas have no constraints (no minLength/maxLength/pattern/minimum/enum/"
                  "uniqueItems/anyOf/nested objects/optional members), so constraint violations, nested field "
                  "paths, 'missing required field'/'unknown field', union rules and 'optional: absent or null' could "
                  "not be exercised on the wire.")
    note("2.5", "Tokens without `sub`, expired / not-yet-valid / wrong-issuer tokens and malformed_payload need the "
                "demo's secret, which the spec does not give (the demo logs 'using the public demo secret'): "
                "skipped. Only failures at steps 1-7 of §1.5.4 were exercised.")
    note("2.10", "No demo function sets its own headers, X-Mizan-Invalidate / X-Mizan-Rev, or a cookie from a "
                 "context; those rules were not exercised.")


def main():
    t0 = time.time()
    proc = None
    folder = None
    if SPAWN:
        import subprocess
        import tempfile
        # Its own database, never the demo's default file (which would also keep users and sessions
        # from one run to the next).
        folder = tempfile.TemporaryDirectory(prefix="mizan-conformance-")
        database = "sqlite://" + os.path.join(folder.name, "demo.sqlite3")
        env = dict(os.environ, MIZAN_DEMO_ADDR=f"{HOST}:{PORT}", MIZAN_SECRET=SECRET_HEX)
        proc = subprocess.Popen([DEMO, "--dev", "--database-url", database], env=env, cwd=folder.name,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(50):
            try:
                request("GET", f"{BASE}/manifest")
                break
            except Exception as e:
                err = e
                time.sleep(0.1)
        else:
            print(f"server not reachable on {HOST}:{PORT}: {err}")
            sys.exit(2)
        rc = run(t0)
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except Exception:
                proc.kill()
                proc.wait()
        if folder is not None:
            folder.cleanup()
    sys.exit(rc)


def run(t0):
    selftests()
    M = manifest_checks()
    routing_checks()
    call_checks(M)
    context_checks(M)
    cname, ada_s, ada = auth_checks(M)
    batch_checks(M, cname, ada_s, ada)
    extra_checks(M)
    forms_checks.run(sys.modules[__name__], M)
    accounts_checks.run(sys.modules[__name__])
    channels_checks.run(sys.modules[__name__])
    cache_checks.run(sys.modules[__name__], M)
    limits_and_cors_checks()
    error_table_checks()
    server = [x for x in RESULTS if not x[1].startswith("self")]
    npass = sum(1 for x in server if x[0])
    nfail = len(server) - npass
    print("\n==================== SUMMARY ====================")
    print(f"server checks: {len(server)}  PASS {npass}  FAIL {nfail}   (+ {len(RESULTS) - len(server)} self-tests, "
          f"{sum(1 for x in RESULTS if x[1].startswith('self') and not x[0])} failed)   {time.time() - t0:.1f}s")
    if not QUIET:
        for sec, text in NOTES:
            print(f"NOTE [{sec}] {text}")
    for sec, name, why in forms_checks.XFAILS + accounts_checks.XFAILS + channels_checks.XFAILS + \
            cache_checks.XFAILS:
        print(f"XFAIL [{sec}] {name}\n     demo bug, reported (not counted): {why}")
    for ok, sec, name, quote, detail in RESULTS:
        if not ok:
            print(f"FAIL [{sec}] {name}\n     spec: {quote}\n     got:  {str(detail)[:400]}")
    return 1 if any(not ok for ok, *_ in RESULTS) else 0


if __name__ == "__main__":
    main()
