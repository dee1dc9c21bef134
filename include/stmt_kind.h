/* stmt_kind.h: what kind of statement a normalized text is (application
 * read or write, DDL, maintenance, transaction control, utility).
 *
 * The rankings and the JSON report separate kinds, as pgBadger's query
 * types do: one CHECKPOINT, an ANALYZE or a schema's seed INSERT ... SELECT
 * can outweigh the application's statements in a short log, and are not
 * what a DBA tunes. The kind comes from the text's leading keywords (after
 * a WITH's common table expressions, and in a multi-statement text from
 * its first statement that is neither transaction control nor a utility
 * such as SET), so a text libpg_query did not parse gets one too. */
#ifndef PGSIFT_STMT_KIND_H
#define PGSIFT_STMT_KIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* id, JSON name, what the report calls it */
#define STMT_KIND_LIST(X) \
	X(SK_READ, "read", "application reads") \
	X(SK_WRITE, "write", "application writes") \
	X(SK_DDL, "ddl", "schema changes (DDL)") \
	X(SK_MAINTENANCE, "maintenance", "maintenance (VACUUM, ANALYZE, CHECKPOINT, CREATE INDEX, REINDEX, CLUSTER)") \
	X(SK_TRANSACTION, "transaction", "transaction control") \
	X(SK_UTILITY, "utility", "utility (SET, SHOW, EXPLAIN, ...)") \
	X(SK_OTHER, "other", "not recognised")

enum stmt_kind {
#define X(id, name, label) id,
	STMT_KIND_LIST(X)
#undef X
	SK_COUNT
};

/* The kind of sql (a normalized text, NUL-terminated). *bulk, when not
 * NULL, says whether it moves rows in bulk: INSERT ... SELECT, COPY ...
 * FROM, CREATE TABLE ... AS. */
enum stmt_kind stmt_kind_of(const char *sql, bool *bulk);

/* Whether the rankings leave a group out unless asked (--all-kinds):
 * maintenance and DDL, which are no application work, and a bulk load run
 * once (a schema's seed data, a restore). */
bool stmt_kind_one_off(enum stmt_kind k, bool bulk, uint64_t calls);

/* "read", ...; "other" past the last. */
const char *stmt_kind_name(enum stmt_kind k);
/* "application reads", ... */
const char *stmt_kind_label(enum stmt_kind k);

/* The length of sql's first statement: up to its first ';' outside
 * parentheses and "quoted identifiers" (a normalized text has no string
 * literals left), or the whole text. */
size_t stmt_first_len(const char *sql);

#endif
