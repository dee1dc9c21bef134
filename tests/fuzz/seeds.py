#!/usr/bin/env python3
"""Seeds for `make fuzz` made from the writer goldens (real server output
read by pgsift): seeds.py report_load|json_emit OUTDIR.

report_load: small saved reports, each the goldens' head members with one
or a few of their groups, written as the JSON writer writes them (two-space
indent) and compact. json_emit: programs for fuzz_json_emit.c (see its
value()) that write the goldens' groups: their strings, numbers, nesting."""
import json
import os
import struct
import sys

GOLDENS = ["full.json", "report.json", "full-baseline.json"]


def goldens(root):
    for name in GOLDENS:
        with open(os.path.join(root, "tests", "golden", name), "rb") as f:
            yield name, json.loads(f.read())


def report_seeds(root, out):
    n = 0
    for name, doc in goldens(root):
        groups = doc.get("groups", [])
        head = {k: doc[k] for k in ("schema", "tool", "window", "totals") if k in doc}
        picks = [groups[i:i + 1] for i in range(0, len(groups), 3)] + [groups[:4]]
        for i, pick in enumerate(picks):
            d = dict(head, groups=pick)
            text = json.dumps(d, indent=2, ensure_ascii=False) if i % 2 == 0 \
                else json.dumps(d, ensure_ascii=False, separators=(",", ":"))
            with open(os.path.join(out, "seed-%s-%d" % (name, i)), "wb") as f:
                f.write(text.encode("utf-8", "surrogatepass") + b"\n")
            n += 1
    return n


def put_str(b, s, counted=True):
    data = s.encode("utf-8", "surrogatepass")[:255]
    b += bytes([5 if counted else 4, len(data)]) + data


def put_value(b, v, nest):
    if v is None:
        b += b"\x00"
    elif isinstance(v, bool):
        b += bytes([1, int(v)])
    elif isinstance(v, int):
        b += b"\x02" + struct.pack(">Q", v & (2 ** 64 - 1))
    elif isinstance(v, float):
        b += b"\x03\x00" + struct.pack(">Q", struct.unpack("<Q", struct.pack("<d", v))[0])
    elif isinstance(v, str):
        put_str(b, v, len(v) % 2 == 0)
    elif nest <= 0:
        b += b"\x00"
    elif isinstance(v, list):
        b += bytes([8, min(len(v), 7)])
        for x in v[:7]:
            put_value(b, x, nest - 1)
    else:
        items = list(v.items())[:7]
        b += bytes([9, len(items)])
        for k, x in items:
            data = k.encode("utf-8")[:255]
            b += bytes([len(data)]) + data
            put_value(b, x, nest - 1)


def emit_seeds(root, out):
    n = 0
    for name, doc in goldens(root):
        for i, g in enumerate(doc.get("groups", [])[::4]):
            b = bytearray([i % 4])
            put_value(b, g, 6)
            with open(os.path.join(out, "seed-%s-%d" % (name, i)), "wb") as f:
                f.write(b)
            n += 1
    return n


def main():
    what, out = sys.argv[1], sys.argv[2]
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    os.makedirs(out, exist_ok=True)
    n = {"report_load": report_seeds, "json_emit": emit_seeds}[what](root, out)
    print("%d seeds in %s" % (n, out))


if __name__ == "__main__":
    main()
