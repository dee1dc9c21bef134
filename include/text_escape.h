/* text_escape.h: text from a log made safe for a human's screen, the one
 * way every human output (Markdown, text, the TUI) shows it.
 *
 * A log holds whatever its clients sent: an alias or a literal can carry
 * ESC, BEL, the C1 CSI (U+009B or a raw 0x9B byte), a bidi override that
 * reorders what a reviewer reads, or bytes that are not UTF-8. None of
 * that may reach a terminal or a rendered page as it is. Each such unit is
 * written visibly instead, in ASCII: a C0 control, DEL and each byte of
 * invalid UTF-8 as "\xHH" (lower-case hex), a C1 control, a bidi or
 * invisible format character and U+2028/U+2029 as "\uHHHH". Everything
 * else passes unchanged, so text that is already safe is written as it
 * is. JSON keeps its own escapes (json_emit.h); TESC_JSON adds "\u007F"
 * and "\uHHHH" for DEL and those code points, which JSON allows raw;
 * TESC_HTML adds HTML's entities. */
#ifndef PGSIFT_TEXT_ESCAPE_H
#define PGSIFT_TEXT_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "strbuf.h"

/* How layout characters are written; other controls are always escaped. */
enum {
	TESC_KEEP_NL = 1,       /* '\n' kept ("\r\n" as "\n") */
	TESC_KEEP_TAB = 2,      /* '\t' kept */
	TESC_SPACE = 4,         /* '\n', '\r', '\t' not kept: one space each */
	/* JSON text already escaped as JSON, where such code points can only
	 * sit inside strings: C0 bytes (layout) and any other byte pass, DEL,
	 * C1 and the format controls become JSON's "\u007F". */
	TESC_JSON = 8,
	/* HTML text (report_html*.c): & < > " ' as entities as well; the
	 * escapes of controls are as without it (the HTML writer marks them
	 * up: a unit shown as something starting with '\\' is one). */
	TESC_HTML = 16,
};

/* The longest form one unit takes ("\u202e"). */
#define TESC_UNIT_MAX 8

/* The unit at s[0..n) (n >= 1): returns the bytes it takes and sets *out
 * and *outlen to what shows it, either s itself or an escape written into
 * buf. */
size_t tesc_unit(const char *s, size_t n, unsigned flags,
		char buf[TESC_UNIT_MAX], const char **out, size_t *outlen);

/* Appends s[0..n) shown safely to sb. */
void tesc_append(struct strbuf *sb, const char *s, size_t n, unsigned flags);

/* True when s[0..n) would be written unchanged under flags. */
bool tesc_is_safe(const char *s, size_t n, unsigned flags);

/* A stream that writes to out what it is given, shown safely with flags
 * (TESC_KEEP_NL | TESC_KEEP_TAB for text, TESC_JSON): a writer's last guard, so that no path
 * (a user name, a file name, an error message) forgets it. A UTF-8
 * sequence may be split across writes. fclose() flushes it (an unfinished
 * sequence is escaped) and does not close out. NULL when the stream
 * cannot be made. */
FILE *tesc_stream(FILE *out, unsigned flags);

#endif
