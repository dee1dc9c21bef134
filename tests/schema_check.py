#!/usr/bin/env python3
"""Validates pgsift JSON reports against doc/report.schema.json.

usage: schema_check.py SCHEMA PATH...

A PATH is a report, or a directory whose *.json files are reports (the
spool make test fills: each NAME.json may have a NAME.cmd beside it, the
command that wrote it). Every error is printed as FILE: at JSON-PATH:
message, with the command when known; the exit status is 1 when any report
broke the schema, 2 when the check could not run (no jsonschema module,
an unreadable file, a schema that is not one).
"""
import json
import os
import sys


def json_path(parts):
    out = "$"
    for p in parts:
        out += "[%d]" % p if isinstance(p, int) else "." + p
    return out


def reports(paths):
    for path in paths:
        if os.path.isdir(path):
            for name in sorted(os.listdir(path)):
                if name.endswith(".json"):
                    yield os.path.join(path, name)
        else:
            yield path


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    try:
        import jsonschema
    except ImportError:
        sys.stderr.write("schema_check: no jsonschema module "
                         "(Debian: apt-get install python3-jsonschema)\n")
        return 2
    with open(argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    try:
        cls.check_schema(schema)
    except jsonschema.exceptions.SchemaError as e:
        sys.stderr.write("schema_check: %s is not a valid schema: %s\n"
                         % (argv[1], e.message))
        return 2
    validator = cls(schema)
    checked = bad = 0
    for path in reports(argv[2:]):
        try:
            with open(path, encoding="utf-8") as f:
                doc = json.load(f)
        except (OSError, ValueError) as e:
            sys.stderr.write("schema_check: %s: %s\n" % (path, e))
            return 2
        checked += 1
        errors = sorted(validator.iter_errors(doc),
                        key=lambda e: list(map(str, e.absolute_path)))
        if not errors:
            continue
        bad += 1
        for e in errors[:20]:
            print("%s: at %s: %s" % (path, json_path(e.absolute_path),
                                     e.message[:300]))
        if len(errors) > 20:
            print("%s: ... and %d more errors" % (path, len(errors) - 20))
        cmd = os.path.splitext(path)[0] + ".cmd"
        if os.path.exists(cmd):
            with open(cmd, encoding="utf-8", errors="replace") as f:
                print("%s: written by: %s" % (path, f.read().strip()))
    print("schema_check: %d report%s checked against %s, %d broke it"
          % (checked, "" if checked == 1 else "s", argv[1], bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
