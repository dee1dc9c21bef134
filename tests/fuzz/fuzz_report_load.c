/* fuzz_report_load.c: libFuzzer harness for the saved report's scanner (analyzer/output/report_load_scan.c, report_load_tok.c), built by `make fuzz`.
 *
 * Differential against the jansson path the scanner hands back to: for
 * any text, either the scanner declines (unsure, and then it made
 * nothing and said nothing), or jansson reads the text too and
 * report_load_json() on its tree gives the same error message or a model
 * that the JSON, text and Markdown writers print byte for byte alike.
 * When the scanner leaves the examples in the text (as `pgsift tui` has
 * it), reading each span afterwards must give the same model again. The
 * harness aborts on any difference. The text and each span are copied to
 * buffers of their exact size, so a read past their end is caught. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../analyzer/output/report_load_int.h"
#include "analysis.h"
#include "report.h"
#include "report_load.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const formats[] = { "json", "text", "md" };

static void fail(const char *what, const char *a, const char *b)
{
	fprintf(stderr, "scanner and jansson disagree: %s\n", what);
	if (a || b)
		fprintf(stderr, "scanner:\n%s\njansson:\n%s\n", a ? a : "(null)", b ? b : "(null)");
	abort();
}

static char *render(const char *id, const struct analysis *a)
{
	struct pgsift_options o;
	char *buf = NULL;
	size_t len = 0;

	options_init(&o);
	FILE *f = open_memstream(&buf, &len);
	if (!f || report_find(id)->write(f, a, &o) != 0 || fclose(f) != 0)
		abort();
	return buf;
}

static void same_model(const struct analysis *a1, const struct analysis *a2, const char *what)
{
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		char *got = render(formats[i], a1), *want = render(formats[i], a2);
		if (strcmp(got, want) != 0)
			fail(what, got, want);
		free(got);
		free(want);
	}
}

/* The scan again with the examples left in text, then read span by
 * span (each from its own exact copy, as report_examples_load reads it
 * from the file): the model read whole. */
static void check_later(const char *text, size_t len, const struct analysis *whole)
{
	struct rl_spans spans = { 0 };
	char *err = NULL;
	bool unsure;
	struct analysis *a = rl_scan_report(text, len, "t", &err, &unsure, false, &spans);
	if (unsure || !a)
		fail(unsure ? "declined with the examples left" : "an error with the examples left",
				err, NULL);
	for (size_t i = 0; i < spans.n; i++) {
		struct rl_example_span *sp = &spans.v[i];
		if (sp->off > len || sp->len > len - sp->off)
			fail("an examples span past the text", NULL, NULL);
		char *buf = malloc(sp->len ? sp->len : 1);
		if (!buf)
			abort();
		memcpy(buf, text + sp->off, sp->len);
		if (!rl_scan_examples(buf, sp->len, a, sp->g))
			fail("an examples span the scan found does not read", NULL, NULL);
		free(buf);
	}
	same_model(a, whole, "the examples read later");
	free(spans.v);
	analysis_free(a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size ? size : 1);
	char *err1 = NULL, *err2 = NULL;
	bool unsure;

	if (!text)
		return 0;
	memcpy(text, data, size);
	struct analysis *a1 = rl_scan_report(text, size, "t", &err1, &unsure, false, NULL);
	if (unsure) {
		if (a1 || err1)
			fail("declined but made a model or an error", err1, NULL);
		goto out;
	}
	json_error_t jerr;
	json_t *root = json_loadb(text, size, 0, &jerr);
	if (!root)
		fail("the scanner took what jansson refuses", jerr.text, NULL);
	struct analysis *a2 = report_load_json(root, "t", &err2);
	json_decref(root);
	if ((a1 == NULL) != (a2 == NULL))
		fail("one made a model, the other an error", err1, err2);
	if (!a1) {
		if (!err1 || !err2 || strcmp(err1, err2) != 0)
			fail("the errors", err1, err2);
	} else {
		same_model(a1, a2, "the models' reports");
		check_later(text, size, a1);
	}
	analysis_free(a2);
out:
	analysis_free(a1);
	free(err1);
	free(err2);
	free(text);
	return 0;
}
