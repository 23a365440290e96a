"""contact.submit as JSON and as multipart/form-data (spec/PROTOCOL.md §2.13.3, §2.13.4), from the spec alone."""
import json

import forms_checks as FC
import forms_model as FM

BOUNDARY = "mizanConformanceB0undary"
MP = f"multipart/form-data; boundary={BOUNDARY}"
GOOD = {"name": "Ada", "email": "ada@example.com", "topic": "bug", "message": "Hello there, Mizan."}


def part(name, data, filename=None, ctype=None):
    """One part; name None leaves out the name parameter."""
    disp = "Content-Disposition: form-data"
    if name is not None:
        disp += f'; name="{name}"'
    if filename is not None:
        disp += f'; filename="{filename}"'
    head = disp.encode() + (b"\r\nContent-Type: " + ctype.encode() if ctype else b"")
    data = data.encode() if isinstance(data, str) else data
    return b"--" + BOUNDARY.encode() + b"\r\n" + head + b"\r\n\r\n" + data + b"\r\n"


def body(*parts, close=True):
    return b"".join(parts) + (b"--" + BOUNDARY.encode() + b"--\r\n" if close else b"")


def values_part(v):
    return part("__values", json.dumps(v))


def dotted(values):
    return [part(k, v) for k, v in values.items()]


def submit_mp(C, b, **kw):
    return C.call("contact.submit", b, ct=MP, **kw)


def is_output(j, name, attachment):
    """The handler's output as the manifest's output schema says; attachment "*" is any string."""
    if not (isinstance(j, dict) and set(j) == {"number", "name", "attachment"} and FC.is_int(j["number"])
            and j["name"] == name):
        return False
    return isinstance(j["attachment"], str) if attachment == "*" else j["attachment"] == attachment


def fields_are(r, want):
    j = r.json
    return (r.status == 422 and isinstance(j, dict) and j.get("code") == "validation_failed"
            and isinstance(j.get("fields"), list) and FM.as_map(j["fields"]) == want)


def json_submit_checks(C, spec):
    S = "2.13.3"
    r = C.call("contact.submit", json.dumps(GOOD))
    C.check(S, "JSON submit of valid values -> 200 with the handler's output",
            "Otherwise runs the form's handler, whose output is the answer.",
            r.status == 200 and is_output(r.json, "Ada", None), r.short())
    n1 = r.json.get("number") if isinstance(r.json, dict) else None
    r = C.call("contact.submit", json.dumps(GOOD))
    C.check(S, "a second valid submit runs the handler again (its counter moves on)",
            "runs the form's handler", isinstance(r.json, dict) and r.json.get("number") == (n1 or 0) + 1, r.short())
    cases = [("invalid", dict(GOOD, name="A", topic="nope", extra=1)),
             ("a file description (JSON cannot carry a file)",
              dict(GOOD, attachment={"name": "a.png", "size": 1, "type": "image/png"})),
             ("the server rule", dict(GOOD, email="x@blocked.example")),
             ("everything missing", {})]
    for label, vals in cases:
        r = C.call("contact.submit", json.dumps(vals))
        mine, rule = FC.expected(spec, vals, "submit_json")
        got = FM.as_map(r.json.get("fields", [])) if isinstance(r.json, dict) else None
        C.check(S, f"JSON submit, {label} -> 422 validation_failed with my errors",
                "any error is `422 validation_failed` with those `fields` and nothing was done",
                r.status == 422 and r.json.get("code") == "validation_failed" and agrees(mine, rule, got),
                r.short())
    r = C.call("contact.submit", json.dumps({f"x{i}": i for i in range(150)}))
    j = r.json if isinstance(r.json, dict) else {}
    C.check("2.13.3", "submit with 150 unknown members: 100 fields and details.truncated (as §2.2.1)",
            "`fields` holds at most 100 entries ... `details` is `{\"truncated\": true}`",
            r.status == 422 and len(j.get("fields", [])) == 100 and j.get("details") == {"truncated": True},
            r.short())
    r = C.call("contact.validate", json.dumps({f"x{i}": i for i in range(150)}))
    j = r.json if isinstance(r.json, dict) else {}
    C.check("2.13.3", "validate with 150 unknown members: 200, 100 fields and `truncated: true`",
            "(reworded) validate's answer then has `\"truncated\": true` beside `fields`",
            r.status == 200 and len(j.get("fields", [])) == 100 and j.get("truncated") is True, r.short())
    for b in ('"x"', "[]", "null"):
        for fn in ("validate", "submit"):
            r = C.call(f"contact.{fn}", b)
            C.check("2.13.3", f"contact.{fn} with JSON {b} (not an object) -> 422 validation_failed as any call",
                    "(reworded) A body that is JSON but not an object is refused as for any call (§2.2)",
                    r.status == 422 and r.json.get("code") == "validation_failed", r.short())


def agrees(mine, rule, got):
    return FC.agrees(mine, rule, got)


def multipart_checks(C, spec):
    S = "2.13.4"
    att = next(f for f in spec["fields"] if f["name"] == "attachment")
    mx = att["max_size"]
    r = submit_mp(C, body(values_part(GOOD), part("attachment", "hello", "a.txt", "text/plain")))
    C.check(S, "multipart: __values then a file part -> 200, the handler saw the file",
            "A part named `__values` ... holds the values object as JSON; ... plus one part per file",
            r.status == 200 and is_output(r.json, "Ada", "*") and "a.txt" in r.json["attachment"], r.short())
    r = submit_mp(C, body(values_part(GOOD), part("attachment", b"x" * mx, "a.png", "image/png")))
    C.check(S, f"multipart: a file of exactly max_size ({mx}) bytes -> 200", "stops reading a file as soon as it passes `max_size`",
            r.status == 200, r.short())
    r = submit_mp(C, body(values_part(GOOD), part("attachment", b"x" * (mx + 1), "a.png", "image/png")))
    C.check(S, "multipart: a file one byte over max_size -> 422 at [attachment]",
            "`size` above `max_size`: `Ensure this file is at most {n} bytes.`",
            fields_are(r, {("attachment",): f"Ensure this file is at most {mx} bytes."}), r.short())
    r = submit_mp(C, body(values_part(GOOD), part("attachment", "<p>", "a.html", "text/html")))
    C.check(S, "multipart: a type outside accept -> 422 This file type is not allowed.",
            "The server refuses a type outside `accept` from the part's headers before reading its bytes",
            fields_are(r, {("attachment",): "This file type is not allowed."}), r.short())
    r = submit_mp(C, body(values_part(GOOD), part("attachment", "x", "a.txt", "TEXT/Plain; charset=utf-8")))
    C.check(S, "multipart: the part's type is matched by its essence (case, parameters)",
            "The essence is the part of `type` before its first `;`", r.status == 200, r.short())
    r = submit_mp(C, body(values_part(GOOD), part("attachment", "x", "a.png", "Image/PNG ; q=1")))
    C.check(S, "multipart: a part type `Image/PNG ; q=1` (space before `;`) has the essence image/png",
             "(`Image/PNG ; q=1` is `image/png`; nothing else is trimmed or lowercased)", r.status == 200, r.short())
    r = submit_mp(C, body(values_part(GOOD), part("attachment", b"x" * (mx + 10), "a.html", "text/html")))
    C.check(S, "multipart: too big AND a refused type -> the type's message (the headers are judged first)",
            "(reworded) in a multipart body the type is judged first, from the part's headers",
            fields_are(r, {("attachment",): "This file type is not allowed."}), r.short())
    r = submit_mp(C, body(values_part(GOOD), part("attachment", "x", "a.txt")))
    C.check(S, "multipart: a file part without Content-Type has the type \"\" (refused by accept)",
            "(reworded) a part without `Content-Type` has the type `\"\"`",
            fields_are(r, {("attachment",): "This file type is not allowed."}), r.short())
    r = submit_mp(C, body(values_part(dict(GOOD, attachment={"name": "a.png", "size": 1, "type": "image/png"}))))
    C.check(S, "multipart: a description inside __values is dropped (no file: the optional field is missing)",
            "Whatever `__values` holds at a `file` field's path ... is dropped",
            r.status == 200 and is_output(r.json, "Ada", None), r.short())
    r = submit_mp(C, body(*dotted(GOOD), part("attachment", "hi", "b.txt", "text/plain")))
    C.check(S, "multipart by dotted path (no __values) with a file -> 200",
            "Otherwise each non-file part is a field by its **dotted path**",
            r.status == 200 and is_output(r.json, "Ada", "*"), r.short())
    r = submit_mp(C, body(*dotted(dict(GOOD, name="")), part("attachment", "", "", "application/octet-stream")))
    C.check(S, "dotted: an empty value is missing, an empty filename with no bytes is no file",
            "empty strings stay empty (so missing) ... An empty filename with no bytes is no file (missing)",
            fields_are(r, {("name",): "This field is required."}), r.short())
    r = submit_mp(C, body(*dotted(GOOD), part("name", "B")))
    C.check(S, "dotted: a field's part repeated -> the last counts (here too short)",
            "(reworded) for other kinds the last part of that name",
            fields_are(r, {("name",): "Ensure this value has at least 2 characters."}), r.short())
    r = submit_mp(C, body(*dotted(GOOD), part("attachment", "abc")))
    C.check(S, "dotted: a non-file part at a file field's path -> Upload a valid file.",
            "(reworded) `file` the string, so a non-file part there is `Upload a valid file.`",
            fields_are(r, {("attachment",): "Upload a valid file."}), r.short())
    r = submit_mp(C, body(*dotted(GOOD), part("nope.0.x", "1")))
    C.check(S, "dotted: a name that is no field's path -> Unknown field. at that path (digits as an index)",
            "A name that is no field's dotted path is `Unknown field.` at that path",
            fields_are(r, {("nope", 0, "x"): "Unknown field."}), r.short())
    r = submit_mp(C, body(*dotted(dict(GOOD, email="ADA@blocked.example"))))
    C.check(S, "dotted: the server rule runs on multipart values too", "Checks them as `validate` does",
            r.status == 422 and list(FM.as_map(r.json.get("fields", [])) or {}) == [("email",)], r.short())
    r = submit_mp(C, body(values_part(GOOD), part("name", "x", "n.txt", "text/plain")))
    C.check(S, "a file for a path that is not a file field -> Unknown field. there (only)",
            "A file for a path that is not a `file` field: `Unknown field.`",
            fields_are(r, {("name",): "Unknown field."}), r.short())
    r = submit_mp(C, body(values_part(GOOD), part("__mizan_csrf", "abc")))
    C.check(S, "__values followed by __mizan_csrf -> accepted", "After `__values`, only file parts and `__mizan_csrf` may follow.",
            r.status == 200, r.short())
    malformed = [
        ("a body cut short before its closing boundary", body(values_part(GOOD), part("attachment", "x", "a.txt", "text/plain"), close=False), "incomplete"),
        ("a body cut in a part's head", body(values_part(GOOD))[:30], "incomplete"),
        ("a part without a name", body(values_part(GOOD), part(None, "x")), "syntax"),
        ("a non-file part that is not UTF-8", body(part("name", b"\xff\xfe"), *dotted({k: v for k, v in GOOD.items() if k != "name"})), "syntax"),
        ("__values that is not a JSON object", body(part("__values", "[1]")), "values"),
        ("__values after another part", body(part("name", "Ada"), values_part(GOOD)), "values"),
        ("__values followed by a non-file part", body(values_part(GOOD), part("name", "Ada")), "values"),
        ("1001 parts", body(*[part(f"x{i}", "1") for i in range(1001)]), "too_many_parts"),
        ("a non-file part over 64 KiB", body(part("message", "x" * 65537)), "part_too_large"),
    ]
    for label, b, reason in malformed:
        r = submit_mp(C, b)
        j = r.json if isinstance(r.json, dict) else {}
        C.check(S, f"multipart: {label} -> 400 malformed_multipart, reason {reason}",
                "`400 malformed_multipart` with `details.reason` one of `syntax`, `incomplete`, `values`, "
                "`too_many_parts`, `part_too_large`",
                C.err_shape(r, "malformed_multipart", 400) and j.get("details", {}).get("reason") == reason, r.short())
    r = submit_mp(C, body(part("message", "x" * 65536), *dotted({k: v for k, v in GOOD.items() if k != "message"})))
    C.check(S, "a non-file part of exactly 64 KiB is read (then fails max_length)", "a non-file part over 64 KiB",
            fields_are(r, {("message",): "Ensure this value has at most 2000 characters."}), r.short())
    r = C.call("contact.submit", body(values_part(GOOD)), ct="multipart/form-data")
    C.check(S, "multipart/form-data without boundary -> 415", "A `Content-Type: multipart/form-data` without a `boundary` "
            "parameter declares no form body: ... `415 unsupported_media_type`", C.err_shape(r, "unsupported_media_type", 415), r.short())
    r = C.call("contact.validate", body(values_part(GOOD)), ct=MP)
    C.check("2.13.3", "contact.validate takes JSON only: a multipart body -> 415",
            "(reworded) `validate` takes JSON only", C.err_shape(r, "unsupported_media_type", 415), r.short())
    limit = mx + 1048576
    r = C.call("contact.submit", None, ct=None, headers=[("Content-Type", MP)], content_length=limit + 1, send_body=False)
    C.check(S, f"a multipart body declared over max_size + 1 MiB ({limit + 1}) -> 413 at once",
             "(§2.2) `413 payload_too_large`, decided from `Content-Length` when present",
             C.err_shape(r, "payload_too_large", 413), r.short())
    many = lambda n: body(values_part(GOOD), *[part("attachment", b"x" * 60000, "a.txt", "text/plain") for _ in range(n)])
    r = submit_mp(C, many(18))
    C.check(S, f"a multipart body of {len(many(18))} bytes (over 1 MiB, under max_size + 1 MiB) is read -> 200",
            "The whole body is bounded by the sum of the form's `max_size`s plus 1 MiB", r.status == 200, r.short())
    r = submit_mp(C, many(19))
    C.check(S, f"a multipart body of {len(many(19))} bytes (over max_size + 1 MiB) -> 413",
            "(`413 payload_too_large`)", C.err_shape(r, "payload_too_large", 413), r.short())
    pad = limit - len(body(values_part(GOOD), part("attachment", b"", "a.png", "image/png")))
    r = submit_mp(C, body(values_part(GOOD), part("attachment", b"x" * pad, "a.png", "image/png")))
    C.check(S, f"a multipart body of exactly max_size + 1 MiB is not 413 (its file is too big: 422)",
            "stops reading a file as soon as it passes `max_size`, with the errors above",
            fields_are(r, {("attachment",): f"Ensure this file is at most {mx} bytes."}), r.short())


def run(C, spec):
    json_submit_checks(C, spec)
    multipart_checks(C, spec)
