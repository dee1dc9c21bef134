/* cli_outputs.c: the reports one analysis writes (-o, repeatable): each
 * one's format, a check that every path can be written before the
 * analysis starts (a typo in a directory should not cost a long run), and
 * the writing itself. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/ioctl.h>
#include <sys/stat.h>

#include "cli_int.h"
#include "exit_status.h"

/* The format an output's name ends with, or NULL. */
static const char *format_of_name(const char *path)
{
	static const struct { const char *ext, *format; } exts[] = {
		{ ".md", "md" }, { ".markdown", "md" }, { ".json", "json" },
		{ ".html", "html" }, { ".htm", "html" }, { ".txt", "text" },
		{ ".text", "text" },
	};
	const char *slash = strrchr(path, '/');
	const char *dot = strrchr(slash ? slash + 1 : path, '.');
	if (!dot)
		return NULL;
	for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
		if (strcasecmp(dot, exts[i].ext) == 0)
			return exts[i].format;
	return NULL;
}

int cli_outputs_resolve(struct cli_args *a)
{
	if (a->nouts == 0) {
		a->outs[0].path = "-";
		a->outs[0].format = a->format;
		a->nouts = 1;
	} else if (a->nouts == 1) {
		/* One -o: -f wherever it stands, as before -o was repeatable. */
		if (a->format)
			a->outs[0].format = a->format;
	} else if (a->format_after) {
		return cli_usage_error("-f %s after the last of several -o: give each "
			"-f before the -o it is for", a->format);
	}
	size_t nstdout = 0;
	for (size_t i = 0; i < a->nouts; i++) {
		struct cli_output *out = &a->outs[i];
		const char *f = out->format;
		if (!f && strcmp(out->path, "-") != 0)
			f = format_of_name(out->path);
		if (!f)
			f = out->sticky ? out->sticky : "md";
		out->w = report_find(f);
		if (!out->w)
			return cli_usage_error("unknown --format '%s' (md, json, text or html)", f);
		nstdout += strcmp(out->path, "-") == 0;
		for (size_t k = 0; k < i; k++)
			if (strcmp(a->outs[k].path, out->path) == 0 && strcmp(out->path, "-") != 0)
				return cli_usage_error("-o %s is given twice", out->path);
	}
	if (nstdout > 1)
		return cli_usage_error("%s", "-o - (standard output) is given twice");
	return EXIT_DONE;
}

/* 0 when path can be written: an existing file opened for writing (not
 * truncated: a failed run leaves it as it was), or the directory of a
 * new one writable; else errno. */
static int writable(const char *path)
{
	struct stat st;
	if (stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return EISDIR;
		if (!S_ISREG(st.st_mode))       /* a FIFO would block an open */
			return access(path, W_OK) == 0 ? 0 : errno;
		int fd = open(path, O_WRONLY | O_NOCTTY);
		if (fd < 0)
			return errno;
		close(fd);
		return 0;
	}
	if (errno != ENOENT)
		return errno;
	const char *slash = strrchr(path, '/');
	char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path))
		: strdup(".");
	if (!dir)
		return ENOMEM;
	int rc = 0;
	if (stat(dir, &st) != 0)
		rc = errno;
	else if (!S_ISDIR(st.st_mode))
		rc = ENOTDIR;
	else if (access(dir, W_OK | X_OK) != 0)
		rc = errno;
	free(dir);
	return rc;
}

int cli_outputs_check(const struct cli_args *a)
{
	for (size_t i = 0; i < a->nouts; i++) {
		const char *path = a->outs[i].path;
		if (strcmp(path, "-") == 0)
			continue;
		int err = writable(path);
		if (err)
			return cli_usage_error("-o %s: %s", path, strerror(err));
	}
	return EXIT_DONE;
}

/* GitHub gives each step an empty summary file and expects commands to
 * append to it (>>): writing there appends, and the Markdown report's size
 * limit is what is left of GitHub's 1 MiB, however little (GitHub drops a
 * summary past it). Any other -o file is overwritten. */
static const char *output_mode(const char *path, struct pgsift_options *o)
{
	const char *summary = getenv("GITHUB_STEP_SUMMARY");
	struct stat st;
	if (!summary || !*summary || strcmp(summary, path) != 0)
		return "w";
	const size_t limit = (size_t)1 << 20;
	size_t used = stat(path, &st) == 0 && st.st_size > 0 ? (size_t)st.st_size : 0;
	if (used >= limit) {
		fprintf(stderr, "pgsift: %s already holds %zu bytes, GitHub's 1 MiB "
			"or more: the report is left out of it\n", path, used);
		return NULL;
	}
	o->md_max_bytes = limit - used;
	if (used + 4096 > limit)
		fprintf(stderr, "pgsift: %s already holds %zu bytes of GitHub's 1 MiB: "
			"the Markdown report is cut to the %zu left\n", path, used,
			limit - used);
	return "a";
}

static int write_report(const struct report_writer *w, const char *path,
		const struct analysis *a, struct pgsift_options *o)
{
	FILE *out = stdout;
	if (strcmp(path, "-") != 0) {
		const char *mode = output_mode(path, o);
		if (!mode)
			return 0;
		out = fopen(path, mode);
		if (!out) {
			fprintf(stderr, "pgsift: %s: %s\n", path, strerror(errno));
			return -1;
		}
	}
	struct winsize ws;      /* -f text fits the terminal it is written to */
	if (out == stdout && isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0)
		o->text_width = ws.ws_col;
	int rc = w->write(out, a, o);
	if (rc == 0 && ferror(out))
		rc = -1;
	if (fclose(out) != 0)
		rc = -1;
	if (rc != 0)
		fprintf(stderr, "pgsift: writing %s: %s\n",
			out == stdout ? "standard output" : path, strerror(errno ? errno : EIO));
	return rc;
}

int cli_outputs_write(struct cli_args *a, const struct analysis *an)
{
	int rc = 0;
	/* Standard output last: closing it ends what a pipe reads. */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < a->nouts; i++) {
			const struct cli_output *out = &a->outs[i];
			if ((strcmp(out->path, "-") == 0) != (pass == 1))
				continue;
			a->o.md_max_bytes = 0;  /* output_mode()'s, for one file */
			if (write_report(out->w, out->path, an, &a->o) != 0)
				rc = -1;
		}
	return rc;
}
