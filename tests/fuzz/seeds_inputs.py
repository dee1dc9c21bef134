#!/usr/bin/env python3
"""Seeds for `make fuzz` made from the project's real test data (logs,
traces and snapshots written by real servers and SDKs, tests/data):
seeds_inputs.py parse|analysis|normalize|plan|prefix OUTDIR.

parse: a piece of each real input, once per parser that reads its format
(first byte: the parser's place in parsers/registry.c) and once detected
(first byte 255). analysis: the same pieces, detected, with option bytes.
normalize: the statements of the real logs. plan: the auto_explain plan
bodies (text and JSON) as pgmsg hands them over, continuation tabs
removed. prefix: log_line_prefix settings of the real logs followed by
their lines."""
import gzip
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.join(ROOT, "tests", "data")

# Real inputs and the parser id that reads each (None: no forced run).
INPUTS = [
    ("workload-excerpt.log", "stderr"),
    ("log_statement.log", "stderr"),
    ("events/events.log", "stderr"),
    ("events/workload-events.log", "stderr"),
    ("plans/text.log", "stderr"),
    ("plans/json.log", "stderr"),
    ("plans/parallel.log", "stderr"),
    ("plans/jit.log", "stderr"),
    ("advice/plans.log", "stderr"),
    ("forms/postgresql.log.zst", "stderr"),
    ("syslog-excerpt.log", "syslog"),
    ("syslog-live.bsd", "syslog"),
    ("syslog-live.rfc5424", "syslog"),
    ("forms/postgresql.csv.zst", "csvlog"),
    ("forms/postgresql.json.zst", "jsonlog"),
    ("events/live.json", "jsonlog"),
    ("cnpg/postgresql.cnpg.zst", "cnpg"),
    ("cloud/gcp.ndjson", "gcp"),
    ("cloud/gcp.array.json", "gcp"),
    ("cloud/azure.json", "azure"),
    ("cloud/azure.eventhub.json", "azure"),
    ("cloud/rds.filter.json", "cloudwatch"),
    ("cloud/rds.get.json", "cloudwatch"),
    ("cloud/rds.export.gz", "cloudwatch-s3"),
    ("cloud/heroku.log", "heroku"),
    ("traces/rails-span-envelope.txt", "sentry"),
    ("traces/node-envelopes.txt", "sentry"),
    ("traces/django-envelope.txt", "sentry"),
    ("traces/django-span-first.json", "sentry"),
    ("traces/rails-explore.csv", "sentry-csv"),
    ("traces/otlp.ndjson", "otlp"),
    ("traces/django-otlp.json", "otlp"),
    ("snapshots/pg_stat_statements_before.csv", "pgss-csv"),
    ("snapshots/pg12_statements_after.csv", "pgss-csv"),
    ("snapshots/pg_stat_user_indexes_after.csv", "indexes-csv"),
    ("snapshots/pg_stat_user_tables_after.csv", "tables-csv"),
    ("plans/parallel_tables_after.csv", "tables-csv"),
    ("pgbouncer/pgbouncer-1.18.log", "pgbouncer"),
]

# The settings the real logs were written with (tests/workload/*.sh,
# tests/data/*/make*.sh), and which of them each log has.
PREFIXES = [
    ("%m [%p] %q%u@%d/%a ", ["workload-excerpt.log", "plans/text.log", "plans/json.log",
                            "forms/postgresql.log.zst", "advice/plans.log"]),
    ("%m [%p] %e ", ["events/events.log"]),
    ("%m [%p] %q%u@%d ", ["workload-excerpt.log"]),
    ("%m [%p] ", ["events/events.log", "log_statement.log"]),
    ("%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ", ["log_statement.log"]),
    ("user=%u,db=%d,app=%a,client=%h ", ["syslog-excerpt.log"]),
]

PIECE_LINES = 60
PIECE_BYTES = 6000


def read_text(rel):
    path = os.path.join(DATA, rel)
    if rel.endswith(".zst"):
        return subprocess.run(["zstd", "-dcq", path], check=True,
                              stdout=subprocess.PIPE).stdout
    if rel.endswith(".gz"):
        with gzip.open(path, "rb") as f:
            return f.read()
    with open(path, "rb") as f:
        return f.read()


def pieces(raw):
    """The input's head and a piece from its middle, whole lines."""
    lines = raw.splitlines(keepends=True)
    out = [b"".join(lines[:PIECE_LINES])[:PIECE_BYTES]]
    if len(lines) > 2 * PIECE_LINES:
        mid = len(lines) // 2
        out.append(b"".join(lines[mid:mid + PIECE_LINES])[:PIECE_BYTES])
    # A document of one line (a JSON array, an export) is cut whole only.
    return [p for p in out if p] if len(lines) > 1 else [raw[:4 * PIECE_BYTES]]


def registry_ids():
    """Parser ids in parsers/registry.c's order (the harness's first byte)."""
    ids = {}
    for name in os.listdir(os.path.join(ROOT, "parsers")):
        if name.endswith(".c"):
            text = open(os.path.join(ROOT, "parsers", name), encoding="utf-8").read()
            for m in re.finditer(r"const struct parser (\w+) = \{.*?\.id = \"([^\"]+)\"",
                                 text, re.S):
                ids[m.group(1)] = m.group(2)
    reg = open(os.path.join(ROOT, "parsers", "registry.c"), encoding="utf-8").read()
    body = reg[reg.index("parser_registry[] = {"):]
    return [ids[v] for v in re.findall(r"&(\w+),", body)]


def write(out, name, data):
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)


def parse_seeds(out):
    order = registry_ids()
    n = 0
    for rel, pid in INPUTS:
        for i, piece in enumerate(pieces(read_text(rel))):
            tag = re.sub(r"\W", "_", rel)
            write(out, "seed-%s-%d-detect" % (tag, i), b"\xff" + piece)
            if pid in order:
                write(out, "seed-%s-%d-%s" % (tag, i, pid), bytes([order.index(pid)]) + piece)
            n += 2
    return n


def analysis_seeds(out):
    n = 0
    for rel, _ in INPUTS:
        for i, piece in enumerate(pieces(read_text(rel))):
            tag = re.sub(r"\W", "_", rel)
            write(out, "seed-%s-%d" % (tag, i), bytes([n % 16]) + piece)
            n += 1
    return n


STMT = re.compile(rb"(?:statement|execute [^:]*): (.*)$")


def normalize_seeds(out):
    seen = set()
    for rel in ("workload-excerpt.log", "log_statement.log", "forms/postgresql.log.zst",
                "advice/plans.log", "events/workload-events.log"):
        for line in read_text(rel).splitlines():
            m = STMT.search(line)
            if m and m.group(1) not in seen and len(seen) < 400:
                seen.add(m.group(1))
    for i, s in enumerate(sorted(seen)):
        write(out, "seed-%d" % i, s)
    return len(seen)


def plan_seeds(out):
    n = 0
    for name in sorted(os.listdir(os.path.join(DATA, "plans"))) + ["../advice/plans.log"]:
        if not name.endswith(".log"):
            continue
        body = None
        for line in read_text(os.path.join("plans", name)).splitlines(keepends=True):
            if line.startswith(b"\t") and body is not None:
                body.append(line[1:])
                continue
            if body:
                write(out, "seed-%s-%d" % (re.sub(r"\W", "_", name), n), b"".join(body).rstrip(b"\n"))
                n += 1
            body = [] if line.rstrip().endswith(b"plan:") else None
        if body:
            write(out, "seed-%s-%d" % (re.sub(r"\W", "_", name), n), b"".join(body).rstrip(b"\n"))
            n += 1
    return n


def prefix_seeds(out):
    n = 0
    for spec, logs in PREFIXES:
        for rel in logs:
            piece = pieces(read_text(rel))[0]
            write(out, "seed-%d" % n, spec.encode() + b"\n" + piece)
            n += 1
    return n


def main():
    what, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    n = {"parse": parse_seeds, "analysis": analysis_seeds, "normalize": normalize_seeds,
         "plan": plan_seeds, "prefix": prefix_seeds}[what](out)
    print("%d seeds in %s" % (n, out))


if __name__ == "__main__":
    main()
