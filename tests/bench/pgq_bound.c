/* pgq_bound: libpg_query's own speed on a file of statements, the bound pgsift's per-text work meets. */

/*
 * usage: pgq_bound TEXTS
 * TEXTS holds one statement a line (tests/bench/gen.py high writes it).
 * Prints how many statements a second pg_query_fingerprint and
 * pg_query_parse (JSON output) handle alone, one core, each over every
 * line once: pgsift runs them once per distinct text, so on a log of N
 * distinct statements it cannot beat N / rate seconds.
 */
#define _POSIX_C_SOURCE 200809L
#include <pg_query.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	FILE *f;
	char **texts = NULL;
	size_t n = 0, cap = 0, i, failed = 0;
	char *line = NULL;
	size_t linecap = 0;
	ssize_t len;
	double t0, fp_s, parse_s;
	int rc = 1;

	if (argc != 2) {
		fprintf(stderr, "usage: pgq_bound TEXTS\n");
		return 2;
	}
	f = fopen(argv[1], "r");
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	while ((len = getline(&line, &linecap, f)) > 0) {
		if (line[len - 1] == '\n')
			line[len - 1] = '\0';
		if (n == cap) {
			char **grown;

			cap = cap ? cap * 2 : 1024;
			grown = realloc(texts, cap * sizeof(*texts));
			if (!grown)
				goto cleanup;
			texts = grown;
		}
		texts[n] = strdup(line);
		if (!texts[n])
			goto cleanup;
		n++;
	}
	if (n == 0) {
		fprintf(stderr, "pgq_bound: %s holds no statement\n", argv[1]);
		goto cleanup;
	}

	t0 = now_s();
	for (i = 0; i < n; i++) {
		PgQueryFingerprintResult r = pg_query_fingerprint(texts[i]);

		failed += r.error != NULL;
		pg_query_free_fingerprint_result(r);
	}
	fp_s = now_s() - t0;

	t0 = now_s();
	for (i = 0; i < n; i++) {
		PgQueryParseResult r = pg_query_parse(texts[i]);

		failed += r.error != NULL;
		pg_query_free_parse_result(r);
	}
	parse_s = now_s() - t0;

	printf("%zu %.0f %.0f %zu\n", n, (double)n / fp_s, (double)n / parse_s, failed);
	rc = 0;
cleanup:
	for (i = 0; i < n; i++)
		free(texts[i]);
	free(texts);
	free(line);
	fclose(f);
	pg_query_exit();
	return rc;
}
