"""Context cache checks (spec/PROTOCOL.md §2.16, with §1.3, §1.4, §2.3 and §2.10), written from the spec alone and
run by check.run with C (check.py's module: request helpers, canonical JSON, `check`, `note`).

The demo's policies come from its manifest, never from here, except for the functions the task named: `greet`
(`{name}`), the notes board `notes` (`{board}`, board 1 to 40 characters of `a-z 0-9 -`) and the call `notes.add`
(`{board, text}`, text 1 to 280 characters) that invalidates `notes:{board}`. cache_tags.py predicts the tags;
cache_reads.py holds the reads (hit and miss, headers, `X-Mizan-Pk`), cache_revs.py the purges and revs.
"""
import hashlib
import hmac
import json
import os
import re
import sys

import cache_tags as T
from known_failures import make_chk  # noqa: E402

XFAILS = []  # (section, name, why)
# name -> why, for checks the demo is known to fail (reported as demo bugs)
KNOWN: dict[str, str] = {}
TAG = os.urandom(3).hex()
SCOPES = ("public", "permission", "user")
TYPES = ("string", "integer", "boolean")
WIDE_INT = re.compile(r"-?(0|[1-9][0-9]*)")


chk = make_chk(KNOWN, XFAILS)


def permission_key(C, secret, descriptor):
    """§1.4: hex(first 16 bytes of HMAC(key(permission), canonical(descriptor)))."""
    key = C.hkdf(secret, b"mizan.v1", b"mizan.v1.permission")
    return hmac.new(key, C.canonical(descriptor), hashlib.sha256).digest()[:16].hex()


def pk_selftest(C):
    v = json.load(open(os.path.join(C.VEC, "canonical.json"), encoding="utf-8"))
    sec = bytes.fromhex(v["secret_hex"])
    bad = []
    for c in (c for c in v["permission_keys"] if "pk" in c):
        d = ["mizan.pk.v1", c["scope"]] + ([c["user_id"]] if "user_id" in c else [])
        if permission_key(C, sec, d) != c["pk"]:
            bad.append(c)
    C.check("self", "permission keys (vectors/canonical.json permission_keys)",
            "pk = hex(first 16 bytes of HMAC(key(permission), canonical(descriptor)))", not bad, bad)


def slot_type(inp, name):
    """The §2.16.2 type of a slot's parameter in input schema `inp`, or None when it may not be a slot."""
    if name not in (inp.get("required") or []):
        return None
    s = (inp.get("properties") or {}).get(name) or {}
    for _ in range(8):  # a local `$ref` (`#/$defs/Name`), as schemars writes named types
        ref = s.get("$ref")
        if not (isinstance(ref, str) and ref.startswith("#/$defs/")):
            break
        s = (inp.get("$defs") or {}).get(ref[len("#/$defs/"):]) or {}
    t = s.get("type")
    if t in TYPES:
        # A 64-bit integer is sent as a string (§2.9) and counts as `integer`.
        return t
    return None


def policy_checks(C, M):
    """The members `cache` and `invalidates` of every manifest entry (§2.16.1, §2.16.2)."""
    S = "2.16.1"
    q_left = "`cache`; calls that invalidate have a member `invalidates`. Both are left out when absent."
    for n, f in sorted(M.items()):
        pol = f.get("cache")
        if "cache" in f:
            ok = f.get("kind") == "context" and isinstance(pol, dict) and \
                set(pol) == {"scope", "max_age", "swr", "tags"} and pol.get("scope") in SCOPES
            ma, swr = (pol.get("max_age"), pol.get("swr")) if isinstance(pol, dict) else (None, None)
            ok = ok and type(ma) is int and 1 <= ma <= 31536000 and type(swr) is int and 0 <= swr <= 31536000
            chk(C, S, f"{n}: cache is a context's policy with scope, max_age, swr and tags in range",
                "| `cache.scope` | `public` ... `permission` ... `user` | `cache.max_age` | ... `1 ..= 31536000` | "
                "`cache.swr` | ... `0 ..= 31536000`; default `300` |", ok, pol)
            tags = pol.get("tags") if isinstance(pol, dict) else None
            template_checks(C, f, tags, False)
        if "invalidates" in f:
            inv = f.get("invalidates")
            chk(C, S, f"{n}: invalidates belongs to a call", "calls that invalidate have a member `invalidates`",
                f.get("kind") == "call" and isinstance(inv, list), (f.get("kind"), inv))
            template_checks(C, f, inv, True)
            for t in inv if isinstance(inv, list) else []:
                if isinstance(t, str) and t.startswith("mizan:fn:"):
                    target = M.get(t[len("mizan:fn:"):]) or {}
                    chk(C, "2.16.2", f"{n}: invalidates {t} names a context with a policy",
                        "An `invalidates(contexts = [...])` name must be a registered context with a policy",
                        target.get("kind") == "context" and isinstance(target.get("cache"), dict), target.get("cache"))
    for n in ("greet", "notes", "notes.add", "current_user", "echo"):
        if n in M:
            continue
        C.note(S, f"the demo has no function {n}: checks that use it are skipped")
    want = {"greet": ("cache", {"scope": "public", "max_age": 60, "tags": ["greetings"]}),
            "notes": ("cache", {"scope": "public", "max_age": 300, "tags": ["notes:{board}"]}),
            "notes.add": ("invalidates", ["notes:{board}"])}
    for n, (member, value) in want.items():
        got = (M.get(n) or {}).get(member)
        if isinstance(got, dict):
            got = {k: v for k, v in got.items() if k != "swr"}
        chk(C, S, f"{n}: the manifest's {member} is the demo's declaration {json.dumps(value)}",
            "The manifest entry of a context with a policy has a member `cache`; calls that invalidate have a "
            "member `invalidates`.", got == value, (M.get(n) or {}).get(member))
    for n in ("greet", "notes"):
        if isinstance((M.get(n) or {}).get("cache"), dict):
            chk(C, S, f"{n} declares no swr: the manifest writes the default, 300",
                "`cache.swr` | ... default `300`, and written even when it is the default",
                M[n]["cache"].get("swr") == 300, M[n]["cache"])
    for n in ("current_user", "echo"):
        if n in M:
            chk(C, S, f"{n} (no policy, no invalidation) has neither cache nor invalidates", q_left,
                "cache" not in M[n] and "invalidates" not in M[n], {k: M[n].get(k) for k in ("cache", "invalidates")})


def template_checks(C, f, templates, invalidates):
    n = f.get("name")
    what = "invalidates" if invalidates else "cache.tags"
    ok = isinstance(templates, list) and all(isinstance(t, str) for t in templates) and \
        len(set(templates)) == len(templates)
    chk(C, "2.16.1", f"{n}: {what} is an array of distinct templates",
        f"| `{what}` | tag templates (§2.16.2), each once", ok, templates)
    inp = f.get("input") or {}
    for t in templates if ok else []:
        try:
            names = T.slots(t, invalidates)
            err = None
        except T.TagError as e:
            names, err = [], e.code
        chk(C, "2.16.2", f"{n}: {what} template {t!r} parses",
            "Registration fails otherwise, and for an empty template, a `{` with no `}` ...", err is None, err)
        bad = [s for s in names if slot_type(inp, s) is None]
        chk(C, "2.16.2", f"{n}: the slots of {t!r} name required string, integer or boolean params",
            "A slot's parameter must be required and of type `string`, `integer` or `boolean` in the input schema",
            not bad and not (names and f.get("context") == "global"), (bad, f.get("context")))


def run(C, M):
    pk_selftest(C)
    T.selftests(C)
    import cache_reads
    import cache_revs
    t0 = len(C.RESULTS)
    policy_checks(C, M)
    if not all(n in M for n in ("greet", "notes", "notes.add")):
        return len(C.RESULTS) - t0
    K = sys.modules[__name__]
    cache_reads.run(C, K, M)
    cache_revs.run(C, K, M)
    # X-Mizan-Pk tells an edge what it may keep: never on an error (neither a hit nor a miss).
    bad = [lbl for lbl, r in C.SEEN_ERRORS if r.h("x-mizan-pk") is not None]
    chk(C, "2.16.8", "no error answer seen in the whole run carries X-Mizan-Pk", cache_reads.Q_PK, not bad, bad[:5])
    return len(C.RESULTS) - t0
