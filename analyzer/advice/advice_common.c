/* advice_common.c: what every advice module does with a group: its band,
 * its evidence, the finding made about it and the severity of that
 * finding. It sits below advice.c and the modules it runs, so that the
 * modules need not call back into their hub. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "advice_int.h"
#include "util.h"

enum band adv_band(const struct adv_ctx *c, const struct group *g)
{
	return report_band(c->o, group_pct(g, 0.95));
}

/* A recurring statement that takes a tenth of the run is critical
 * whatever its latency; a statement seen once is not, however slow. */
enum finding_severity adv_severity(const struct adv_ctx *c, double impact_ms,
		enum band worst, uint64_t calls)
{
	double share = c->a->total_ms > 0 ? impact_ms / c->a->total_ms : 0;
	if (worst == BAND_CRITICAL && calls > 1)
		return FS_CRITICAL;
	if (share >= 0.10 && calls >= 10)
		return FS_CRITICAL;
	if (worst >= BAND_WARNING || share >= 0.01)
		return FS_WARNING;
	return FS_INFO;
}

json_t *adv_group_json(const struct adv_ctx *c, const struct group *g)
{
	char fp[17];
	fp_format(g->fingerprint, fp);
	return json_pack("{s:s, s:s, s:I, s:f, s:f, s:s}", "fingerprint", fp,
		"query", g->query ? g->query : "", "calls", (json_int_t)g->calls,
		"total_ms", g->total_ms, "p95_ms", group_pct(g, 0.95),
		"band", report_band_name(adv_band(c, g)));
}

struct adv_query *adv_item_parse(const struct adv_item *it)
{
	if (it->g->lexical || !it->g->query)
		return NULL;
	struct adv_query *q = adv_query_parse(it->g->query);
	if (q && q->skipped)    /* said once per group by advice_run() */
		((struct adv_item *)it)->skipped = q->skipped;
	return q;
}

/* Identifiers are folded to lower case (ASCII only, as libpg_query's UTF-8
 * downcase_identifier does) unless quoted, so what the tree names is in the
 * text in some case, but for the escapes of quoted and U& identifiers. */
bool adv_text_may_name(const char *text, const char *name)
{
	if (!text || !name)
		return true;
	if (strchr(name, '"') || strcasestr(text, "U&"))
		return true;
	return strcasestr(text, name) != NULL;
}

void adv_item_helped(struct adv_item *it, struct finding *f)
{
	for (size_t i = 0; i < it->nhelped; i++)
		if (it->helped_by[i] == f)
			return;
	it->helped_by = xrealloc(it->helped_by, (it->nhelped + 1) * sizeof(*it->helped_by));
	it->helped_by[it->nhelped++] = f;
}

struct finding *adv_add(struct adv_ctx *c, enum finding_kind kind, double impact_ms,
		enum band worst, uint64_t calls, const char *title_fmt, ...)
{
	char title[512];
	va_list ap;
	va_start(ap, title_fmt);
	vsnprintf(title, sizeof(title), title_fmt, ap);
	va_end(ap);
	return findings_add(c->a->findings, kind, adv_severity(c, impact_ms, worst, calls),
		impact_ms, "%s", title);
}
