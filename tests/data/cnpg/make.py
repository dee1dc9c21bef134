#!/usr/bin/env python3
"""Wraps the real csvlog of tests/data/forms (one run of pg-workload.sh,
PostgreSQL 15) in CloudNativePG's JSON log, as `kubectl logs` of the
instance pod shows it, so that the cnpg parser is tested on real server
records:

    python3 tests/data/cnpg/make.py     (from the source tree; rewrites the file)

- postgresql.cnpg.zst: every csvlog record as one line
  {"level","ts","logger":"postgres","msg":"record","logging_pod","record"},
  record's keys being csvlog's columns with string values and empty ones
  left out (CloudNativePG's logpipe LoggingRecord, "omitempty"); "level"
  is "info" and "ts" the record's time as RFC 3339, as the operator writes
  them. The instance manager's own lines come around them as it writes
  them at start and at each WAL archive (loggers instance-manager,
  pg_controldata, wal-archive, and a line of the operator without a
  logger): pgsift must skip and count them.
- Before the first record, the two lines the server writes to its stderr
  when its logging collector starts (PostgreSQL's own messages, with the
  run's postmaster pid and start time, under PostgreSQL's default
  log_line_prefix '%m [%p] '), which CNPG passes on as the postgres
  logger's "msg" with "pipe":"stderr".

The run's jsonlog and csvlog files stay the reference: check_cnpg.c
requires the same report from this file as from them.
"""
import csv
import datetime
import io
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
FORMS = os.path.join(HERE, "..", "forms")
POD = "cluster-example-1"

# csvlog's columns (PostgreSQL 14+), under CloudNativePG's names.
KEYS = ["log_time", "user_name", "database_name", "process_id", "connection_from",
        "session_id", "session_line_num", "command_tag", "session_start_time",
        "virtual_transaction_id", "transaction_id", "error_severity", "sql_state_code",
        "message", "detail", "hint", "internal_query", "internal_query_pos", "context",
        "query", "query_pos", "location", "application_name", "backend_type",
        "leader_pid", "query_id"]


def rfc3339(log_time):
    t = datetime.datetime.strptime(log_time[:23], "%Y-%m-%d %H:%M:%S.%f")
    return t.strftime("%Y-%m-%dT%H:%M:%S.%f") + "Z"


def other(ts, logger, msg, **extra):
    d = {"level": "info", "ts": ts, "logger": logger, "msg": msg}
    d.update(extra)
    d["logging_pod"] = POD
    return json.dumps(d, separators=(",", ":"))


def main():
    raw = subprocess.run(["zstd", "-dc", os.path.join(FORMS, "postgresql.csv.zst")],
                         check=True, capture_output=True).stdout.decode()
    rows = list(csv.reader(io.StringIO(raw, newline="")))
    first = rfc3339(rows[0][0])
    out = [
        other(first, "instance-manager", "Starting CloudNativePG Instance Manager",
              version="1.24.1", build={"Version": "1.24.1"}),
        other(first, "pg_controldata", "pg_control version number:            1300\n"
              "Catalog version number:               202209061\n", pipe="stdout"),
        other(first, "instance-manager", "starting up the PostgreSQL server",
              controller="instance-cluster"),
    ]
    # What the postmaster wrote to stderr before csvlog took over.
    t0, pid = rows[0][0], rows[0][3]
    for text in ("LOG:  redirecting log output to logging collector process",
                 'HINT:  Future log output will appear in directory "/controller/log".'):
        out.append(other(first, "postgres", "%s [%s] %s" % (t0, pid, text), pipe="stderr"))
    out.append(json.dumps({"level": "info", "ts": first,
                           "msg": "Instance is still down, will retry in 1 second",
                           "controller": "instance-cluster", "logging_pod": POD},
                          separators=(",", ":")))
    for row in rows:
        rec = {k: v for k, v in zip(KEYS, row) if v != ""}
        ts = rfc3339(row[0])
        out.append(json.dumps({"level": "info", "ts": ts, "logger": "postgres",
                               "msg": "record", "logging_pod": POD, "record": rec},
                              separators=(",", ":")))
        if row[13].startswith("checkpoint complete"):
            out.append(other(ts, "wal-archive", "Archived WAL file",
                             walName="pg_wal/000000010000000000000001"))
    text = ("\n".join(out) + "\n").encode()
    comp = subprocess.run(["zstd", "-19", "-q", "-c"], input=text, check=True,
                          capture_output=True).stdout
    with open(os.path.join(HERE, "postgresql.cnpg.zst"), "wb") as f:
        f.write(comp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
