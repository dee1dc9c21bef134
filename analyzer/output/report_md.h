/* report_md.h: what the report_md*.c files share; besides them only the
 * HTML writer (report_html*.c) includes it, for the number formats.
 *
 * report_md.c writes the report and calls the section writers declared
 * below (and report_md_ci.h's); all of them write numbers and log text
 * with report_md_common.c's helpers, which call none of them back. */
#ifndef PGSIFT_REPORT_MD_H
#define PGSIFT_REPORT_MD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "report.h"
#include "strbuf.h"

/* ---- report_md_common.c ---- */

/* Numbers as the report writes them: "1,234", "0.042" / "1,234.6" ms, and
 * " (3 h 25 min)" for a long duration ("" under a second). They write into
 * out and return it. */
const char *md_fmt_count(uint64_t v, char *out, size_t outlen);
const char *md_fmt_ms(double ms, char *out, size_t outlen);
const char *md_fmt_human(double ms, char *out, size_t outlen);
/* "s" after a count other than 1: "1 call", "2 calls". */
const char *md_s(uint64_t n);
/* A change in percent: "+25%", "-3%", "-" for NaN (no figure before). */
const char *md_fmt_pct(double v, char *out, size_t outlen);
/* "512 B", "1.5 KiB", "7.4 MiB". */
const char *md_fmt_bytes(uint64_t b, char *out, size_t outlen);

/* Text from a log as a code span on one line (cut past max_chars code
 * points, 0: no limit; in_table escapes '|'), and as a fenced block (cut
 * past max_bytes, 0: no limit). sb is scratch. */
void md_code(FILE *out, const char *s, size_t max_chars, bool in_table,
		struct strbuf *sb);
void md_code_block(FILE *out, const char *info, const char *s,
		size_t max_bytes);

struct ev_counts;
/* "- LABEL: `a` (12), `b` (3), 7 REST": the first listed names of nc
 * (busiest first) with their counts, the calls of the others and of
 * those past its names after them ("more", "under other names"); an
 * empty name as "(none)". Nothing when nc is empty. sb is scratch. */
void md_name_counts(FILE *out, const char *label, const struct ev_counts *nc,
		size_t listed, const char *rest, struct strbuf *sb);

/* The findings of a by severity: count[FS_CRITICAL], [FS_WARNING], [FS_INFO]. */
void md_finding_counts(const struct analysis *a, size_t count[3]);

/* ---- report_md_plan.c: parts the text report shows the same way ---- */

struct json_t;
/* An EXPLAIN JSON node's number (0 when absent), its string (NULL), and
 * its time over all its loops (Actual Total Time x Actual Loops). */
double md_plan_num(const struct json_t *node, const char *key);
const char *md_plan_str(const struct json_t *node, const char *key);
double md_plan_node_ms(const struct json_t *node);

/* g's worst plan as indented text, the expensive nodes marked, into sb
 * (reset first; sb->buf is never NULL after). False, sb empty, when g has
 * no plan or it is not EXPLAIN JSON. */
bool md_plan_text(const struct group *g, const struct pgsift_options *opts,
		struct strbuf *sb);
/* ", pid 2379, at path:line" for an example: each part only when known;
 * the place as a code span with sb (scratch), as plain text without. */
void md_example_where(FILE *out, const struct analysis *a,
		const struct example *e, struct strbuf *sb);

/* ---- the sections, which report_md.c calls ---- */

/* report_md_events.c: the timeline (after the summary), and the sections
 * on lock waits, deadlocks, temporary files, errors, connections,
 * checkpoints and autovacuum (after the rankings). Each section appears
 * only when it has something to say. */
void md_write_timeline(FILE *out, const struct analysis *a);
void md_write_events(FILE *out, const struct analysis *a,
		const struct pgsift_options *opts, struct strbuf *sb);

/* report_md_blocking.c: in md_write_events' order: who blocks whom
 * (under the lock waits), idle in transaction (after the deadlocks),
 * wraparound (before autovacuum); each only when it has something. */
void md_write_blockers(FILE *out, const struct analysis *a,
		const struct pgsift_options *opts, struct strbuf *sb);
void md_write_idle(FILE *out, const struct analysis *a,
		const struct pgsift_options *opts, struct strbuf *sb);
void md_write_wraparound(FILE *out, const struct analysis *a);

/* report_md_findings.c: "What to fix first", after the summary; only
 * when there are findings. md_finding_stakes() writes what finding i
 * (findings_at order) is worth, as both reports say it: " (1,234.5 ms,
 * 12.3% of all time; #1 shares its statements: saves 10 ms more)". */
void md_finding_stakes(FILE *out, const struct analysis *a, size_t i);
void md_write_findings(FILE *out, const struct analysis *a,
		const struct pgsift_options *opts, struct strbuf *sb);

/* report_md_traces.c: "N+1 loops" and database time per transaction,
 * after the findings; only when loops or spans were seen. */
void md_write_traces(FILE *out, const struct analysis *a,
		const struct pgsift_options *opts, struct strbuf *sb);

/* report_md_stats.c: "Statistics" (pg_stat_statements, tables, indexes
 * from CSV snapshots), after the event sections; only when snapshots were
 * given. */
void md_write_stats(FILE *out, const struct analysis *a,
		const struct pgsift_options *opts, struct strbuf *sb);

/* report_md_pooler.c: "pgBouncer", after the event sections; only when a
 * pgBouncer log was read. */
void md_write_pooler(FILE *out, const struct analysis *a,
		const struct pgsift_options *opts, struct strbuf *sb);

#endif
