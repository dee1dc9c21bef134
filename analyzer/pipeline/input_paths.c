/* input_paths.c: the inputs named on the command line, with directories
 * and archives opened: `pgsift report /var/log/postgresql/` reads the logs
 * in it, `pgsift report logs.tar.gz` those in the archive (each file an
 * input named logs.tar.gz::FILE, input_archive.c).
 *
 * A directory stands for the regular files under it, at any depth, in
 * the order of their paths (a server's rotated logs are named by time, so
 * that is their order); names starting with a dot are left out, as ls
 * leaves them. A directory with no file in it stays as given, so that
 * reading it fails with its name. Other paths pass as they are. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "input.h"
#include "input_archive.h"
#include "util.h"

struct list {
	char **v;
	size_t n, cap;
};

static void push(struct list *l, char *s)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = s;
}

/* Whether the file at p may be an archive of files: a zip, a tar, or a
 * stream compressed by a filter libarchive reads (a compressed tar is
 * known only inside). A log's first bytes say no without libarchive,
 * whose probe cost 30 us a file (0.09 s more on 3,000 small logs). */
static bool maybe_archive(const char *p)
{
	unsigned char b[512];
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;   /* the driver says why it cannot be read */
	ssize_t n = read(fd, b, sizeof(b));
	close(fd);
	if (n < 4)
		return false;
	return (b[0] == 0x1f && b[1] == 0x8b) ||                /* gzip */
		(b[0] == 0x28 && b[1] == 0xb5 && b[2] == 0x2f && b[3] == 0xfd) ||
		((b[0] & 0xf0) == 0x50 && b[1] == 0x2a && b[2] == 0x4d && b[3] == 0x18) ||
		(b[0] == 'B' && b[1] == 'Z' && b[2] == 'h') ||           /* bzip2 */
		(b[0] == 0xfd && b[1] == '7' && b[2] == 'z' && b[3] == 'X') ||
		(b[0] == 'P' && b[1] == 'K' && b[2] == 3 && b[3] == 4) ||
		(n == (ssize_t)sizeof(b) && memcmp(b + 257, "ustar", 5) == 0);
}

/* A regular file: itself, or the files of the archive it is. p is l's. */
static void push_file(struct list *l, char *p)
{
	char **names;
	size_t n = maybe_archive(p) ? input_archive_members(p, &names) : (size_t)-1;
	if (n == (size_t)-1 || n == 0) {
		push(l, p);     /* not an archive; or empty: refused by name */
		return;
	}
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(p) + strlen(INPUT_MEMBER_SEP) + strlen(names[i]) + 1;
		char *m = xmalloc(len);
		snprintf(m, len, "%s%s%s", p, INPUT_MEMBER_SEP, names[i]);
		push(l, m);
		free(names[i]);
	}
	free(names);
	free(p);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds the regular files under dir to l, unsorted; depth bounds a
 * directory that holds a link to itself. */
static void walk(struct list *l, const char *dir, int depth)
{
	DIR *d = depth < 32 ? opendir(dir) : NULL;
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		size_t len = strlen(dir) + strlen(e->d_name) + 2;
		char *p = xmalloc(len);
		bool slash = dir[0] && dir[strlen(dir) - 1] == '/';
		snprintf(p, len, "%s%s%s", dir, slash ? "" : "/", e->d_name);
		struct stat st;
		if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
			walk(l, p, depth + 1);
			free(p);
		} else if (stat(p, &st) == 0 && S_ISREG(st.st_mode)) {
			push_file(l, p);
		} else {
			free(p);
		}
	}
	closedir(d);
}

size_t input_paths_expand(const char *const *paths, size_t n, char ***out)
{
	struct list l = { 0 };
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		if (strcmp(paths[i], "-") == 0 || stat(paths[i], &st) != 0) {
			push(&l, xstrdup(paths[i]));
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			if (S_ISREG(st.st_mode))
				push_file(&l, xstrdup(paths[i]));
			else
				push(&l, xstrdup(paths[i]));    /* a FIFO: read once */
			continue;
		}
		size_t from = l.n;
		walk(&l, paths[i], 0);
		if (l.n == from)
			push(&l, xstrdup(paths[i]));
		else
			qsort(l.v + from, l.n - from, sizeof(*l.v), cmp_str);
	}
	*out = l.v;
	return l.n;
}

void input_paths_free(char **paths, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
}
