"""A form posted without JavaScript (spec/PROTOCOL.md §2.13.5, §2.8), from the spec alone."""
import html
import json
import re
import urllib.parse

import forms_checks as FC
import forms_model as FM
import forms_wire as FW

S = "2.13.5"
EXPIRED = "Your form expired. Please submit it again."
HYD = re.compile(r'<script type="application/json" id="mizan-hydration">(.*?)</script>', re.S)
B64U43 = re.compile(r"[A-Za-z0-9_-]{43}\Z")


def cookie_of(r):
    """(token, attributes lowercased) of the mizan_csrf Set-Cookie, or (None, None)."""
    for v in r.hall("set-cookie"):
        name, _, rest = v.partition("=")
        if name.strip() == "mizan_csrf":
            tok, *attrs = rest.split(";")
            return tok.strip(), {a.strip().lower() for a in attrs}
    return None, None


def hidden_token(text):
    m = re.search(r'<input[^>]*name="__mizan_csrf"[^>]*>', text)
    v = m and re.search(r'value="([^"]*)"', m.group(0))
    return html.unescape(v.group(1)) if v else None


def page_text(r):
    return r.body.decode("utf-8", "replace")


def hydration(text):
    """(number of hydration elements, parsed payload or None, raw content)."""
    found = HYD.findall(text)
    try:
        return text.count('id="mizan-hydration"'), json.loads(found[0]) if found else None, found[0] if found else ""
    except ValueError:
        return len(found), None, found[0]


def is_html(r):
    return (r.h("content-type") or "").split(";")[0].strip().lower() == "text/html"


def post(C, fields, cookie=None, headers=(), ct="application/x-www-form-urlencoded", raw=None):
    hs = [("Content-Type", ct)] + list(headers)
    if cookie is not None:
        hs.append(("Cookie", f"mizan_csrf={cookie}"))
    b = raw if raw is not None else urllib.parse.urlencode(fields)
    # not C.rec(): these answers are pages, not §2.6 JSON errors (§2.13.5: "every answer is a page, never JSON")
    return C.request("POST", f"{C.BASE}/form/contact", hs, body=b)


def beside(text, spec, path, message):
    """The message is in the page next to its field's control (nearest control), or, for [], above all fields."""
    controls = [(m.start(), m.group(1)) for m in re.finditer(r'name="([^"]+)"', text)
                if m.group(1) in {f["name"] for f in spec["fields"]}]
    if not controls:
        return False
    esc = html.escape(message, quote=True)
    starts = [c[0] for c in controls]
    for m in re.finditer(re.escape(esc) + "|" + re.escape(message), text):
        if not path:
            if m.start() < starts[0]:
                return True
            continue
        i = next((j for j, c in enumerate(controls) if c[1] == path[0]), None)
        if i is None:
            continue
        lo = starts[i - 1] if i > 0 else 0
        hi = starts[i + 1] if i + 1 < len(starts) else len(text)
        if lo < m.start() < hi:  # between the neighbours' controls: beside its own
            return True
    return False


def filled(text, name, value):
    """The submitted value is shown in the control of `name` (input value, textarea text or selected option)."""
    esc = html.escape(value, quote=True)
    for m in re.finditer(r"<(input|textarea|select)\b[^>]*\bname=\"" + re.escape(name) + r"\"[^>]*>", text):
        tag = m.group(1)
        if tag == "input":
            v = re.search(r'\bvalue="([^"]*)"', m.group(0))
            return v is not None and html.unescape(v.group(1)) == value
        if tag == "textarea":
            end = text.find("</textarea>", m.end())
            return html.unescape(text[m.end():end]).lstrip("\n") == value
        end = text.find("</select>", m.end())
        sel = re.findall(r'<option[^>]*value="([^"]*)"[^>]*\bselected\b', text[m.end():end])
        return [html.unescape(s) for s in sel] == [value]
    return esc == ""


def run(C, spec):
    if not spec.get("page") or not spec.get("redirect"):
        C.note(S, "contact has no page/redirect: no-JS posts not exercised")
        return
    r = C.get(spec["page"])
    text = page_text(r)
    tok, attrs = cookie_of(r)
    C.check(S, f"GET {spec['page']} (the spec's page) -> 200 text/html with the empty form",
            "A `GET` of the shell at the form's page path gets the empty form rendered the same way",
            r.status == 200 and is_html(r) and all(f'name="{f["name"]}"' in text for f in spec["fields"]), r.short())
    C.check(S, "the page sets mizan_csrf: HttpOnly, SameSite=Lax, Path=/, 32 bytes as base64url",
            "sets the `mizan_csrf` cookie (`HttpOnly`, `SameSite=Lax`, `Path=/`; 32 random bytes as base64url)",
            tok is not None and B64U43.match(tok) and {"httponly", "samesite=lax", "path=/"} <= attrs, (tok, attrs))
    C.check(S, "the page's hidden __mizan_csrf field holds the cookie's token",
            "with a fresh CSRF token, so the form works before any script loads", tok and hidden_token(text) == tok,
            hidden_token(text))
    n, hyd, _ = hydration(text)
    C.check("2.8", "the form page has exactly one hydration element, with contexts and no forms",
            "The page carries exactly one element", n == 1 and isinstance(hyd, dict) and "contexts" in hyd
            and "forms" not in hyd, (n, hyd))
    C.check("2.8", "the form page has Cache-Control: no-store and Vary: Authorization, Cookie",
            "serves the page with `Cache-Control: no-store` and `Vary: Authorization, Cookie`",
            r.h("cache-control") == "no-store" and (r.h("vary") or "").replace(" ", "").lower() == "authorization,cookie",
            r.short())
    r2 = C.rec("GET page with cookie", C.request("GET", spec["page"], [("Cookie", f"mizan_csrf={tok}")]))
    C.check(S, "GET with the cookie: no new cookie, the hidden field holds the request's token",
            "Each page that holds a form sets the `mizan_csrf` cookie ... when the request has none",
            cookie_of(r2)[0] is None and hidden_token(page_text(r2)) == tok, r2.short())
    ctx = C.get(C.ctx_url("current_user")).json

    bad = {"name": "A", "email": "nope<b>&amp;", "topic": "bug", "message": "short \u2028 <script>"}
    r = post(C, dict(bad, __mizan_csrf=tok), cookie=tok)
    text = page_text(r)
    n, hyd, raw = hydration(text)
    want = FM.check_values(spec, bad)
    C.check(S, "urlencoded invalid values -> 422 text/html", "**Invalid values** ...: `422` with `Content-Type: text/html`",
            r.status == 422 and is_html(r), r.short())
    C.check(S, "the 422 page fills in every submitted value", "every field's submitted value filled in",
            all(filled(text, k, v) for k, v in bad.items()), [k for k, v in bad.items() if not filled(text, k, v)])
    C.check(S, "the 422 page shows each error beside its field", "each error beside its field, the form's errors above it",
            all(beside(text, spec, p, m) for p, m in want.items()), want)
    C.check(S, "the raw values never reach the page unescaped", "(HTML) the values are text, not markup",
            "<b>" not in text and "<script>" not in text.replace('<script type="application/json" id="mizan-hydration">', ""), "")
    fc = (hyd or {}).get("forms", {}).get("contact", {})
    C.check("2.8", "hydration forms.contact = {values: the values posted, fields: my errors}",
            "under `forms.<name>` as `{\"values\": ..., \"fields\": [...]}`",
            n == 1 and fc.get("values") == bad and FM.as_map(fc.get("fields", [])) == want, fc)
    C.check("2.8", "the 422 page's hydration has the global contexts, as their GET answers them",
            "The content is a JSON object with the member `contexts`", (hyd or {}).get("contexts", {}).get("current_user") == ctx,
            (hyd or {}).get("contexts"))
    C.check("2.8", "hydration escapes < > & U+2028 U+2029", "written as the JSON escapes `\\u003c`, `\\u003e`, `\\u0026`, `\\u2028`, `\\u2029`",
            not any(c in raw for c in "<>&\u2028\u2029") and "\\u003c" in raw, raw[:200])

    def refused(label, r, quote, status=403, values=None, expect_cookie=False):
        t = page_text(r)
        _, h, _ = hydration(t)
        fc = (h or {}).get("forms", {}).get("contact", {})
        ok = (r.status == status and is_html(r) and FM.as_map(fc.get("fields", [])) == {(): EXPIRED}
              and beside(t, spec, [], EXPIRED) and (values is None or fc.get("values") == values))
        newtok = cookie_of(r)[0]
        ok = ok and (bool(newtok) == expect_cookie) and hidden_token(t) == (newtok or tok)
        C.check(S, label, quote, ok, r.short()[:400])

    good = {"name": "Ada", "email": "ada@example.com", "topic": "question", "message": "Hello there, Mizan."}
    refused("no __mizan_csrf field -> 403 page with the expired message and the values", post(C, good, cookie=tok),
            "A post that fails this ran nothing and gets the page again (`403`) with the error ... the values it posted",
            values=good)
    refused("a __mizan_csrf field unequal to the cookie -> 403", post(C, dict(good, __mizan_csrf="A" * 43), cookie=tok),
            "The post must carry the field `__mizan_csrf` equal to the value of the cookie `mizan_csrf`", values=good)
    refused("no cookie -> 403 and a new token, set with the page", post(C, dict(good, __mizan_csrf=tok)),
            "and the cookie's token (a new one, set with the page, when it had none)", values=good, expect_cookie=True)
    refused("an Origin of another site -> 403, refused unread (no values)",
            post(C, dict(good, __mizan_csrf=tok), cookie=tok, headers=[("Origin", "http://evil.example")]),
            "an `Origin` that is neither the request's own origin ... fails ... a post from another site is refused unread",
            values={})
    refused("Sec-Fetch-Site: cross-site -> 403, unread",
            post(C, dict(good, __mizan_csrf=tok), cookie=tok, headers=[("Sec-Fetch-Site", "cross-site")]),
            "a `Sec-Fetch-Site` of `cross-site` ... fails", values={})
    r = post(C, dict(good, __mizan_csrf=tok), cookie=tok, headers=[("Origin", f"http://{C.HOST}:{C.PORT}"),
                                                                   ("Sec-Fetch-Site", "same-origin")])
    C.check(S, "a valid post from the page's own origin -> 303 See Other to redirect",
            "**Success**: `303 See Other` to `redirect`", r.status == 303 and r.h("location") == spec["redirect"], r.short())
    r = post(C, dict(good, email="someone@blocked.example", __mizan_csrf=tok), cookie=tok)
    _, h, _ = hydration(page_text(r))
    got = FM.as_map((h or {}).get("forms", {}).get("contact", {}).get("fields", []))
    C.check(S, "the server rule on a no-JS post -> 422 page with its error at [email]",
            "**Invalid values** (§2.13.2, server rules included)", r.status == 422 and got and list(got) == [("email",)], r.short())
    r = post(C, None, cookie=tok, ct=FW.MP, raw=FW.body(*FW.dotted(good), FW.part("__mizan_csrf", tok),
                                                       FW.part("attachment", "hi", "a.txt", "text/plain")))
    C.check(S, "a multipart no-JS post with a file -> 303", "with an `application/x-www-form-urlencoded` or "
            "`multipart/form-data` body", r.status == 303 and r.h("location") == spec["redirect"], r.short())
    r = post(C, None, cookie=tok, ct=FW.MP, raw=FW.body(*FW.dotted(good), FW.part("__mizan_csrf", tok),
                                                       FW.part("attachment", "<p>", "a.html", "text/html")))
    _, h, _ = hydration(page_text(r))
    fc = (h or {}).get("forms", {}).get("contact", {})
    C.check(S, "a no-JS post with a refused file type -> 422, the file not among the values",
            "every field's submitted value filled in (files excepted: a browser cannot be given a file back)",
            r.status == 422 and FM.as_map(fc.get("fields", [])) == {("attachment",): "This file type is not allowed."}
            and "attachment" not in (fc.get("values") or {}), r.short())
    r = post(C, dict(good, __mizan_csrf=tok), cookie=tok, headers=[("Authorization", "Bearer nope")])
    _, h, _ = hydration(page_text(r))
    fc = (h or {}).get("forms", {}).get("contact", {})
    C.check("2.5", "the 401 page of a no-JS post carries WWW-Authenticate: Bearer",
             "Every `401` carries `WWW-Authenticate: Bearer` (and RFC 9110 §11.6.1: a 401 MUST send one)",
             (r.h("www-authenticate") or "").startswith("Bearer"), r.short())
    C.check(S, "invalid credentials on a no-JS post -> 401 page, the error at [], body unread, contexts empty",
            "Other failures (`401`, `403`, `413`, `malformed_multipart`, ...): the same page with the error's message at `[]`",
            r.status == 401 and is_html(r) and list(FM.as_map(fc.get("fields", [])) or {}) == [()]
            and fc.get("values") == {} and h.get("contexts") == {}, r.short())
    r = post(C, None, cookie=tok, ct=FW.MP, raw=FW.body(FW.part(None, "x")))
    _, h, _ = hydration(page_text(r))
    fc = (h or {}).get("forms", {}).get("contact", {})
    C.check(S, "a malformed multipart no-JS post -> 400 page with the error at []", "the same page with the error's message at `[]`, with the error's status",
            r.status == 400 and is_html(r) and list(FM.as_map(fc.get("fields", [])) or {}) == [()], r.short())
    r = post(C, good, cookie=tok, ct="application/json", raw=json.dumps(dict(good, __mizan_csrf=tok)))
    C.check(S, "a JSON body to /form/contact -> a page (never JSON), status 415", "every answer is a page, never JSON",
            r.status == 415 and is_html(r), r.short())
    r = post(C, dict(bad, zz="1", __mizan_csrf=tok), cookie=tok)
    _, h, _ = hydration(page_text(r))
    fc = (h or {}).get("forms", {}).get("contact", {})
    C.check(S, "an unknown posted name: its error is in fields, its value is left out of values",
            "(reworded) `values` holds the posted values at the form's fields", r.status == 422
            and FM.as_map(fc.get("fields", [])).get(("zz",)) == "Unknown field." and fc.get("values") == bad, fc)
