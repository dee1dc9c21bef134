/* report.c: the writer registry and what the writers share (bands,
 * latency figures, example text). */
#include <string.h>

#include "findings.h"
#include "fingerprint.h"
#include "report.h"
#include "sketch.h"
#include "sketch_hist.h"
#include "strbuf.h"
#include "text_escape.h"

static const struct report_writer *const writers[] = {
	&report_markdown,
	&report_json,
	&report_text,
	&report_html,
};

const struct report_writer *report_find(const char *id)
{
	if (!id)
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(writers); i++)
		if (strcmp(writers[i]->id, id) == 0)
			return writers[i];
	return NULL;
}

int report_write_escaped(FILE *out, const struct analysis *a,
		const struct pgsift_options *opts, unsigned flags,
		int (*body)(FILE *, const struct analysis *,
			const struct pgsift_options *))
{
	FILE *f = tesc_stream(out, flags);
	if (!f)
		return -1;
	int rc = body(f, a, opts);
	/* fclose() of a cookie stream does not report a failed flush. */
	if (fflush(f) != 0 || ferror(f))
		rc = -1;
	if (fclose(f) != 0 || ferror(out))
		rc = -1;
	return rc;
}

#define BAND_LIST(X) \
	X(BAND_GOOD, "good") X(BAND_WARNING, "warning") \
	X(BAND_ALERT, "alert") X(BAND_CRITICAL, "critical")

const char *report_band_name(enum band b)
{
	switch (b) {
#define X(id, name) case id: return name;
	BAND_LIST(X)
#undef X
	}
	return "?";
}

/* The limits are warning, alert, critical. A P95 lands in the band whose
 * lower limit it reaches: good < 100 <= warning < 500 <= alert <= 1000 <
 * critical (defaults, in ms). The critical limit itself is still "alert",
 * so that "critical > 1000" reads as written. Limits that are unset (0) or
 * not increasing fall back to the defaults as a whole. */
void report_band_limits(const struct pgsift_options *o, double lim[3])
{
	if (o && o->bands[0] > 0 && o->bands[1] >= o->bands[0] &&
			o->bands[2] >= o->bands[1]) {
		memcpy(lim, o->bands, 3 * sizeof(lim[0]));
		return;
	}
	lim[0] = BANDS_DEFAULT_WARNING_MS;
	lim[1] = BANDS_DEFAULT_ALERT_MS;
	lim[2] = BANDS_DEFAULT_CRITICAL_MS;
}

enum band report_band(const struct pgsift_options *o, double p95_ms)
{
	double lim[3];

	report_band_limits(o, lim);
	double warn = lim[0], alert = lim[1], crit = lim[2];
	if (p95_ms > crit)
		return BAND_CRITICAL;
	if (p95_ms >= alert)
		return BAND_ALERT;
	if (p95_ms >= warn)
		return BAND_WARNING;
	return BAND_GOOD;
}

static double mean_of(const struct group *g)
{
	return g->timed_calls ? g->total_ms / (double)g->timed_calls : 0;
}

double group_mean(const struct group *g)
{
	return g->stats.ready ? g->stats.mean_ms : mean_of(g);
}

/* The model holds the three quantiles the reports show; any other q
 * (none is asked today) comes from the sketch. */
double group_pct(const struct group *g, double q)
{
	if (g->stats.ready) {
		if (q == 0.50)
			return g->stats.p50_ms;
		if (q == 0.95)
			return g->stats.p95_ms;
		if (q == 0.99)
			return g->stats.p99_ms;
	}
	return sketch_quantile(&g->sketch, q);
}

bool group_histogram(const struct group *g, uint64_t counts[SKETCH_HIST_BINS])
{
	if (!g->stats.hist)
		return sketch_hist_counts(&g->sketch, counts);
	bool any = false;
	for (int i = 0; i < SKETCH_HIST_BINS; i++) {
		counts[i] = g->stats.hist[i];
		any |= counts[i] != 0;
	}
	return any;
}

void report_group_finish(struct group *g)
{
	struct group_stats *st = &g->stats;

	st->mean_ms = mean_of(g);
	st->p50_ms = sketch_quantile(&g->sketch, 0.50);
	st->p95_ms = sketch_quantile(&g->sketch, 0.95);
	st->p99_ms = sketch_quantile(&g->sketch, 0.99);
	st->kind = (unsigned char)stmt_kind_of(g->query, &st->bulk);
	st->kind_set = true;
	st->ready = true;
}

size_t report_ranked_groups(const struct analysis *a,
		const struct pgsift_options *o, const struct group **v)
{
	size_t n = 0;
	for (size_t i = 0; i < a->ngroups; i++) {
		bool one_off;
		group_kind(a->groups[i], &one_off);
		if (!one_off || (o && o->all_kinds))
			v[n++] = a->groups[i];
	}
	return n;
}

enum stmt_kind group_kind(const struct group *g, bool *one_off)
{
	bool bulk = g->stats.bulk;
	enum stmt_kind k = g->stats.kind_set ? (enum stmt_kind)g->stats.kind :
		stmt_kind_of(g->query, &bulk);
	if (one_off)
		*one_off = stmt_kind_one_off(k, bulk, g->calls);
	return k;
}

void report_finish(struct analysis *a)
{
	for (size_t i = 0; i < a->ngroups; i++)
		report_group_finish(a->groups[i]);
	if (a->findings)
		findings_finish(a->findings);
}

/* sb is reset first. With literals the parameters go on a line of their
 * own, as an SQL comment, so the text stays pasteable into psql. */
void report_example_text(const struct group *g, const struct example *e,
		bool show_literals, struct strbuf *sb)
{
	struct strbuf q = STRBUF_INIT;

	if (!show_literals && e->norm_is_query) {
		sb_reset(sb);
		sb_append(sb, g->query, strlen(g->query));
		return;
	}
	agg_example_query(g, e, &q);
	sb_reset(sb);
	if (!show_literals && !e->masked) {
		fp_normalize(q.buf, q.len, sb);
		sb_release(&q);
		return;
	}
	sb_append(sb, q.buf, q.len);
	sb_release(&q);
	if (e->params && e->params[0]) {
		static const char label[] = "\n-- parameters: ";
		sb_append(sb, label, sizeof(label) - 1);
		sb_append(sb, e->params, strlen(e->params));
	}
}

/* Shared by the Markdown and text writers. */
void report_group_thousands(const char *digits, char *out, size_t outlen)
{
	const char *p = digits;
	size_t o = 0;

	if (*p == '-' && o + 1 < outlen)
		out[o++] = *p++;
	size_t intlen = strcspn(p, ".");
	for (size_t i = 0; i < intlen && o + 1 < outlen; i++) {
		if (i > 0 && (intlen - i) % 3 == 0 && o + 2 < outlen)
			out[o++] = ',';
		out[o++] = p[i];
	}
	for (p += intlen; *p && o + 1 < outlen; p++)
		out[o++] = *p;
	out[o] = '\0';
}
