"""A form checker written from spec/PROTOCOL.md §2.13.2 and §2.13.4 alone (standard library only).

check_values(spec, values, mode) -> {path tuple: message}; mode is "validate" (files as descriptions)
or "submit_json" (a JSON submit, which cannot carry a file). Numbers are what `json.loads` gives:
int (exact) or float; booleans are never numbers. Pinned by spec/vectors/forms.json (selftest()).
"""
import datetime
import json
import os
import re
from decimal import Decimal

SAFE = 2 ** 53 - 1

# §2.13.2: "the one of the HTML standard for <input type=email>". `$` is "end of the string" (§2.7.1),
# which in Python is \Z (Python's `$` also matches before a final "\n").
EMAIL = ("^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
         "(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$")
URL = ("^[Hh][Tt][Tt][Pp][Ss]?://[^\\t\\n\\v\\f\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F"
       "\\u205F\\u3000/?#]+[^\\t\\n\\v\\f\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F"
       "\\u3000]*$")
DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?\Z")
DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})\Z")
TIME = re.compile(r"([0-9]{2}):([0-9]{2})(?::([0-9]{2}))?\Z")

EMPTY_IS_MISSING = {"text", "email", "url", "decimal", "choice", "date", "time", "datetime"}


def portable_to_python(pattern):
    """Compile a §2.7.1 pattern with Python's re, keeping its meaning: outside a class `$` is the end
    of the string (\\Z) and `^` its start (\\A); `\\/` is `/`. Everything else in the subset reads
    the same in Python (`\\xHH`, `\\uHHHH`, `\\v`, classes, lazy quantifiers)."""
    out, i, in_class = [], 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            nxt = pattern[i + 1]
            out.append("/" if nxt == "/" else "\\" + nxt)
            i += 2
            continue
        if in_class:
            if c == "]" and not (out and out[-1] in ("[", "[^")):
                in_class = False
                out.append(c)
            elif c in "&~|":  # a lone one is literal in both engines; Python warns on doubles
                out.append("\\" + c)
            else:
                out.append(c)
        elif c == "[":
            in_class = True
            if pattern[i + 1:i + 2] == "^":
                out.append("[^")
                i += 2
                continue
            out.append("[")
        elif c == "$":
            out.append(r"\Z")
        elif c == "^":
            out.append(r"\A")
        else:
            out.append(c)
        i += 1
    return re.compile("".join(out))


EMAIL_RE = portable_to_python(EMAIL)
URL_RE = portable_to_python(URL)
_PATTERNS = {}


def whole_number(v):
    """§2.13.1 integer: a JSON number that, read as the nearest double, is whole and within ±(2^53 − 1).
    Returns the double, or None."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    try:
        x = float(v)
    except OverflowError:
        return None
    if x != x or x in (float("inf"), float("-inf")) or not x.is_integer() or abs(x) > SAFE:
        return None
    return x


def _date(s):
    m = DATE.match(s) if isinstance(s, str) else None
    if not m:
        return None
    try:
        return datetime.date(int(m[1]), int(m[2]), int(m[3]))  # years 1..9999, real days
    except ValueError:
        return None


def _time(s):
    m = TIME.match(s) if isinstance(s, str) else None
    if not m:
        return None
    h, mi, se = int(m[1]), int(m[2]), int(m[3] or 0)
    if h > 23 or mi > 59 or se > 59:
        return None
    return (h, mi, se)  # HH:MM compares as HH:MM:00


def _datetime(s):
    if not isinstance(s, str) or s.count("T") != 1:
        return None
    d, t = s.split("T")
    d, t = _date(d), _time(t)
    return None if d is None or t is None else (d, t)


TEMPORAL = {"date": (_date, "Enter a valid date."), "time": (_time, "Enter a valid time."),
            "datetime": (_datetime, "Enter a valid date and time.")}


def decimal_digits(s):
    """(digits in total, decimal places) as §2.13.2 counts them: `007.50` has 3 and 2."""
    s = s.lstrip("-")
    ip, _, fp = s.partition(".")
    return len(ip.lstrip("0")) + len(fp), len(fp)


def essence(t):
    e = t.split(";", 1)[0].strip(" \t")
    return "".join(chr(ord(c) + 32) if "A" <= c <= "Z" else c for c in e)


def accepts(accept, t):
    e = essence(t)
    for a in accept:
        if a.endswith("/*"):
            if e.startswith(a[:-1]) and len(e) > len(a) - 1:
                return True
        elif e == a:
            return True
    return False


def is_file_description(v):
    return (isinstance(v, dict) and set(v) == {"name", "size", "type"} and isinstance(v["name"], str)
            and isinstance(v["type"], str) and whole_number(v["size"]) is not None and v["size"] >= 0)


def is_missing(f, v):
    k = f["kind"]
    return (v is None or (v == "" and isinstance(v, str) and k in EMPTY_IS_MISSING)
            or (k == "multichoice" and v == [] and isinstance(v, list))
            or (k == "boolean" and v is False and f["required"]))


def check_field(f, v, p, mode, errs):
    """The checks of f.kind on a value that is not missing; the first failing one is the error at p."""
    k = f["kind"]
    if k in ("text", "email", "url"):
        bad = {"text": "Enter a valid value.", "email": "Enter a valid email address.",
               "url": "Enter a valid URL."}[k]
        if not isinstance(v, str):
            return bad
        if "min_length" in f and len(v) < f["min_length"]:
            return f"Ensure this value has at least {f['min_length']} characters."
        if "max_length" in f and len(v) > f["max_length"]:
            return f"Ensure this value has at most {f['max_length']} characters."
        if k == "text" and "pattern" in f:
            rx = _PATTERNS.get(f["pattern"])
            if rx is None:
                rx = _PATTERNS[f["pattern"]] = portable_to_python("^(?:" + f["pattern"] + ")$")
            if not rx.search(v):
                return f.get("pattern_message", "Enter a valid value.")
        if k != "text" and not (EMAIL_RE if k == "email" else URL_RE).search(v):
            return bad
        return None
    if k == "integer":
        x = whole_number(v)
        if x is None:
            return "Enter a whole number."
        if "min" in f and x < f["min"]:
            return f"Ensure this value is greater than or equal to {json.dumps(f['min'])}."
        if "max" in f and x > f["max"]:
            return f"Ensure this value is less than or equal to {json.dumps(f['max'])}."
        return None
    if k == "decimal":
        if not isinstance(v, str) or not DECIMAL.match(v):
            return "Enter a number."
        digits, places = decimal_digits(v)
        if "max_digits" in f and digits > f["max_digits"]:
            return f"Ensure that there are no more than {f['max_digits']} digits in total."
        if "decimal_places" in f and places > f["decimal_places"]:
            return f"Ensure that there are no more than {f['decimal_places']} decimal places."
        if "min" in f and Decimal(v) < Decimal(f["min"]):
            return f"Ensure this value is greater than or equal to {f['min']}."
        if "max" in f and Decimal(v) > Decimal(f["max"]):
            return f"Ensure this value is less than or equal to {f['max']}."
        return None
    if k == "boolean":
        return None if isinstance(v, bool) else "Enter a valid boolean."
    values = [c["value"] for c in f.get("choices", [])]
    if k == "choice":
        return None if isinstance(v, str) and v in values else "Select a valid choice."
    if k == "multichoice":
        if not isinstance(v, list):
            return "Enter a list of values."
        if "min_items" in f and len(v) < f["min_items"]:
            return f"Select at least {f['min_items']} options."
        if "max_items" in f and len(v) > f["max_items"]:
            return f"Select at most {f['max_items']} options."
        for i, item in enumerate(v):
            if not (isinstance(item, str) and item in values):
                errs[p + (i,)] = "Select a valid choice."
        return None
    if k in TEMPORAL:
        parse, bad = TEMPORAL[k]
        x = parse(v)
        if x is None:
            return bad
        if "min" in f and x < parse(f["min"]):
            return f"Ensure this value is on or after {f['min']}."
        if "max" in f and x > parse(f["max"]):
            return f"Ensure this value is on or before {f['max']}."
        return None
    if k == "group":
        if not isinstance(v, dict):
            return "Enter a valid value."
        check_object(f["fields"], v, p, mode, errs)
        return None
    if k == "rows":
        if not isinstance(v, list):
            return "Enter a list of values."
        if "min_items" in f and len(v) < f["min_items"]:
            return f"Ensure there are at least {f['min_items']} rows."
        if "max_items" in f and len(v) > f["max_items"]:
            return f"Ensure there are at most {f['max_items']} rows."
        for i, row in enumerate(v):
            if not isinstance(row, dict):
                errs[p + (i,)] = "Enter a valid value."
            else:
                check_object(f["fields"], row, p + (i,), mode, errs)
        return None
    if k == "file":
        if mode != "validate" or not is_file_description(v):
            return "Upload a valid file."
        if "accept" in f and not accepts(f["accept"], v["type"]):
            return "This file type is not allowed."
        if v["size"] > f["max_size"]:
            return f"Ensure this file is at most {f['max_size']} bytes."
        return None
    raise ValueError(f"unknown kind {k}")


def check_object(fields, obj, p, mode, errs):
    names = {f["name"] for f in fields}
    for key in obj:
        if key not in names:
            errs[p + (key,)] = "Unknown field."
    for f in fields:
        fp = p + (f["name"],)
        v = obj.get(f["name"])
        if is_missing(f, v):
            if f["required"]:
                errs[fp] = "This field is required."
            continue
        m = check_field(f, v, fp, mode, errs)
        if m is not None:
            errs[fp] = m


def check_values(spec, values, mode="validate"):
    errs = {}
    if not isinstance(values, dict):
        return {(): "Enter a valid value."}
    check_object(spec["fields"], values, (), mode, errs)
    return errs


def as_map(fields):
    """A wire `fields` list as {path tuple: message} (None when a path repeats)."""
    out = {}
    for e in fields:
        p = tuple(e["path"])
        if p in out:
            return None
        out[p] = e["message"]
    return out


def selftest(vec_dir):
    """Run every case of forms.json; returns (passed, [(case, got)] failures)."""
    d = json.load(open(os.path.join(vec_dir, "forms.json")))
    forms = {f["name"]: f for f in d["forms"]}
    ok, bad = 0, []
    for c in d["cases"]:
        values = json.loads(c["values_text"]) if "values_text" in c else c["values"]
        got = check_values(forms[c["form"]], values, c["mode"])
        if got == as_map(c["fields"]):
            ok += 1
        else:
            bad.append((c, got))
    return ok, bad


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    n, bad = selftest(os.path.join(os.path.dirname(here), "vectors"))
    for c, got in bad:
        print("FAIL", c.get("note"), json.dumps(c.get("values", c.get("values_text")))[:200],
              "\n   want", c["fields"], "\n   got ", got)
    print(f"{n} passed, {len(bad)} failed")
