/* input_archive.h: archives of log files (tar, zip), read through
 * libarchive: what input.c (reading a member) and input_paths.c (listing
 * them) share; nothing else includes it. */
#ifndef PGSIFT_INPUT_ARCHIVE_H
#define PGSIFT_INPUT_ARCHIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct archive;

/* A libarchive reader of archives of files (tar, zip) under any filter
 * it knows (gzip, zstd, bzip2, xz...), not yet opened. */
struct archive *input_archive_new(void);
/* The regular files of the archive at path, in archive order, as new
 * strings in *names (their count returned, *names NULL when none), or
 * (size_t)-1 when path is not an archive of files. */
size_t input_archive_members(const char *path, char ***names);

#endif
