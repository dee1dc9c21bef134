/* fuzz_plan.c: libFuzzer harness for both plan readers (analyzer/plan/
 * plan_text.c, plan_json.c, through plan_parse()) and the plan-to-JSON
 * writer (plan_to_json()), built by `make fuzz`.
 *
 * The input is a plan body as auto_explain logs it, text ("Query Text:
 * ...") or JSON ("{..."), copied to a buffer of its exact size. A plan
 * that reads must round-trip: what plan_to_json() writes reads with
 * jansson, as an object with a "Plan", and reads again with plan_parse();
 * the JSON report carries that text, and a plan it cannot read back is
 * lost. A plan that does not read must say why. The seeds are the plans
 * of the project's real auto_explain logs (tests/fuzz/seeds_inputs.py). */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, const char *detail, const char *json)
{
	fprintf(stderr, "plan round trip: %s: %s\n%.2000s\n", what, detail, json ? json : "");
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256] = "";
	char *body = malloc(size ? size : 1);
	if (!body)
		return 0;
	memcpy(body, data, size);
	struct plan *p = plan_parse(body, size, err, sizeof(err));
	if (!p) {
		if (!err[0])
			fail("refused without a reason", "", NULL);
		goto out;
	}
	char *json = plan_to_json(p);
	if (!json)
		fail("plan_to_json gave nothing", "", NULL);
	json_error_t jerr;
	json_t *root = json_loads(json, 0, &jerr);
	if (!root)
		fail("what plan_to_json writes is not JSON", jerr.text, json);
	if (!json_is_object(root) || !json_is_object(json_object_get(root, "Plan")))
		fail("what plan_to_json writes has no \"Plan\" object", "", json);
	json_decref(root);
	struct plan *back = plan_parse(json, strlen(json), err, sizeof(err));
	if (!back)
		fail("what plan_to_json writes does not read back", err, json);
	plan_free(back);
	free(json);
	plan_free(p);
out:
	free(body);
	return 0;
}
