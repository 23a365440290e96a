"""Tag templates and the tags of an answer (spec/PROTOCOL.md §2.16.1 and §2.16.2), written from the spec alone and
pinned by spec/vectors/cache_tags.json (selftests). cache_checks.py uses it to predict a server's `Cache-Tag`,
`Surrogate-Key` and `X-Mizan-Invalidate`.

Errors carry the codes the vectors name; the spec does not order the template errors, so each vector case has
exactly one fault and the order below (empty, reserved prefix, then left to right) is this checker's.
"""
import hashlib
import json
import os
import re

TAG_RE = re.compile(r"[A-Za-z0-9_.:%-]{1,128}")
SLOT_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
FN_SEGMENT_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
LITERAL = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.:-%")
# Bytes a slot's value keeps as they are (`:` and `%` are escaped, so a value cannot fake a template's structure).
KEEP = set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-")


class TagError(Exception):
    """A template that does not parse, or params that do not expand it; `code` is the vectors' name."""

    def __init__(self, code):
        super().__init__(code)
        self.code = code


def valid_tag(t):
    """**Tags.** A tag is 1 to 128 bytes of `A-Z a-z 0-9 _ . : - %`."""
    return isinstance(t, str) and TAG_RE.fullmatch(t) is not None


def valid_function_name(n):
    """§1.3: 1..=128 bytes, segments joined by `.`, each `[A-Za-z_][A-Za-z0-9_]*`."""
    return 0 < len(n.encode("utf-8")) <= 128 and all(FN_SEGMENT_RE.fullmatch(s) for s in n.split("."))


def parse(template, invalidates=False):
    """The template's parts, in order: ("lit", text) or ("slot", name). Raises TagError."""
    if template == "":
        raise TagError("empty_template")
    if template.startswith("mizan:"):
        if invalidates and template.startswith("mizan:fn:"):
            if not valid_function_name(template[len("mizan:fn:"):]):
                raise TagError("invalid_function_tag")
            return [("lit", template)]
        raise TagError("reserved_prefix")
    parts, lit, i = [], "", 0
    while i < len(template):
        ch = template[i]
        if ch == "{":
            close = template.find("}", i + 1)
            if close < 0 or "{" in template[i + 1:close]:
                raise TagError("unclosed_brace")
            name = template[i + 1:close]
            if SLOT_NAME_RE.fullmatch(name) is None:
                raise TagError("invalid_slot_name")
            if lit:
                parts.append(("lit", lit))
                lit = ""
            parts.append(("slot", name))
            i = close + 1
            continue
        if ch == "}":
            raise TagError("stray_closing_brace")
        if ch not in LITERAL:
            raise TagError("invalid_character")
        lit += ch
        i += 1
    if lit:
        parts.append(("lit", lit))
    if sum(len(t.encode("utf-8")) for k, t in parts if k == "lit") > 128:
        raise TagError("template_too_long")
    return parts


def slots(template, invalidates=False):
    return [t for k, t in parse(template, invalidates) if k == "slot"]


def value_text(v):
    """A slot's value written as text: an integer in decimal, `true`/`false`, a string as its UTF-8 bytes."""
    if isinstance(v, bool):
        return b"true" if v else b"false"
    if isinstance(v, int):
        return str(v).encode()
    if isinstance(v, str):
        return v.encode("utf-8")
    raise TagError("unsupported_param_type")


def first16_hex(b):
    return hashlib.sha256(b).digest()[:16].hex()


def expand(template, params, invalidates=False):
    """The tag of `template` with params `params`. Raises TagError (missing_param, unsupported_param_type)."""
    out = b""
    for kind, text in parse(template, invalidates):
        if kind == "lit":
            out += text.encode("ascii")
            continue
        if text not in params:
            raise TagError("missing_param")
        out += "".join(chr(c) if c in KEEP else "%%%02X" % c for c in value_text(params[text])).encode("ascii")
    if len(out) == 0 or len(out) > 128:
        return "mizan:h:" + first16_hex(out)
    return out.decode("ascii")


def answer_tags(canonical, fn, params, templates):
    """The tags of an answer of context `fn` with params `params`, in order, without repeats (§2.16.2);
    `canonical` is the §1.1 writer (check.canonical)."""
    tags = ["mizan:fn:" + fn, "mizan:p:" + first16_hex(canonical(["mizan.tag.v1", fn, params]))]
    tags += [expand(t, params) for t in templates]
    return list(dict.fromkeys(tags))


def _mismatches(cases, key, run):
    """(name, got, want) of each vector case whose outcome differs from its `key` member (or its
    `error` code): `run(case)`, or the code of the TagError it raised."""
    bad = []
    for c in cases:
        try:
            got = {key: run(c)}
        except TagError as e:
            got = {"error": e.code}
        want = {"error": c["error"]} if "error" in c else {key: c[key]}
        if got != want:
            bad.append((c["name"], got, want))
    return bad


def selftests(C):
    """This model against spec/vectors/cache_tags.json (so the predictions of cache_checks.py are trustworthy)."""
    v = json.load(open(os.path.join(C.VEC, "cache_tags.json"), encoding="utf-8"))
    bad = [c["name"] for c in v["tags"] if valid_tag(c["tag"]) != c["valid"]]
    C.check("self", "tag validity (vectors/cache_tags.json tags)", "A tag is 1 to 128 bytes of `A-Z a-z 0-9 _ . : - %`",
            not bad, bad)
    bad = _mismatches(v["templates"], "slots", lambda c: slots(c["template"], c["invalidates"]))
    C.check("self", "template parsing (vectors/cache_tags.json templates)", "A template is literal tag characters and "
            "**slots** `{param}` ... Registration fails otherwise", not bad, bad)
    bad = _mismatches(v["expand"], "tag", lambda c: expand(c["template"], c["params"]))
    C.check("self", "expansion (vectors/cache_tags.json expand)", "To **expand** a template with params `P`: each slot "
            "becomes its parameter's value written as text ... replaced by `mizan:h:`", not bad, bad)
    bad = _mismatches(v["answers"], "tags",
                      lambda c: answer_tags(C.canonical, c["function"], c["params"], c["templates"]))
    C.check("self", "tags of an answer (vectors/cache_tags.json answers)", "The **tags of an answer** of context `f` "
            "with canonical params `P` are, in this order, without repeats", not bad, bad)
