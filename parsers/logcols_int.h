/* logcols_int.h: what the parsers of the server's column forms share
 * (csvlog.c, jsonlog.c, cnpg.c: the same fields, written as CSV, as JSON,
 * or inside CloudNativePG's JSON); nothing else includes it. */
#ifndef PGSIFT_LOGCOLS_INT_H
#define PGSIFT_LOGCOLS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parser.h"
#include "record.h"

/* The last time zone a parser met in log_time, resolved once. */
struct logcols_zone {
	char name[16];
	size_t len;
	int off;                /* minutes east of UTC */
	bool ok;                /* known: off is right */
	bool noted;             /* an unknown one was said */
};

/* A decimal the server writes (pid, leader_pid): -1 when empty, longer
 * than 18 digits or not digits only. */
int64_t logcols_int(struct slice s);
/* "LOG", "ERROR", ...: SEV_NONE when not a severity. */
enum severity logcols_severity(struct slice s);
/* connection_from "host:port" (or "[local]") to the host. */
struct slice logcols_host(struct slice from);
/* Sets e's time from wall, log_time's clock reading in the zone
 * z[0..zl) ("UTC", "CET"), resolved through zc when it changes; an
 * unknown zone is said once in ctx and taken as UTC. False, e untouched,
 * when the zone is longer than zc holds. */
bool logcols_zone_time(struct logcols_zone *zc, struct parse_ctx *ctx,
		int64_t wall, const char *z, size_t zl, struct log_entry *e);

#endif
