/* events_others.c: the messages no rule of pgsift reads, counted by kind.
 *
 * A LOG, INFO, NOTICE or DEBUG entry that is not a statement (pgmsg.c)
 * and that no events module takes (events.c's classify()) is grouped here
 * by severity, SQLSTATE and message with its numbers and quoted names
 * masked, as errors are: "parameter "?" changed to "?"". Nothing read is
 * then dropped without a count: the report shows how many of each kind
 * and where the first one is (file:line), and marks the kinds pgsift
 * knowingly leaves out (README, "Messages pgsift does not read") apart
 * from those it does not know, which may be worth reading one day. */
#include <string.h>

#include "events_int.h"

void ev_others_add(struct events *ev, const struct log_entry *e)
{
	ev->totals.others++;
	ev_groups_key(ev, e->severity, e->sqlstate, e->message);
	struct ev_error *r = ev_groups_get(&ev->others, ev->key.buf, e->severity);
	if (!r) {
		ev->totals.others_dropped++;
		return;
	}
	ev_group_count(r, e->ts_ms, ev->pos);
}

/* LOG messages pgsift knowingly does not analyse, by how they start (as
 * the server writes them: postmaster.c, xlog*.c, pqcomm.c, guc-file.l,
 * bgworker.c, launchers...). Masked text: numbers are "?". */
static const struct {
	const char *start;
	const char *about;
} known[] = {
	{ "starting PostgreSQL ", "server start and stop" },
	{ "listening on ", "server start and stop" },
	{ "database system was ", "server start and stop" },
	{ "database system is ", "server start and stop" },
	{ "received fast shutdown request", "server start and stop" },
	{ "received smart shutdown request", "server start and stop" },
	{ "received immediate shutdown request", "server start and stop" },
	{ "aborting any active transactions", "server start and stop" },
	{ "background worker \"", "server start and stop" },
	{ "shutting down", "server start and stop" },
	{ "redo starts at ", "server start and stop" },
	{ "redo done at ", "server start and stop" },
	{ "redo is not required", "server start and stop" },
	{ "ending log output to stderr", "server start and stop" },
	{ "redirecting log output to logging collector process", "server start and stop" },
	{ "autovacuum launcher ", "server start and stop" },
	{ "received SIGHUP, reloading configuration files", "configuration" },
	{ "parameter \"", "configuration" },
	{ "configuration file \"", "configuration" },
	{ "entering standby mode", "recovery and replication" },
	{ "consistent recovery state reached", "recovery and replication" },
	{ "started streaming WAL", "recovery and replication" },
	{ "restored log file ", "recovery and replication" },
	{ "archive recovery complete", "recovery and replication" },
	{ "selected new timeline ID", "recovery and replication" },
	{ "last completed transaction ", "recovery and replication" },
	{ "invalid record length ", "recovery and replication" },
	{ "logical replication ", "recovery and replication" },
	{ "logical decoding ", "recovery and replication" },
	{ "starting logical decoding ", "recovery and replication" },
	{ "could not receive data from client", "client connection lost" },
	{ "could not send data to client", "client connection lost" },
	{ "unexpected EOF on client connection", "client connection lost" },
	{ "incomplete message from client", "client connection lost" },
};

const char *events_other_known(const struct ev_error *r)
{
	/* Messages sent to the client or debug output, in the log because
	 * log_min_messages is low. */
	if (r->severity == SEV_NOTICE || r->severity == SEV_INFO ||
			r->severity == SEV_DEBUG)
		return "notices and debug output";
	for (size_t i = 0; i < ARRAY_SIZE(known); i++)
		if (strncmp(r->message, known[i].start, strlen(known[i].start)) == 0)
			return known[i].about;
	return NULL;
}
