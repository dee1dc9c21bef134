/* fingerprint_int.h: what fingerprint.c (a worker's cache),
 * fingerprint_shared.c (the memo the workers share) and fingerprint_rels.c
 * (the relation names) share; nothing else includes it. */
#ifndef PGSIFT_FINGERPRINT_INT_H
#define PGSIFT_FINGERPRINT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fingerprint.h"

/* The fingerprint of norm[0..len), when a worker put it; false when none
 * did yet. */
bool fp_shared_get(struct fp_shared *sh, const char *norm, size_t len,
		uint64_t *fingerprint);
/* Puts norm's fingerprint, unless a worker put it already. */
void fp_shared_put(struct fp_shared *sh, const char *norm, size_t len,
		uint64_t fingerprint);

/* What to mix into libpg_query's fingerprint of the normalized text
 * norm[0..len) so that statements on different relations differ: 0 when
 * it names no relation libpg_query's fingerprint cuts short (a run of
 * digits in its name) or leaves out (a temporary one). */
uint64_t fp_relations_signature(const char *norm, size_t len);

#endif
