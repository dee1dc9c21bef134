/* fingerprint_int.h: what fingerprint.c (a worker's cache) and
 * fingerprint_shared.c (the memo the workers share) share; nothing else
 * includes it. */
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

#endif
