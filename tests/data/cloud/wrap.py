#!/usr/bin/env python3
"""Wraps the real server logs of make.sh (NAME.log.zst, here) in the forms
the clouds ship them in, from their documented schemas, so that the cloud
parsers are tested on real server lines (run by make.sh; rewrites):

- gcp.array.json: `gcloud logging read --format=json` of Cloud SQL's
  postgres.log: one JSON array of LogEntry objects (insertId, logName,
  resource {type cloudsql_database, labels database_id, project_id,
  region}, severity, textPayload, timestamp, receiveTimestamp), newest
  first as gcloud lists them, each line of the server's its own entry; the
  DETAIL/STATEMENT/continuation lines of a message are moved after the
  next message of another backend, as entries arrive interleaved.
- gcp.ndjson: a log sink's file: one LogEntry a line, oldest first, a
  message and its lines in one textPayload, with entries of other services
  (a Cloud Audit entry, a GCE instance's syslog) among them.
- azure.json: a storage account's PT1H.json: one resource log record a
  line (time, resourceId, category PostgreSQLLogs, operationName LogEvent,
  properties {message, prefix, errorLevel, processId, sqlerrcode,
  timestamp, domain, ...}), one record per line of the server's, message
  holding the line as written; a record of another category
  (PostgreSQLFlexSessions) among them.
- azure.eventhub.json: the same as Event Hub delivers it, {"records":
  [...]} a batch, message holding the text after the prefix and severity.
- rds.filter.json / rds.get.json: `aws logs filter-log-events` and
  `get-log-events` output: {"events": [{logStreamName, timestamp (ms),
  message, ingestionTime, eventId}], ...}, one event per line that starts
  with the prefix, with its tab-led lines.
- rds.export.gz: a CloudWatch export to S3: each event as its ISO 8601
  time, a space and its message, gzip.
- heroku.log: `heroku logs` output: "TIME app[postgres.PID]: [DATABASE]
  [SEQ-CHUNK] LINE", the server's syslog numbering (a message's lines are
  its chunks, lines longer than 900 bytes cut at a word boundary as
  PostgreSQL's write_syslog() does), the prefix's time and pid taken into
  the header, Heroku's ' sql_error_code = %e ' kept; lines of a web dyno,
  the router and Heroku Postgres' metrics among them.
"""
import datetime
import gzip
import json
import os
import re
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
PARTS = ("DETAIL", "HINT", "CONTEXT", "STATEMENT", "QUERY", "LOCATION")
SEV = re.compile(r"(DEBUG\d?|LOG|INFO|NOTICE|WARNING|ERROR|FATAL|PANIC|DETAIL|HINT|"
                 r"CONTEXT|STATEMENT|QUERY|LOCATION):  ?")


def read(name, regex):
    """The lines of make.sh's NAME.raw from the first one written with the
    cloud's prefix to the last, also written to NAME.log.zst (the
    reference)."""
    with open(os.path.join(HERE, name + ".raw"), encoding="utf-8") as f:
        lines = f.read().split("\n")[:-1]
    while lines and not re.match(regex, lines[0]):
        lines.pop(0)
    # The next cloud's reload writes its first lines here, with its prefix.
    while lines and not re.match(regex, lines[-1]) and not lines[-1].startswith("\t"):
        lines.pop()
    subprocess.run(["zstd", "-q", "-19", "-f", "-o", os.path.join(HERE, name + ".log.zst")],
                   input=("\n".join(lines) + "\n").encode("utf-8"), check=True)
    return lines


def iso(ts, frac=3):
    """'2024-01-15 10:00:00.123 UTC' or '... 10:00:00 UTC' to RFC 3339."""
    t = ts.split(" ")
    d = datetime.datetime.fromisoformat(t[0] + " " + t[1]).replace(tzinfo=datetime.timezone.utc)
    return d


def rfc(d, digits=3, z="Z"):
    s = d.strftime("%Y-%m-%dT%H:%M:%S")
    us = "%06d" % d.microsecond
    return s + ("." + us[:digits] if digits else "") + z


def lines_of(name, regex):
    """(line, ts, pid, is_primary, severity) for each line; tab-led lines
    take the time and pid of the line before."""
    out, ts, pid = [], None, None
    for ln in read(name, regex):
        m = re.match(regex, ln)
        if m:
            ts, pid = m.group("ts"), m.group("pid")
            pid = int(pid, 16) if name == "azure" else int(pid)
            s = SEV.match(ln, m.end())
            sev = s.group(1) if s else "LOG"
            out.append([ln, ts, pid, sev not in PARTS, sev, m])
        else:
            out.append([ln, ts, pid, False, None, None])
    return out


def messages(lines):
    """Groups lines into messages: a primary line, then its tab-led lines
    and part lines (stderr writes a message whole)."""
    msgs = []
    for l in lines:
        if l[3] or not msgs:
            msgs.append([l])
        else:
            msgs[-1].append(l)
    return msgs


def events(lines):
    """Groups lines into prefixed lines with their tab-led lines."""
    evs = []
    for l in lines:
        if l[5] is not None or not evs:
            evs.append([l])
        else:
            evs[-1].append(l)
    return evs


def gcp():
    lines = lines_of("gcp", r"(?P<ts>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} \w+) \[(?P<pid>\d+)\]: ")
    res = {"type": "cloudsql_database",
           "labels": {"database_id": "shop-prod:shop-db", "project_id": "shop-prod",
                      "region": "europe-west1"}}
    log = "projects/shop-prod/logs/cloudsql.googleapis.com%2Fpostgres.log"
    sevmap = {"LOG": "INFO", "ERROR": "ERROR", "FATAL": "CRITICAL", "WARNING": "WARNING"}
    n = [0]

    def entry(text, ts, sev):
        n[0] += 1
        d = iso(ts)
        return {"insertId": "s%08x" % n[0], "logName": log, "receiveTimestamp":
                rfc(d + datetime.timedelta(milliseconds=40), 9), "resource": res,
                "severity": sevmap.get(sev, "INFO"), "textPayload": text,
                "timestamp": rfc(d, 6)}

    # Array: a line an entry, parts moved after the next message of
    # another backend.
    msgs = messages(lines)
    order, held = [], []
    for m in msgs:
        if held and held[0][2] == m[0][2]:
            order.extend(held)  # a backend writes one message at a time
            held = []
        order.append(m[0])
        order.extend(held)
        held = m[1:]
    order.extend(held)
    assert sorted(map(id, order)) == sorted(id(l) for l in lines)
    arr = [entry(l[0], l[1], l[4] or "LOG") for l in order]
    arr.reverse()
    with open(os.path.join(HERE, "gcp.array.json"), "w") as f:
        json.dump(arr, f, indent=2)
        f.write("\n")
    # A sink's file: a message an entry, foreign entries among them.
    with open(os.path.join(HERE, "gcp.ndjson"), "w") as f:
        for k, m in enumerate(msgs):
            f.write(json.dumps(entry("\n".join(l[0] for l in m), m[0][1], m[0][4])) + "\n")
            if k == 3:
                f.write(json.dumps({"insertId": "a1", "logName":
                        "projects/shop-prod/logs/cloudaudit.googleapis.com%2Factivity",
                        "protoPayload": {"serviceName": "cloudsql.googleapis.com",
                                         "methodName": "cloudsql.instances.update"},
                        "resource": {"type": "cloudsql_database", "labels": res["labels"]},
                        "severity": "NOTICE", "timestamp": rfc(iso(m[0][1]), 6)}) + "\n")
            if k == 7:
                f.write(json.dumps({"insertId": "g1", "logName":
                        "projects/shop-prod/logs/syslog", "resource": {"type": "gce_instance",
                        "labels": {"instance_id": "42", "zone": "europe-west1-b"}},
                        "textPayload": "systemd[1]: Started Daily apt upgrade.",
                        "timestamp": rfc(iso(m[0][1]), 6)}) + "\n")


def azure():
    lines = lines_of("azure", r"(?P<ts>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \w+)-[0-9a-f]+\.(?P<pid>[0-9a-f]+)-")
    rid = ("/SUBSCRIPTIONS/0B1F6471-1BF0-4DDA-AEC3-CB9272F09590/RESOURCEGROUPS/SHOP/PROVIDERS/"
           "MICROSOFT.DBFORPOSTGRESQL/FLEXIBLESERVERS/SHOP-DB")
    recs, bare = [], []
    for ev in events(lines):
        l = ev[0]
        m = l[5]
        text = "\n".join(x[0] for x in ev)
        sev = l[4] or "LOG"
        pre = m.group(0) if m else ""
        body = text[SEV.match(text, len(pre)).end():] if m else text
        state = "00000" if sev in ("LOG", "DETAIL", "STATEMENT") else ""
        d = iso(l[1])
        props = {"prefix": pre, "message": text, "detail": "", "errorLevel": sev,
                 "domain": "postgres-16", "schemaName": "", "tableName": "", "columnName": "",
                 "datatypeName": "", "processId": l[2], "sqlerrcode": state,
                 "timestamp": l[1].replace(" UTC", ".000 UTC")}
        rec = {"time": rfc(d, 7), "resourceId": rid, "category": "PostgreSQLLogs",
               "operationName": "LogEvent", "properties": props}
        recs.append(rec)
        b = json.loads(json.dumps(rec))
        b["properties"]["message"] = body
        bare.append(b)
    with open(os.path.join(HERE, "azure.json"), "w") as f:
        for k, r in enumerate(recs):
            f.write(json.dumps(r) + "\n")
            if k == 5:
                f.write(json.dumps({"time": r["time"], "resourceId": rid,
                        "category": "PostgreSQLFlexSessions", "operationName": "LogEvent",
                        "properties": {"datname": "shop", "state": "idle"}}) + "\n")
    with open(os.path.join(HERE, "azure.eventhub.json"), "w") as f:
        json.dump({"records": bare}, f)
        f.write("\n")


def rds():
    lines = lines_of("rds", r"(?P<ts>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \w+):[^:]*:[^@:]*@[^:]*:\[(?P<pid>\d+)\]:")
    evs = []
    for k, ev in enumerate(events(lines)):
        d = iso(ev[0][1])
        ms = int(d.timestamp() * 1000)
        evs.append({"logStreamName": "shop-db", "timestamp": ms,
                    "message": "\n".join(x[0] for x in ev), "ingestionTime": ms + 700,
                    "eventId": "%056d" % (ms * 1000 + k)})
    with open(os.path.join(HERE, "rds.filter.json"), "w") as f:
        json.dump({"events": evs, "searchedLogStreams": [
            {"logStreamName": "shop-db", "searchedCompletely": True}]}, f, indent=4)
        f.write("\n")
    with open(os.path.join(HERE, "rds.get.json"), "w") as f:
        json.dump({"events": [{k: e[k] for k in ("timestamp", "message", "ingestionTime")}
                              for e in evs],
                   "nextForwardToken": "f/%056d" % 1, "nextBackwardToken": "b/%056d" % 2},
                  f, indent=4)
        f.write("\n")
    with gzip.GzipFile(os.path.join(HERE, "rds.export.gz"), "wb", mtime=0) as f:
        for e in evs:
            d = datetime.datetime.fromtimestamp(e["timestamp"] / 1000, datetime.timezone.utc)
            f.write((rfc(d) + " " + e["message"] + "\n").encode("utf-8"))


def syslog_pieces(line):
    """PostgreSQL's write_syslog(): a line longer than 900 bytes is cut,
    at the last space before the limit when there is one."""
    out = []
    while len(line.encode()) > 900:
        cut = 900
        if line[cut] != " ":
            i = cut - 1
            while i > 0 and line[i] != " ":
                i -= 1
            if i > 0:
                cut = i
        out.append(line[:cut])
        line = line[cut:]
    out.append(line)
    return out


def heroku():
    rx = r"(?P<ts>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} \w+) \[(?P<pid>\d+)\]"
    lines = lines_of("heroku", rx)
    seq = {}
    out = []
    for k, m in enumerate(messages(lines)):
        pid, d = m[0][2], iso(m[0][1])
        seq[pid] = seq.get(pid, 0) + 1
        chunk = 0
        for l in m:
            text = l[0][l[5].end():] if l[5] else l[0]
            for piece in syslog_pieces(text):
                chunk += 1
                out.append("%s app[postgres.%d]: [DATABASE] [%d-%d] %s"
                           % (rfc(d, 6, "+00:00"), pid, seq[pid], chunk, piece))
        t = rfc(d, 6, "+00:00")
        if k % 9 == 4:
            out.append(t + " heroku[router]: at=info method=GET path=\"/items\" "
                       "host=shop.herokuapp.com status=200 bytes=512 protocol=https")
            out.append(t + " app[web.1]: Started GET \"/items\" for 10.1.2.3")
        if k % 20 == 10:
            out.append(t + " app[heroku-postgres]: source=DATABASE addon=postgresql-shop-12345 "
                       "sample#current_transaction=1234 sample#db_size=9876543bytes "
                       "sample#tables=1 sample#active-connections=3")
    with open(os.path.join(HERE, "heroku.log"), "w") as f:
        f.write("\n".join(out) + "\n")


gcp()
azure()
rds()
heroku()
