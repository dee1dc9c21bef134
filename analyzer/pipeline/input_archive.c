/* input_archive.c: archives of log files (see input_archive.h).
 *
 * A tar (plain, or compressed by any filter libarchive reads) or a zip of
 * a server's logs is a list of files: each becomes an input of its own
 * (ARCHIVE::MEMBER), named and reported as such, in the archive's order.
 * Listing it reads the archive once (its headers; the data is skipped,
 * which for a compressed tar means decompressed); each member is then
 * read from the archive's start, so a compressed tar of N files is
 * decompressed about N/2 times more: fine for a month of daily logs,
 * slow for thousands of members (extract those). */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "input.h"
#include "input_archive.h"
#include "util.h"

struct archive *input_archive_new(void)
{
	struct archive *a = archive_read_new();
	if (!a)
		abort();        /* out of memory */
	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	archive_read_support_format_zip(a);
	return a;
}

/* Names that are not logs: directories' own entries, hidden files (as a
 * directory's are left out) and macOS resource forks in zips. */
static bool skipped(const char *name)
{
	const char *base = strrchr(name, '/');
	base = base ? base + 1 : name;
	return !*base || base[0] == '.' || strncmp(name, "__MACOSX/", 9) == 0;
}

bool input_archive_member_stat(const char *path, const char *member,
		uint64_t *size, int64_t *mtime)
{
	struct archive *a = input_archive_new();
	bool found = false;
	struct archive_entry *e;
	if (archive_read_open_filename(a, path, 1 << 16) == ARCHIVE_OK)
		while (!found && archive_read_next_header(a, &e) == ARCHIVE_OK) {
			const char *name = archive_entry_pathname(e);
			if (!name || strcmp(name, member) != 0)
				continue;
			*size = (uint64_t)archive_entry_size(e);
			*mtime = (int64_t)archive_entry_mtime(e);
			found = true;
		}
	archive_read_free(a);
	return found;
}

size_t input_archive_members(const char *path, char ***names)
{
	*names = NULL;
	struct archive *a = input_archive_new();
	if (archive_read_open_filename(a, path, 1 << 16) != ARCHIVE_OK) {
		archive_read_free(a);
		return (size_t)-1;
	}
	struct archive_entry *e;
	int r = archive_read_next_header(a, &e);
	if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
		archive_read_free(a);
		return (size_t)-1;      /* not an archive libarchive knows */
	}
	size_t n = 0, cap = 0;
	for (; r == ARCHIVE_OK || r == ARCHIVE_WARN; r = archive_read_next_header(a, &e)) {
		const char *name = archive_entry_pathname(e);
		if (!name || archive_entry_filetype(e) != AE_IFREG || skipped(name))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			*names = xrealloc(*names, cap * sizeof(**names));
		}
		(*names)[n++] = xstrdup(name);
	}
	archive_read_free(a);
	return n;
}
