/* strbuf.h: a growable byte buffer, reused across lines so that building a
 * string (a normalized query, a joined message) does not allocate per line. */
#ifndef PGSIFT_STRBUF_H
#define PGSIFT_STRBUF_H

#include <stddef.h>

struct strbuf {
	char *buf;      /* always NUL-terminated when cap > 0 */
	size_t len;
	size_t cap;
};

#define STRBUF_INIT { NULL, 0, 0 }

/* Makes room for extra more bytes (plus the NUL); aborts on out of memory. */
void sb_grow(struct strbuf *sb, size_t extra);
void sb_append(struct strbuf *sb, const char *s, size_t len);
void sb_putc(struct strbuf *sb, char c);
void sb_reset(struct strbuf *sb);
/* Releases the buffer; the struct may be reused after sb_reset(). */
void sb_release(struct strbuf *sb);

#endif
