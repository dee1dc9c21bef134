/* exit_status.h: pgsift's process exit statuses (CONTRACT.md), the one
 * list the CLI and the TUI return from. The core returns its own status
 * enums; only main() and tui_run() map them to these. */
#ifndef PGSIFT_EXIT_STATUS_H
#define PGSIFT_EXIT_STATUS_H

enum exit_code {
	EXIT_DONE = 0,          /* done */
	EXIT_GATE = 1,          /* a `check` gate failed */
	EXIT_USAGE = 2,         /* usage error, or no input could be read */
	EXIT_MALFORMED = 3,     /* done, but some input was malformed or truncated */
};

#endif
