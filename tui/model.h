/* model.h: what the TUI shows, without curses (tui/model_*.c).
 *
 * Every view reads one model, the run's struct analysis (analysis.h): a
 * fresh analysis, or a saved JSON report read back by the one loader
 * (report_load.h), so logs and saved reports browse the same way and no
 * JSON text is made or parsed in between. tui_report extracts the columns
 * the views sort and filter on, as the reports show them; the other models
 * turn parts of it into lines of sanitized text (struct tlines) that the
 * drawing module puts on the screen as they are. No text from a log reaches the terminal without
 * passing through tt_sanitize(). The test runner links these files; the
 * views and draw.c (curses) are linked into the binary only. */
#ifndef PGSIFT_TUI_MODEL_H
#define PGSIFT_TUI_MODEL_H

#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis.h"

/* ---- text (model_text.c) ---- */

/* Styles of drawn text; draw.c maps them to colours or attributes. */
#define TSTYLE_LIST(X) \
	X(TS_NORMAL) X(TS_TITLE) X(TS_HEADER) X(TS_DIM) X(TS_GOOD) X(TS_WARN) \
	X(TS_ALERT) X(TS_CRIT) X(TS_HOT) X(TS_BAR) X(TS_CURSOR) X(TS_STATUS) \
	X(TS_SEARCH)

enum tstyle {
#define X(id) id,
	TSTYLE_LIST(X)
#undef X
	TS_COUNT
};

/* What a line leads to when chosen (Enter). */
enum tline_kind { TL_TEXT, TL_GROUP, TL_FINDING, TL_SECTION, TL_PLAN, TL_TABLE,
	TL_EXAMPLE /* ref: the example's index in the group's */ };

struct tline {
	char *text;             /* sanitized UTF-8; owned */
	enum tstyle style;
	enum tline_kind kind;
	size_t ref;             /* group or finding index, per kind */
};

struct tlines {
	struct tline *v;
	size_t n, cap;
};

/* Appends a line formatted like printf, sanitized (control characters
 * and escape sequences made visible; a newline ends the line, the rest
 * going to further lines of the same style). */
void tlines_add(struct tlines *l, enum tstyle st, enum tline_kind kind, size_t ref,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Appends text wrapped at width columns (at least 20), each line indented
 * by indent spaces; newlines in text start new lines. */
void tlines_wrap(struct tlines *l, enum tstyle st, const char *text, int width, int indent);
/* The same, each line of kind and ref, the first indented by indent and
 * the others by hang, each cut to fit width with its own indent. */
void tlines_wrap_as(struct tlines *l, enum tstyle st, enum tline_kind kind, size_t ref,
		const char *text, int width, int indent, int hang);
void tlines_clear(struct tlines *l);
/* Index of the first line at or after from (wrapping) whose text matches
 * re (a compiled PCRE2 code, see tt_regex_new); -1 when none. */
long tlines_find(const struct tlines *l, size_t from, const void *re);
/* The same, searching towards the start when backwards (from included). */
long tlines_find_dir(const struct tlines *l, size_t from, const void *re, bool backwards);

/* Copies s into a new string where every byte that could drive a terminal
 * is shown instead, as in every human output (text_escape.h): C0 controls,
 * DEL and invalid UTF-8 as \xHH, C1 controls and bidi controls as \uHHHH;
 * a tab or carriage return becomes a space. With one_line, newlines become
 * a space (else they stay). The result belongs to the caller. */
char *tt_sanitize(const char *s, bool one_line);
/* Display width in columns of sanitized UTF-8 text (wide characters 2). */
int tt_width(const char *s);
/* Byte length of the longest prefix of s that fits in cols columns. */
size_t tt_fit(const char *s, int cols);
/* s cut to cols columns with "…" when longer, written into out (at least
 * 4 * cols + 4 bytes). */
void tt_ellipsize(const char *s, int cols, char *out, size_t outlen);
/* Durations ("850 us", "12.3 ms", "4.56 s", "2.1 min", "3.0 h"), counts
 * ("1,234"; "12.3k" past 99,999 when short), bytes ("24 MiB"). */
void tt_fmt_ms(double ms, char *out, size_t n);
void tt_fmt_count(double v, char *out, size_t n);
void tt_fmt_bytes(double b, char *out, size_t n);
/* one when n is exactly 1, else many: "1 call", "2 calls". */
const char *tt_plural(double n, const char *one, const char *many);
/* Unicode bar of value/max over width cells (eighths); into out. */
void tt_bar(double value, double max, int width, char *out, size_t n);
/* One sparkline cell (▁..█) per value, scaled to the largest. */
void tt_sparkline(const double *v, size_t n, char *out, size_t outlen);
/* PCRE2 (caseless, UTF) compiled with JIT; NULL and a message in err
 * when the pattern is invalid. Free with tt_regex_free (NULL is a no-op). */
void *tt_regex_new(const char *pattern, char *err, size_t errlen);
void tt_regex_free(void *re);
bool tt_regex_match(const void *re, const char *s);
/* The first match of re in s at or after byte from: true and its bytes
 * [*start, *end). */
bool tt_regex_span(const void *re, const char *s, size_t from, size_t *start, size_t *end);
/* ISO 8601 to ms since the epoch; false when s is NULL or unreadable. */
bool tt_parse_ts(const char *s, int64_t *ms);
/* ms to 3 decimals (microseconds), as the reports keep them, so that a
 * fresh analysis and its saved report show the same; NAN stays NAN. */
double tt_ms3(double ms);

/* ---- the report (model_report.c) ---- */

/* Monotonic seconds, for the first-screen test hook (tui.c). */
double tt_now(void);

struct tui_group {
	const char *fingerprint;        /* in hex; owned by the report */
	const char *query;              /* normalized text, raw (unsanitized); the model's */
	char *line;                     /* query sanitized on one line, made when first
	                                 * needed: read it with tui_group_line(); owned */
	double calls, total, mean, p50, p95, p99, min, max;     /* NAN: unknown */
	int64_t first_ms, last_ms;      /* TS_NONE when unknown */
	const struct group *g;          /* the model's group */
};

struct finding;

struct tui_finding {
	const char *kind, *severity, *title, *fingerprint, *table, *suggestion;
	int rank;                       /* 2 critical, 1 warning, 0 info */
	double impact;
	long group;                     /* index in groups, -1 when none */
	const struct finding *f;        /* the model's finding */
};

struct tui_report {
	struct analysis *a;             /* the model; owned */
	struct tui_group *groups;       /* in the model's order */
	size_t ngroups;
	struct tui_finding *findings;   /* sorted by severity, then impact */
	size_t nfindings;
	int64_t win_start, win_end;     /* TS_NONE when unknown */
	double total_ms, queries;
	char *origin;                   /* "report.json" or "3 inputs"; owned */
	int status;                     /* exit status of the run: EXIT_DONE, EXIT_MALFORMED */
	const struct pgsift_options *opts; /* the run's (--bands, --show-literals); borrowed, NULL: defaults */
	/* A saved report: its text is shown as it was saved (with literals
	 * or masked, as written), not masked again. */
	bool as_saved;
	/* Seconds spent reading the saved report or analysing the inputs,
	 * before this view of it was built (the first-screen test hook). */
	double load_s;
};

/* Builds the view of a finished or loaded analysis, taking ownership of
 * a (tui_report_free frees it). */
struct tui_report *tui_report_new(struct analysis *a, const char *origin);
/* NULL is a no-op. */
void tui_report_free(struct tui_report *r);
/* Reads group gi's examples when a saved report left them in its file
 * (report_load_later); the detail calls it before showing them. */
void tui_group_examples(const struct tui_report *r, size_t gi);
/* Group gi's query sanitized on one line, made on first use: only the
 * rows drawn (or a sort by query) need it, not all 100,000 up front. */
const char *tui_group_line(const struct tui_report *r, size_t gi);
/* Whether examples, plans and event statements keep their literals:
 * --show-literals, or a saved report's text as saved. */
bool tui_show_literals(const struct tui_report *r);
/* The group with that fingerprint (hex, or the number), or -1 (binary
 * search on a sorted index). */
long tui_report_group_by_fp(const struct tui_report *r, const char *fp);
long tui_report_group_of(const struct tui_report *r, uint64_t fp);
/* The severity style of a P95: the report's band (report_band) under
 * r->opts, so --bands applies; r NULL or r->opts NULL: default bands. */
enum tstyle tui_band_style(const struct tui_report *r, double p95);

/* When path (plain, gzip or zstd) starts like a pgsift JSON report
 * (report_load_probe), or force is set, reads it with report_load():
 * returns 1 and the model, 0 when it is something else (logs), -1 on an
 * error with a message in err. */
int tui_report_probe_file(const char *path, bool force, struct tui_report **out,
		char *err, size_t errlen);
/* Analyses paths like `pgsift report` (analysis_run) and builds the model
 * from the result. Returns NULL with a message in err when no input could
 * be read; notes and problems go to diag (may be NULL). */
struct tui_report *tui_report_analyse(const struct pgsift_options *o,
		const char *const *paths, size_t n, char *err, size_t errlen,
		struct tlines *diag);

/* ---- the groups list (model_groups.c) ---- */

/* The numbers first (those after GC_MAX hidden until chosen), the query
 * last. */
#define GCOL_LIST(X) \
	X(GC_CALLS, "calls", 'c') X(GC_TOTAL, "total", 't') X(GC_MEAN, "mean", 'm') \
	X(GC_P95, "P95", 'p') X(GC_P99, "P99", 'P') X(GC_MAX, "max", 'x') \
	X(GC_P50, "P50", 0) X(GC_MIN, "min", 0) \
	X(GC_QUERY, "query", 'a')

enum gcol {
#define X(id, name, key) id,
	GCOL_LIST(X)
#undef X
	GC_COUNT
};

enum gfilter_field { GF_ANY, GF_DB, GF_USER, GF_APP };

struct tui_glist {
	const struct tui_report *r;     /* borrowed */
	size_t *rows;                   /* indexes of shown groups, in order */
	size_t nrows;
	enum gcol sort;
	bool ascending;
	char *search;                   /* pattern or NULL; owned */
	void *search_re;
	char *filter;                   /* "db=shop" as typed, or NULL */
	enum gfilter_field filter_field;
	char *filter_value;
	double min_calls;               /* 0: every group */
	bool *only;                     /* ngroups flags: just these, or NULL */
	char *only_what;                /* what they are ("finding 3"); owned */
	bool hidden[GC_COUNT];          /* columns not shown (C) */
};

const char *gcol_name(enum gcol c);
/* The column a key sorts by, or GC_COUNT. */
enum gcol gcol_from_key(int key);
void glist_init(struct tui_glist *gl, const struct tui_report *r);
void glist_release(struct tui_glist *gl);
/* Sorting by the active column again reverses the order. */
void glist_sort(struct tui_glist *gl, enum gcol col);
/* Empty or NULL clears. Return false (the list unchanged) with a message
 * when the pattern or filter is invalid. */
bool glist_search(struct tui_glist *gl, const char *pattern, char *err, size_t errlen);
/* "db=NAME", "user=NAME", "app=NAME" or "NAME" (any of the three). */
bool glist_filter(struct tui_glist *gl, const char *spec, char *err, size_t errlen);
/* Only groups with at least n calls; 0 shows all. */
void glist_min_calls(struct tui_glist *gl, double n);
/* Only the groups rows[0..n) (n 0: all), what they are in the status. */
void glist_only(struct tui_glist *gl, const size_t *rows, size_t n, const char *what);
/* Shows or hides the columns named in spec ("p50 max", any case, space
 * or comma separated); empty: the default ones. False with a message
 * naming the unknown name and the valid ones. */
bool glist_columns(struct tui_glist *gl, const char *spec, char *err, size_t errlen);
/* A column's value in the row's text ("1,234", "3.38 s"). */
void glist_cell(const struct tui_glist *gl, size_t gi, enum gcol c, char *out, size_t n);
/* One formatted row (header when gi is -1) for width columns, into out. */
void glist_row(const struct tui_glist *gl, long gi, int width, char *out, size_t n);
/* "41 of 41 groups · sort P99 ↓ · /order_items/ · db=shop". */
void glist_status(const struct tui_glist *gl, char *out, size_t n);
/* Position in rows of group gi, or -1. */
long glist_find_row(const struct tui_glist *gl, size_t gi);

/* ---- group detail, findings, events, timeline, help (model_detail.c,
 * model_events.c) ---- */

/* The detail of group gi for width columns. *plan_line is set to the
 * line where the plan section starts (or the end). */
void detail_build(const struct tui_report *r, size_t gi, int width,
		struct tlines *out, size_t *plan_line);
/* Plan tree lines of an EXPLAIN JSON object (the "Plan" inside or the
 * node itself), expensive nodes (over a third of the time, or spilling)
 * marked with "▶" and TS_HOT. */
void detail_plan(const json_t *plan, int width, struct tlines *out);

void findings_build(const struct tui_report *r, int width, struct tlines *out);
/* Writes finding fi's suggestion to path; returns 0 or -1 (errno). */
int findings_write_suggestion(const struct tui_report *r, size_t fi, const char *path);
void events_build(const struct tui_report *r, int width, struct tlines *out);

struct tui_timeline {
	size_t n;                       /* buckets */
	int64_t *start;                 /* ms */
	double *calls, *total, *p95, *errors, *locks, *temp;
	int bucket_s;
};

/* A timeline's bucket width in ms: width_ms to whole seconds, or 60 s
 * when unknown. */
int64_t tui_bucket_ms(int64_t width_ms);
/* Returns false when the report has no timeline. */
bool tui_timeline_load(const struct tui_report *r, struct tui_timeline *t);
void timeline_release(struct tui_timeline *t);
/* A bar chart of calls per bucket, height rows, around bucket cur, with a
 * marker under it and the times below. */
void timeline_chart(const struct tui_timeline *t, size_t cur, int width, int height,
		struct tlines *out);
/* What ran in bucket b: its numbers, then the groups seen then (by their
 * per-minute series when the report has them, else by first/last seen),
 * lock waits and errors in it. */
void timeline_bucket_lines(const struct tui_report *r, const struct tui_timeline *t,
		size_t b, int width, struct tlines *out);

#endif
