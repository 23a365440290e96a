#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets (fuzz/README.md) from the spec's vectors and the
parity corpus, into fuzz/corpus/<target>/ (not committed; scripts/fuzz.sh runs this first).

  canonical      every `input` / `input_hex` of spec/vectors/canonical.json, the params of
                 crates/mizan/tests/parity/corpus.json, the `p` of spec/vectors/query.json
  mwt_verify     every token of spec/vectors/mwt.json in the three forms the target reads
  mwt_roundtrip  the claims of spec/vectors/mwt.json, in the byte format of core_checks::Reader
  context_query  every query of spec/vectors/query.json
  call_body      every case of the parity corpus, as a call and within a batch

Usage: scripts/fuzz-seeds.py [OUT_DIR]   (default fuzz/corpus)
"""

import base64
import hashlib
import json
import os
import sys
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "fuzz", "corpus")

# fuzz/src/call_checks.rs: ENDPOINTS (selector & 7).
ENDPOINTS = ["strings", "numbers", "shapes", "lists", "nothing", "none", "batch", "missing"]


def load(path):
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        return json.load(f)


def write(target, data):
    directory = os.path.join(OUT, target)
    os.makedirs(directory, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(directory, name), "wb") as f:
        f.write(data)


def compact(value):
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# --- canonical ---------------------------------------------------------------------------------
canonical = load("spec/vectors/canonical.json")
for case in canonical["cases"]:
    if "input_hex" in case:
        write("canonical", bytes.fromhex(case["input_hex"]))
    else:
        write("canonical", case["input"].encode("utf-8"))
parity = load("crates/mizan/tests/parity/corpus.json")
for case in parity["cases"]:
    write("canonical", compact(case["params"]))
    write("canonical", json.dumps(case["params"], indent=1).encode("utf-8"))

# --- context_query -----------------------------------------------------------------------------
query = load("spec/vectors/query.json")
for case in query["decode"] + query["encode"]:
    text = case.get("query")
    if text is not None:
        write("context_query", text.encode("utf-8"))
        if text.startswith("p="):
            p = text[2:].split("&")[0]
            write("canonical", urllib.parse.unquote_to_bytes(p))

# --- mwt_verify: 0 = token, 1 = payload bytes, 2 = signed prefix (fuzz/src/core_checks.rs) ------
mwt = load("spec/vectors/mwt.json")
for case in mwt["cases"]:
    token = case["token"]
    write("mwt_verify", b"\x00" + token.encode("utf-8"))
    parts = token.split(".")
    if len(parts) == 4:
        write("mwt_verify", b"\x02" + ".".join(parts[:3]).encode("utf-8"))
        try:
            write("mwt_verify", b"\x01" + b64url_decode(parts[2]))
        except ValueError:
            pass


# --- mwt_roundtrip: the byte format of core_checks::Reader -------------------------------------
def r_u64(n):
    return bytes([9]) + n.to_bytes(8, "big")


def r_string(s):
    out = bytearray([min(len(s), 255)])
    for ch in s[:255]:
        n = ord(ch)
        if n < 0x80:
            out.append(n)
        else:
            out += bytes([0xC0 | (n >> 16), (n >> 8) & 0xFF, n & 0xFF])
    return bytes(out)


def r_value(v):
    if v is None:
        return bytes([0])
    if v is True:
        return bytes([0x88])  # 0x88 % 9 == 1, high bit set: true
    if v is False:
        return bytes([1])
    if isinstance(v, int):
        return bytes([2]) + r_u64(v) if v >= 0 else bytes([3]) + r_u64(-v)
    if isinstance(v, str):
        return bytes([5]) + r_string(v)
    if isinstance(v, list):
        return bytes([6, len(v[:4])]) + b"".join(r_value(x) for x in v[:4])
    if isinstance(v, dict):
        return bytes([7]) + r_object(v)
    return bytes([0])


def r_object(o):
    items = list(o.items())[:4]
    return bytes([len(items)]) + b"".join(r_string(k) + r_value(v) for k, v in items)


for i, case in enumerate(c for c in mwt["cases"] if "claims" in c):
    c = case["claims"]
    out = r_string(c["iss"]) + r_string(c["aud"]) + r_u64(c["iat"]) + r_u64(c["exp"])
    out += r_string(c["pk"])
    flags = (1 if "sub" in c else 0) | (2 if "nbf" in c else 0) | (4 if c.get("staff") else 0)
    flags |= (8 if c.get("superuser") else 0) | (16 if "ext" in c else 0)
    out += bytes([flags])
    if "sub" in c:
        out += r_string(c["sub"])
    if "nbf" in c:
        out += r_u64(c["nbf"])
    if "ext" in c:
        out += r_object(c["ext"])
    out += bytes([i % 3]) + r_u64(case["now"]) + bytes([i % 256, (i * 37) % 256, 0x41] * 4)
    write("mwt_roundtrip", out)

# --- call_body: selector byte (endpoint | content type << 3) + body ---------------------------
for case in parity["cases"]:
    index = ENDPOINTS.index(case["fn"])
    write("call_body", bytes([index]) + compact(case["params"]))
batch_calls = [{"fn": c["fn"], "params": c["params"]} for c in parity["cases"][::7]]
for start in range(0, len(batch_calls), 4):
    write("call_body", bytes([6]) + compact({"calls": batch_calls[start : start + 4]}))
write("call_body", bytes([6]) + compact({"calls": [{"fn": "none"}, {"fn": "nope"}, 1]}))
write("call_body", bytes([5]))
write("call_body", bytes([7]) + b"{}")

for target in sorted(os.listdir(OUT)):
    print(f"{target}: {len(os.listdir(os.path.join(OUT, target)))} seeds")
