/* cloud_int.h: what the parsers of cloud log exports share.
 *
 * A cloud ships the server's log as entries of its own (Cloud Logging's
 * LogEntry, Azure's resource log records, CloudWatch events, logplex
 * lines), each holding one or more of the server's stderr lines: the
 * log_line_prefix, a severity and the message, or a tab-led line that
 * continues one. The parsers here take those lines out of their wrappers;
 * the joiner (cloud_join.c) puts them back together per backend, as stderr
 * writes them (a message, its continuation lines, its DETAIL, STATEMENT,
 * ... lines), even when the cloud interleaved them with other backends'
 * lines, and builds the entries with the stderr parser's entry builder
 * (logentry.h). The JSON exports are cut into their entries by a scanner
 * of the bytes (cloud_json.c), and the few members a parser uses are read
 * from each by another (cloud_entry.c), jansson reading what it is not
 * sure of. */
#ifndef PGSIFT_CLOUD_INT_H
#define PGSIFT_CLOUD_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "parser.h"
#include "record.h"

struct cloud_join;

/* A joiner for ctx's input: its prefix is --prefix when given, else the
 * one prefix_detect() finds in sample (up to a few hundred of the input's
 * server lines, one a line, from the parser's own peek), else dflt (the
 * cloud's own default, NULL when it has none), and a note says which;
 * what names the wrapper in that note and in problems ("in the
 * textPayload of the entries"). NULL after reporting a problem when none
 * fits. The result belongs to the caller (cloud_join_free()). */
struct cloud_join *cloud_join_open(struct parse_ctx *ctx, const char *sample,
		size_t len, const char *what, const char *dflt);
void cloud_join_free(struct cloud_join *j);

/* Adds a piece of the server's text from the wrapper entry at line: one
 * or more lines (separated by "\n"; a "\r" before it dropped). pid and
 * ts_ms are the wrapper's (-1 and TS_NONE when it has none): they stand
 * in for fields the prefix lacks, and pid says which backend a line
 * without one (tab-led) continues. glue: the text continues the last line
 * of that backend's message without a line break (a line the server cut
 * into pieces for syslog). text is copied. */
void cloud_join_add(struct cloud_join *j, uint64_t line, const char *text,
		size_t len, int64_t pid, int64_t ts_ms, bool glue);
/* Whether line would start a line of a message by itself: tab-led, or the
 * prefix and a severity. */
bool cloud_join_is_line(struct cloud_join *j, const char *line, size_t len);
/* The next entry whose lines are all in, or, once at_end (no more text
 * will come), any entry left: 1 with *out filled (its slices valid until
 * the next call), 0 when none is ready. */
int cloud_join_next(struct cloud_join *j, struct record *out, bool at_end);

/* Entries of other services in the same export (an audit log, a web
 * dyno's lines): skipped, counted, and named in one note at the end. */
#define CLOUD_FOREIGN_NAMES 6

struct cloud_foreign {
	uint64_t n;
	unsigned nnames;
	char names[CLOUD_FOREIGN_NAMES][48];
};

/* Counts one entry of name (len bytes; cut to fit) as skipped. */
void cloud_foreign_add(struct parse_ctx *ctx, struct cloud_foreign *f,
		const char *name, size_t len);
/* The note of f's entries, when there were any: "N what of other
 * services skipped (name, ...)"; what is plural ("entries", "lines"). */
void cloud_foreign_note(struct parse_ctx *ctx, const struct cloud_foreign *f,
		const char *what);

/* Reads the JSON documents a cloud exports: one array of entries ("[{..},
 * ...]"), an object holding the array under one of keys ({"records":
 * [...]}), or one entry after another (newline-delimited, or pretty-
 * printed one after the other). */
struct cloud_json;

/* What a parser reads of an entry: the values at a few paths ("a.b" goes
 * down objects), read by a scanner of the bytes, or by jansson when the
 * scanner is not sure (cloud_entry.c). */
#define CLOUD_FIELDS 8

enum cloud_kind { CLOUD_ABSENT, CLOUD_STRING, CLOUD_INTEGER };

struct cloud_entry {
	const char *const *paths;       /* wanted, NULL-terminated */
	unsigned npaths;                /* at most CLOUD_FIELDS */
	size_t plen[CLOUD_FIELDS];
	unsigned char kind[CLOUD_FIELDS];
	struct slice v[CLOUD_FIELDS];   /* strings */
	int64_t num[CLOUD_FIELDS];      /* integers */
	char *buf;                      /* unescaped strings */
	size_t cap;
	json_t *tree;                   /* jansson's, when it read the entry */
};

/* paths must outlive e. cloud_entry_release() frees what e holds. */
void cloud_entry_init(struct cloud_entry *e, const char *const *paths);
void cloud_entry_release(struct cloud_entry *e);
/* Reads the entry's bytes text[0..len): 1 with its values (valid until
 * the next read), 0 when it is not a JSON object, with the reason in err
 * and the line in it (from 0) in *errline. */
int cloud_entry_read(struct cloud_entry *e, const char *text, size_t len,
		char *err, size_t errlen, uint64_t *errline);
/* The string at wanted path i, NULL when absent or not a string. */
const char *cloud_entry_str(const struct cloud_entry *e, unsigned i, size_t *len);
/* The integer at wanted path i: false when absent or not one. */
bool cloud_entry_int(const struct cloud_entry *e, unsigned i, int64_t *v);

/* keys: the wrapping object's keys whose array holds the entries, NULL-
 * terminated. The result belongs to the caller (cloud_json_free()). */
struct cloud_json *cloud_json_open(struct parse_ctx *ctx, const char *const *keys);
void cloud_json_free(struct cloud_json *s);
/* The next entry read into e: 1 with the line it starts at, 0 at the
 * end. An entry that is not valid JSON, or not an object, is reported at
 * its line, counted as skipped, and passed over. */
int cloud_json_next(struct cloud_json *s, struct cloud_entry *e, uint64_t *line);

/* Up to max entries from the start of buf (the input's first bytes),
 * read into e for probing and prefix detection: calls each(arg, e) for
 * each, until it returns false. Entries cut off at the end, and those
 * that are not JSON objects, are left out. */
void cloud_json_peek(const char *buf, size_t len, const char *const *keys,
		unsigned max, struct cloud_entry *e,
		bool (*each)(void *arg, struct cloud_entry *e), void *arg);

/* Whether buf (an input's first bytes) starts as JSON does, with an
 * object or an array (a BOM and blanks before): what the JSON probes
 * check before they search the bytes. */
bool cloud_json_starts(const char *buf, size_t len);
/* The bytes the JSON probes search for their keys: the first entries
 * show them, and every input pays for each search (five searches of the
 * whole 256 kB peek cost a jsonlog file 1.5 M instructions, callgrind). */
#define CLOUD_PROBE_BYTES (64 * 1024)

/* The member of o at path ("a.b" goes down objects), NULL when absent. */
json_t *cloud_get(json_t *o, const char *path);
/* The string member of o at path, NULL when absent or not a string. */
const char *cloud_str(json_t *o, const char *path, size_t *len);
/* An ISO 8601 / RFC 3339 time ("2024-01-15T10:00:00.123456Z", any number
 * of fraction digits) as UTC epoch ms, TS_NONE when it is not one. */
int64_t cloud_iso_ms(const char *s, size_t len);

#endif
