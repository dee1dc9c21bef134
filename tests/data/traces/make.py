#!/usr/bin/env python3
"""Re-shapes the real Sentry events of ../shared/corpus/sentry into the other
export forms pgsift reads, so that every form is tested on real spans (no
span here is invented: ids, SQL, times and parents are the events' own).

    python3 tests/data/traces/make.py     (from the source tree; rewrites the files)

- django-envelope.txt: the Django N+1 event as the SDK sends it, a Sentry
  envelope (header line, item header, payload), with a client_report item
  before it that pgsift must skip and count.
- django-span-first.json: the same event's spans as span-first spans
  (a JSON array: is_segment, name, end_timestamp, attributes with
  sentry.op / db.query.text / sentry.segment.name).
- rails-span-envelope.txt: the Rails event's spans as a span-first envelope
  item ({"version": 2, "items": [...]}), times as RFC 3339 strings.
- rails-explore.csv: the Rails event's spans as Sentry Explore's CSV export
  (id, parent_span, trace, transaction, span.op, span.description,
  span.duration, precise.start_ts, precise.finish_ts, span.group).
- django-otlp.json: the Django event as an OTLP JSON export (one
  resourceSpans document, nanosecond times as strings, db.query.text).
- node-envelopes.txt: what @sentry/node 9 sends from the Next.js app of
  the MongoDB and Prisma events, envelope after envelope (each ended by a
  newline; check_sentry.c also glues them as serializeEnvelope leaves
  them): client reports with their
  header of {} (createClientReportEnvelope), a sessions aggregate, an
  error event, and the two transactions with the SDK's header (event_id,
  sent_at, sdk, trace: the event's own dynamic sampling context). pgsift
  must read the two transactions and skip and count the rest.
- events.ndjson: the four Django/Rails events, one per line.
- otlp.ndjson: the Django OTLP document on one line, times as numbers,
  with the older db.statement / db.system attributes.
"""
import csv
import datetime
import io
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "..", "..", "..", "..", "shared", "corpus", "sentry")


def load(name):
    with open(os.path.join(CORPUS, name)) as f:
        return json.load(f)


def rfc3339(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).isoformat().replace("+00:00", "Z")


def root_of(ev):
    tc = ev.get("contexts", {}).get("trace", {})
    return tc.get("span_id"), tc.get("trace_id") or ev["spans"][0]["trace_id"]


def span_first(ev):
    root_id, trace = root_of(ev)
    out = [{
        "span_id": root_id or "0" * 16, "parent_span_id": None, "trace_id": trace,
        "start_timestamp": ev["start_timestamp"], "end_timestamp": ev["timestamp"],
        "name": ev["transaction"], "is_segment": True,
        "attributes": {"sentry.op": {"type": "string", "value": "http.server"},
                       "sentry.segment.name": {"type": "string", "value": ev["transaction"]}},
    }]
    for s in ev["spans"]:
        attrs = {"sentry.op": {"type": "string", "value": s["op"]}}
        if s["op"].startswith("db"):
            attrs["db.query.text"] = {"type": "string", "value": s.get("description", "")}
            attrs["db.system.name"] = {"type": "string", "value": "mysql"}
        out.append({
            "span_id": s["span_id"], "parent_span_id": s.get("parent_span_id"),
            "trace_id": s.get("trace_id", trace),
            "start_timestamp": s["start_timestamp"], "end_timestamp": s["timestamp"],
            "name": s.get("description", ""), "is_segment": False, "attributes": attrs,
        })
    return out


def otlp(ev, numbers=False, old=False):
    _, trace = root_of(ev)

    def ns(t):
        v = int(round(t * 1e9))
        return v if numbers else str(v)

    spans = []
    for s in ev["spans"]:
        attrs = []
        if s["op"].startswith("db") and s.get("description") != "connect":
            q, sysk = ("db.statement", "db.system") if old else ("db.query.text", "db.system.name")
            attrs = [{"key": q, "value": {"stringValue": s["description"]}},
                     {"key": sysk, "value": {"stringValue": "mysql"}}]
        spans.append({
            "traceId": s.get("trace_id", trace), "spanId": s["span_id"],
            "parentSpanId": s.get("parent_span_id", ""),
            "name": s.get("description") or s["op"], "kind": 3 if attrs else 1,
            "startTimeUnixNano": ns(s["start_timestamp"]), "endTimeUnixNano": ns(s["timestamp"]),
            "attributes": attrs,
        })
    return {"resourceSpans": [{
        "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "books"}}]},
        "scopeSpans": [{"scope": {"name": "re-shaped from a Sentry event"}, "spans": spans}],
    }]}


def node_envelopes():
    """@sentry/core's serializeEnvelope: the header, then each item's
    header and payload, one JSON text a line; no length for JSON items."""
    def envelope(header, items):
        lines = [json.dumps(header, separators=(",", ":"))]
        for ih, payload in items:
            lines.append(json.dumps(ih, separators=(",", ":")))
            lines.append(json.dumps(payload, separators=(",", ":")))
        return "\n".join(lines) + "\n"

    def client_report(t, quantity):
        return envelope({}, [({"type": "client_report"}, {
            "timestamp": t, "discarded_events": [
                {"reason": "sample_rate", "category": "transaction", "quantity": quantity}]})])

    out = []
    mongo, prisma = load("mongodb-n-plus-one.json"), load("prisma-mn-plus-one.json")
    sdk = {"name": mongo["sdk"]["name"], "version": mongo["sdk"]["version"]}
    out.append(client_report(mongo["start_timestamp"] - 60, 2))
    for ev in (mongo, prisma):
        sent = rfc3339(ev["timestamp"])
        out.append(envelope({"sent_at": sent, "sdk": sdk}, [({"type": "sessions"}, {
            "aggregates": [{"started": sent[:16] + ":00.000Z", "exited": 1}],
            "attrs": {"environment": ev["environment"]}})]))
        out.append(envelope({"event_id": ev["event_id"], "sent_at": sent, "sdk": sdk,
                             "trace": ev.get("_dsc", {})},
                            [({"type": "transaction"}, ev)]))
        out.append(client_report(ev["timestamp"] + 1, 1))
    err = {"event_id": "0" * 31 + "1", "level": "error", "platform": mongo["platform"],
           "timestamp": mongo["timestamp"], "environment": mongo["environment"],
           "transaction": mongo["transaction"], "sdk": mongo["sdk"],
           "contexts": {"trace": {k: mongo["contexts"]["trace"][k] for k in ("trace_id", "span_id")}},
           "exception": {"values": [{"type": "MongoServerError", "value": "connection reset"}]}}
    out.append(envelope({"event_id": err["event_id"], "sent_at": rfc3339(mongo["timestamp"]),
                         "sdk": sdk}, [({"type": "event"}, err)]))
    return "".join(out)


def write(name, text):
    with open(os.path.join(HERE, name), "w") as f:
        f.write(text)


def main():
    django = load("django-n-plus-one.json")
    rails = load("rails-n-plus-one.json")

    payload = json.dumps(django, separators=(",", ":"))
    report = json.dumps({"timestamp": django["timestamp"], "discarded_events": []})
    write("django-envelope.txt", "\n".join([
        json.dumps({"event_id": django["event_id"], "sent_at": django["datetime"]}),
        json.dumps({"type": "client_report", "length": len(report)}), report,
        json.dumps({"type": "transaction", "length": len(payload.encode())}), payload, ""]))

    write("django-span-first.json", json.dumps(span_first(django), indent=1) + "\n")

    items = span_first(rails)
    for s in items:
        s["start_timestamp"] = rfc3339(s["start_timestamp"])
        s["end_timestamp"] = rfc3339(s["end_timestamp"])
    body = json.dumps({"version": 2, "items": items}, separators=(",", ":"))
    write("rails-span-envelope.txt", "\n".join([
        json.dumps({"sent_at": rails["datetime"]}),
        json.dumps({"type": "span", "item_count": len(items),
                    "content_type": "application/vnd.sentry.items.span.v2+json"}), body, ""]))

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["id", "parent_span", "trace", "transaction", "span.op", "span.description",
                "span.duration", "precise.start_ts", "precise.finish_ts", "span.group"])
    for s in rails["spans"]:
        w.writerow([s["span_id"], s["parent_span_id"], s["trace_id"], rails["transaction"],
                    s["op"], s.get("description", ""),
                    "%.3f" % ((s["timestamp"] - s["start_timestamp"]) * 1000),
                    "%.6f" % s["start_timestamp"], "%.6f" % s["timestamp"], s.get("hash", "")])
    write("rails-explore.csv", buf.getvalue())

    write("django-otlp.json", json.dumps(otlp(django), indent=1) + "\n")
    write("otlp.ndjson", json.dumps(otlp(django, numbers=True, old=True)) + "\n")

    write("node-envelopes.txt", node_envelopes())

    lines = [json.dumps(load(n), separators=(",", ":")) for n in (
        "django-n-plus-one.json", "django-fast-n-plus-one.json",
        "django-solved-n-plus-one.json", "rails-n-plus-one.json")]
    write("events.ndjson", "\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
