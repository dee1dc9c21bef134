/* jsonlog_int.h: the hand scanner for jsonlog's flat objects, shared by parsers/jsonlog.c and its tests.
 *
 * jsonlog_scan() reads one line the way PostgreSQL writes it (a flat object
 * of string and integer values, escape_json's escapes) and fills one value
 * per key pgsift reads. Anything it is not sure of, it leaves to jansson:
 * it says JSCAN_FALLBACK and the caller decodes the line with the library,
 * so a line the scanner accepts reads exactly as jansson would read it. */
#ifndef PGSIFT_JSONLOG_INT_H
#define PGSIFT_JSONLOG_INT_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

enum json_key {
	K_OTHER, K_TIMESTAMP, K_USER, K_DBNAME, K_PID, K_REMOTE_HOST,
	K_SESSION_ID, K_ERROR_SEVERITY, K_STATE_CODE, K_MESSAGE, K_DETAIL,
	K_HINT, K_INTERNAL_QUERY, K_CONTEXT, K_STATEMENT, K_APPLICATION_NAME,
	K_BACKEND_TYPE, K_LEADER_PID, K_QUERY_ID, K_COUNT
};

/* The key pgsift reads under the name k (n bytes), K_OTHER for the others
 * (line_num, ps, vxid, cursor_position, func_name...). */
enum json_key jsonlog_key(const char *k, size_t n);

enum jvalue_type { JV_ABSENT, JV_STRING, JV_INT, JV_OTHER };

struct jvalue {
	enum jvalue_type type;
	struct slice s;         /* JV_STRING: the unescaped text */
	int64_t i;              /* JV_INT */
};

/* The last value of each key pgsift reads (a later duplicate wins, as in
 * jansson's objects). */
struct jsonlog_values {
	struct jvalue v[K_COUNT];
};

enum jscan_result { JSCAN_OK, JSCAN_FALLBACK };

/* A scratch buffer for unescaped values, reused from line to line. */
struct jscan_buf {
	char *ptr;
	size_t cap;
};

/* Scans line (len bytes, no newline) into *out. The slices point into line
 * or into buf, and stay valid until the next call with the same buf, or
 * until line goes. JSCAN_FALLBACK: the line is not one the scanner reads
 * for sure (not an object, nested values, real numbers, \u0000, invalid
 * UTF-8, a syntax error...): *out is then meaningless. buf->ptr belongs
 * to the caller (free() it). */
enum jscan_result jsonlog_scan(const char *line, size_t len, struct jscan_buf *buf,
		struct jsonlog_values *out);

#endif
