/* tui.c: placeholder until the terminal browser lands (issue 7). */
#include <stdio.h>

#include "tui.h"

int tui_run(const struct pgsift_options *o, const char *const *paths, size_t n)
{
	(void)o;
	(void)paths;
	(void)n;
	fputs("pgsift: the TUI is not built yet; use 'pgsift report'\n", stderr);
	return 2;
}
