#!/usr/bin/env python3
"""Builds the logs `make bench` measures, from real PostgreSQL server logs.

usage: gen.py SHAPE SOURCE TARGET_MB [DISTINCT TEXTS_OUT] > big.log

Every line written is a line of SOURCE (a log the server wrote; see
samples/README.md and tests/data/*/README) repeated with its timestamps
shifted forward and its process ids moved, so prefixes, sessions,
multi-line plans and DETAIL lines keep the server's exact form. Only the
statement text of statement lines changes: integer literals are redrawn
(every shape), and in the high-cardinality shape the whole SELECT is
replaced by an ORM-shaped one (long select list, joins, IN list) over
generated table and column names, so that DISTINCT different statements
appear. Deterministic: the same arguments write the same bytes.

SHAPE:
  stderr  the workload log amplified; byte for byte what
          ../shared/corpus/amplify.py writes (the earlier bench log)
  high    stderr, high cardinality: the sample's sessions (connection,
          SELECT statements, disconnection) with each SELECT rewritten;
          TEXTS_OUT gets each distinct statement once, one per line, for
          the libpg_query bound (tests/bench/pgq_bound.c)
  plans   stderr auto_explain entries (tests/data/plans/*.log) amplified
  csvlog  a csvlog file amplified (rows may span lines)
  jsonlog a jsonlog file amplified (one object a line)
"""
import random
import re
import sys
from datetime import datetime, timedelta

NUM = re.compile(r"(?<=[=(, ])(\d{2,9})(?=[;,) \n])")
# Where the timestamp and the pid sit in each form. Every pattern is
# anchored on what the server writes so that nothing else is touched.
STDERR_TS = re.compile(r"^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})(\.\d{3})?")
STDERR_PID = re.compile(r"\[(\d+)\]")
CSV_HEAD = re.compile(r"^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})(\.\d{3} [A-Z]+,[^,]*,[^,]*,)(\d+)(,[^,]*,)([0-9a-f]+)\.([0-9a-f]+)(,\d+,(?:\"[^\"]*\")?,)(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})?")
JSON_TS = re.compile(r'"(timestamp|session_start)":"(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})')
JSON_PID = re.compile(r'"pid":(\d+)')
JSON_SID = re.compile(r'"session_id":"([0-9a-f]+)\.([0-9a-f]+)"')
JSON_LEADER = re.compile(r'"leader_pid":(\d+)')
FMT = "%Y-%m-%d %H:%M:%S"


def parse_ts(s):
    return datetime.strptime(s, FMT)


_SHIFTED = {}


def shift_ts(s, shift):
    """s moved forward by shift, formatted back. Lines share their second,
    so a cache spares most strptime/strftime calls (the generator's cost)."""
    key = (s, shift)
    t = _SHIFTED.get(key)
    if t is None:
        if len(_SHIFTED) > 100000:
            _SHIFTED.clear()
        t = _SHIFTED[key] = (parse_ts(s) + shift).strftime(FMT)
    return t


def source_span(lines, first_ts):
    """The source's time span plus one second: each copy starts after it."""
    t0 = first_ts(lines)
    for line in reversed(lines):
        t = first_ts([line])
        if t is not None and t0 is not None:
            return t - t0 + timedelta(seconds=1)
    return timedelta(seconds=60)


def stderr_first_ts(lines):
    for line in lines:
        m = STDERR_TS.match(line)
        if m:
            return parse_ts(m.group(1))
    return None


def redraw_numbers(rng, line):
    return NUM.sub(lambda n: str(rng.randint(1, 10 ** len(n.group(1)) - 1)), line)


def shift_stderr(line, shift, pid_shift):
    m = STDERR_TS.match(line)
    if not m:
        return line, False
    line = shift_ts(m.group(1), shift) + line[len(m.group(1)):]
    line = STDERR_PID.sub(lambda p: "[%d]" % (int(p.group(1)) + pid_shift), line, count=1)
    return line, True


def shift_csv(line, shift, pid_shift):
    m = CSV_HEAD.match(line)
    if not m:
        return line, False
    t = shift_ts(m.group(1), shift)
    pid = int(m.group(3)) + pid_shift
    start = m.group(8)
    start = shift_ts(start, shift) if start else ""
    # session_id is "%lx.%x" of the session start and the pid: keep it consistent.
    sid = "%x.%x" % (int(m.group(5), 16) + int(shift.total_seconds()), pid)
    head = t + m.group(2) + str(pid) + m.group(4) + sid + m.group(7) + start
    return head + line[m.end():], True


def shift_json(line, shift, pid_shift):
    if not line.startswith("{"):
        return line, False
    line = JSON_TS.sub(lambda m: '"%s":"%s' % (m.group(1), shift_ts(m.group(2), shift)), line)
    line = JSON_PID.sub(lambda m: '"pid":%d' % (int(m.group(1)) + pid_shift), line, count=1)
    line = JSON_LEADER.sub(lambda m: '"leader_pid":%d' % (int(m.group(1)) + pid_shift), line, count=1)
    line = JSON_SID.sub(lambda m: '"session_id":"%x.%x"' % (int(m.group(1), 16) + int(shift.total_seconds()),
                                                            int(m.group(2), 16) + pid_shift), line, count=1)
    return line, True


def csv_first_ts(lines):
    for line in lines:
        m = CSV_HEAD.match(line)
        if m:
            return parse_ts(m.group(1))
    return None


def json_first_ts(lines):
    for line in lines:
        m = JSON_TS.search(line)
        if m:
            return parse_ts(m.group(2))
    return None


def is_statement(line):
    return "statement:" in line or "execute" in line or "parameters:" in line


def redraw_stderr(rng, line):
    return redraw_numbers(rng, line) if is_statement(line) else line


def redraw_plans(rng, line):
    return redraw_numbers(rng, line) if is_statement(line) or "Query Text" in line else line


# In a csvlog row the pid, the line number and the SQLSTATE also look like
# literals: redraw only what follows the severity and SQLSTATE fields.
CSV_MESSAGE = re.compile(r',[A-Z]+[0-9]?,[0-9A-Z]{5},"')


def redraw_csv(rng, line):
    m = CSV_MESSAGE.search(line)
    if not m or not is_statement(line):
        return line
    return line[:m.end()] + redraw_numbers(rng, line[m.end():])


def amplify(lines, limit, shifter, first_ts, redraw, out):
    """amplify.py's loop, for any of the three forms."""
    span = source_span(lines, first_ts)
    rng = random.Random(42)
    written, copy = 0, 0
    while written < limit:
        shift = span * copy
        pid_shift = 100000 * (copy % 40)
        for line in lines:
            line, _ = shifter(line, shift, pid_shift)
            line = redraw(rng, line)
            out.write(line)
            written += len(line)
            if written >= limit:
                break
        copy += 1


# High cardinality: the real sessions of the sample, every SELECT replaced.
SESSION_LINE = re.compile(r"LOG:  (connection received|connection authorized|disconnection)"
                          r"|LOG:  duration: [0-9.]+ ms  statement: SELECT ")
STATEMENT = re.compile(r"(LOG:  duration: )([0-9.]+)( ms  statement: )SELECT .*")


def orm_select(k, rng):
    """An ORM-shaped SELECT (Django/ActiveRecord style) unique to k: its
    tables are named after k, so no two k share a fingerprint; the select
    list, the joins and the IN list vary in length."""
    a, b = k % 1000, k // 1000
    t, u = "catalog_item%d" % a, "catalog_rel%d" % b
    cols = ['"%s"."%s"' % (t, c) for c in ("id", "created_at", "updated_at", "status", "owner_id")]
    cols += ['"%s"."attr_%d"' % (t, (a * 7 + j) % 61) for j in range(6 + k % 23)]
    cols += ['"%s"."%s"' % (u, c) for c in ("id", "name", "slug")]
    joins = ' INNER JOIN "%s" ON ("%s"."rel_id" = "%s"."id")' % (u, t, u)
    if k % 3 == 0:
        v = "auth_user%d" % (k % 97)
        cols += ['"%s"."id"' % v, '"%s"."email"' % v]
        joins += ' LEFT OUTER JOIN "%s" ON ("%s"."owner_id" = "%s"."id")' % (v, t, v)
    ids = ", ".join(str(rng.randint(1, 9999999)) for _ in range(1 + rng.randint(0, 40)))
    where = '"%s"."status" = \'%s\' AND "%s"."id" IN (%s)' % (t, ("active", "draft", "archived")[k % 3], t, ids)
    if k % 5 == 0:
        where += ' AND "%s"."created_at" >= \'2026-11-%02d 00:00:00+00:00\'::timestamptz' % (t, 1 + k % 28)
    return "SELECT %s FROM \"%s\"%s WHERE (%s) ORDER BY \"%s\".\"id\" DESC LIMIT %d" % (
        ", ".join(cols), t, joins, where, t, 21 + rng.randint(0, 79))


def high(lines, limit, distinct, texts_path, out):
    lines = [l for l in lines if SESSION_LINE.search(l)]
    span = source_span(lines, stderr_first_ts)
    rng = random.Random(42)
    texts = open(texts_path, "w") if texts_path else None
    written, copy, n = 0, 0, 0
    while written < limit:
        shift = span * copy
        pid_shift = 100000 * (copy % 40)
        for line in lines:
            line, _ = shift_stderr(line, shift, pid_shift)
            m = STATEMENT.search(line)
            if m:
                k = n % distinct
                n += 1
                sql = orm_select(k, rng)
                if texts and n <= distinct:
                    texts.write(sql + "\n")
                # A few hundred hot statements take most of the time, as in
                # production; the rest are quick.
                ms = rng.uniform(50, 900) if k % 1000 < 3 else rng.uniform(0.02, 3)
                line = line[:m.start()] + m.group(1) + "%.3f" % ms + m.group(3) + sql + "\n"
            out.write(line)
            written += len(line)
            if written >= limit:
                break
        copy += 1
    if texts:
        texts.close()
    if n < distinct:
        sys.stderr.write("gen.py: only %d of %d distinct statements fit in the size asked for\n" % (n, distinct))


def main():
    shape, src, target_mb = sys.argv[1], sys.argv[2], float(sys.argv[3])
    limit = int(target_mb * 1024 * 1024)
    # newline="" keeps the source's bytes (a csvlog row may hold \r).
    lines = open(src, encoding="utf-8", errors="replace", newline="").read().splitlines(keepends=True)
    out = sys.stdout
    if shape == "stderr":
        amplify(lines, limit, shift_stderr, stderr_first_ts, redraw_stderr, out)
    elif shape == "plans":
        amplify(lines, limit, shift_stderr, stderr_first_ts, redraw_plans, out)
    elif shape == "csvlog":
        amplify(lines, limit, shift_csv, csv_first_ts, redraw_csv, out)
    elif shape == "jsonlog":
        amplify(lines, limit, shift_json, json_first_ts, redraw_stderr, out)
    elif shape == "high":
        distinct = int(sys.argv[4])
        high(lines, limit, distinct, sys.argv[5] if len(sys.argv) > 5 else None, out)
    else:
        sys.exit("gen.py: unknown shape %s" % shape)


if __name__ == "__main__":
    main()
