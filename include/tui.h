/* tui.h: the terminal browser (tui/), linked into the pgsift binary only:
 * the core library and its tests never see curses. */
#ifndef PGSIFT_TUI_H
#define PGSIFT_TUI_H

#include <stddef.h>

#include "analysis.h"

/* Runs `pgsift tui` on paths (logs to analyse, or one saved JSON report).
 * Returns the process exit status (exit_status.h): EXIT_DONE, EXIT_USAGE
 * or EXIT_MALFORMED, as for report. */
int tui_run(const struct pgsift_options *o, const char *const *paths, size_t n);

#endif
