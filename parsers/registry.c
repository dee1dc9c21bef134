/* registry.c: every input format pgsift reads. Adding a format is one file
 * in parsers/ and one line here. */
#include <string.h>

#include "parser.h"

extern const struct parser parser_stderr, parser_syslog;
extern const struct parser parser_csvlog, parser_jsonlog, parser_cnpg;
extern const struct parser parser_sentry, parser_sentry_csv, parser_otlp;
extern const struct parser parser_pgss_csv, parser_indexes_csv, parser_tables_csv,
	parser_statio_csv, parser_dbage_csv, parser_relage_csv;
extern const struct parser parser_report_json, parser_pgbouncer;
extern const struct parser parser_gcp, parser_azure, parser_cloudwatch, parser_cloudwatch_s3,
	parser_heroku;

const struct parser *const parser_registry[] = {
	&parser_stderr,
	&parser_syslog,
	&parser_csvlog,
	&parser_jsonlog,
	&parser_cnpg,
	&parser_gcp,
	&parser_azure,
	&parser_cloudwatch,
	&parser_cloudwatch_s3,
	&parser_heroku,
	&parser_sentry,
	&parser_sentry_csv,
	&parser_otlp,
	&parser_pgss_csv,
	&parser_indexes_csv,
	&parser_tables_csv,
	&parser_statio_csv,
	&parser_dbage_csv,
	&parser_relage_csv,
	&parser_report_json,
	&parser_pgbouncer,
	NULL,
};

const struct parser *parser_find(const char *id)
{
	for (const struct parser *const *p = parser_registry; *p; p++)
		if (strcmp((*p)->id, id) == 0)
			return *p;
	return NULL;
}

const struct parser *parser_detect(const char *buf, size_t len)
{
	const struct parser *best = NULL;
	int best_score = 0;
	for (const struct parser *const *p = parser_registry; *p; p++) {
		int score = (*p)->probe(buf, len);
		if (score > best_score) {
			best = *p;
			best_score = score;
		}
	}
	return best;
}
