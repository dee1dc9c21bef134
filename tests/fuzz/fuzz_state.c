/* fuzz_state.c: libFuzzer harness for the state reader (state_read(),
 * analyzer/state/state_file.c and every part's *_state.c), built by
 * `make fuzz`.
 *
 * The first byte chooses what the rest is: 0, a whole state file as
 * found on disk (magic, version, zstd frame: damage anywhere); 1, a
 * payload, framed here as this pgsift frames one (so that damaged
 * payloads reach the parts' readers, past the zstd checks). A state that
 * reads is then merged into fresh sinks, as `pgsift merge` does, and
 * everything freed: the sanitizers catch a read past the bytes, a leak,
 * or a state the merge cannot take. The seeds are real states and their
 * payloads (the Makefile's fuzz-state). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zstd.h>

#include "agg.h"
#include "analysis.h"
#include "events.h"
#include "report.h"
#include "sink.h"
#include "snapshots.h"
#include "state.h"
#include "traces.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64];

static void put_u32(FILE *f, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		fputc((int)(v >> (8 * i)) & 0xff, f);
}

static void put_u64(FILE *f, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		fputc((int)(v >> (8 * i)) & 0xff, f);
}

static void write_input(const uint8_t *data, size_t size)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		abort();
	if (size && data[0] == 1) {
		size_t cap = ZSTD_compressBound(size - 1);
		char *z = malloc(cap ? cap : 1);
		size_t zlen = ZSTD_compress(z, cap, data + 1, size - 1, 1);
		if (ZSTD_isError(zlen))
			abort();
		fwrite(STATE_MAGIC, 1, STATE_MAGIC_LEN, f);
		put_u32(f, STATE_FORMAT);
		put_u32(f, (uint32_t)strlen(PGSIFT_VERSION));
		fwrite(PGSIFT_VERSION, 1, strlen(PGSIFT_VERSION), f);
		put_u64(f, size - 1);
		fwrite(z, 1, zlen, f);
		free(z);
	} else if (size) {
		fwrite(data + 1, 1, size - 1, f);
	}
	if (fclose(f) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!path[0])
		snprintf(path, sizeof(path), "/tmp/fuzz-state-%ld", (long)getpid());
	write_input(data, size);
	struct state_parts p;
	memset(&p, 0, sizeof(p));
	p.agg = agg_new();
	p.events = events_new(NULL);
	p.traces = traces_new(NULL);
	p.snapshots = snapshots_new(NULL);
	char *err = NULL;
	if (state_read(path, &p, 3, &err) == 0) {
		/* Merged as `pgsift merge` merges a state. */
		struct agg *agg = agg_new();
		struct events *ev = events_new(NULL);
		struct traces *tr = traces_new(NULL);
		struct snapshots *sn = snapshots_new(NULL);
		agg_merge(agg, p.agg);
		events_sink_ops.merge(ev, p.events);
		traces_sink_ops.merge(tr, p.traces);
		snapshots_sink_ops.merge(sn, p.snapshots);
		agg_free(agg);
		events_free(ev);
		traces_free(tr);
		snapshots_free(sn);
	} else if (!err) {
		abort();        /* a failure always says why */
	}
	free(err);
	agg_free(p.agg);
	events_free(p.events);
	traces_free(p.traces);
	snapshots_free(p.snapshots);
	state_parts_release(&p);
	return 0;
}
