#define _GNU_SOURCE /* renameat2 through syscall, nftw's FTW_PHYS */
#include "outdir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "number.h"
#include "output.h"

#define PATH_SIZE 4096
#define TMP_TAG ".tcosim-tmp-"
#define OLD_TAG ".tcosim-old-"

struct tco_outdir {
    char target[PATH_SIZE]; /* absolute */
    char given[PATH_SIZE];
    char parent[PATH_SIZE], base[256];
    char work[PATH_SIZE];
    int lock_fd, committed;
};

static int remove_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path) == 0 || errno == ENOENT ? 0 : -1;
}

int tco_remove_tree(const char *path)
{
    return nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Splits the absolute form of path into parent folder and last name. */
static tco_status split(tco_outdir *od, const char *path, tco_error *err)
{
    char abs[PATH_SIZE];
    if (path[0] == '/') {
        if (tco_snprintf(abs, sizeof abs, "%s", path) >= (int)sizeof abs)
            return tco_error_set(err, TCO_EINVAL, "%s: path too long", path);
    } else {
        char cwd[PATH_SIZE];
        if (!getcwd(cwd, sizeof cwd))
            return tco_error_set(err, TCO_EIO, "cannot find the current folder: %s",
                                 strerror(errno));
        if (tco_snprintf(abs, sizeof abs, "%s/%s", cwd, path) >= (int)sizeof abs)
            return tco_error_set(err, TCO_EINVAL, "%s: path too long", path);
    }
    size_t len = strlen(abs);
    while (len > 1 && abs[len - 1] == '/')
        abs[--len] = '\0';
    char *slash = strrchr(abs, '/');
    const char *base = slash + 1;
    if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0 ||
        strlen(base) + sizeof OLD_TAG + 8 > sizeof od->base)
        return tco_error_set(err, TCO_EINVAL,
                             "%s: the output folder needs a name of its own (not '.', '..' "
                             "or '/', at most 200 bytes)",
                             path);
    tco_snprintf(od->base, sizeof od->base, "%s", base);
    tco_snprintf(od->target, sizeof od->target, "%s", abs);
    if (slash == abs)
        tco_snprintf(od->parent, sizeof od->parent, "/");
    else
        tco_snprintf(od->parent, sizeof od->parent, "%.*s", (int)(slash - abs), abs);
    return TCO_OK;
}

/* Leftovers of runs into the same target that were killed (we hold the
 * lock, so none belongs to a live run). */
static void remove_leftovers(const tco_outdir *od)
{
    DIR *d = opendir(od->parent);
    if (!d)
        return;
    char tmp_prefix[300], old_prefix[300];
    tco_snprintf(tmp_prefix, sizeof tmp_prefix, ".%s" TMP_TAG, od->base);
    tco_snprintf(old_prefix, sizeof old_prefix, ".%s" OLD_TAG, od->base);
    size_t tl = strlen(tmp_prefix), ol = strlen(old_prefix);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strncmp(e->d_name, tmp_prefix, tl) != 0 && strncmp(e->d_name, old_prefix, ol) != 0)
            continue;
        char path[PATH_SIZE];
        if (tco_snprintf(path, sizeof path, "%s/%s", od->parent, e->d_name) < (int)sizeof path)
            tco_remove_tree(path);
    }
    closedir(d);
}

/* An existing target is replaced whole, so it must be ours to replace. */
static tco_status check_target(const tco_outdir *od, tco_error *err)
{
    struct stat sb;
    if (lstat(od->target, &sb) != 0)
        return errno == ENOENT ? TCO_OK
                               : tco_error_set(err, TCO_EIO, "%s: %s", od->given, strerror(errno));
    if (!S_ISDIR(sb.st_mode))
        return tco_error_set(err, TCO_EIO, "%s: exists and is not a folder", od->given);
    char meta[PATH_SIZE + 16];
    tco_snprintf(meta, sizeof meta, "%s/meta.csv", od->target);
    if (access(meta, F_OK) == 0)
        return TCO_OK;
    DIR *d = opendir(od->target);
    if (!d)
        return tco_error_set(err, TCO_EIO, "%s: %s", od->given, strerror(errno));
    struct dirent *e;
    int empty = 1;
    while (empty && (e = readdir(d)))
        empty = strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0;
    closedir(d);
    if (!empty)
        return tco_error_set(err, TCO_EINVAL,
                             "%s: exists and is not a tcosim output folder (no meta.csv); it "
                             "would be replaced whole, so choose another folder",
                             od->given);
    return TCO_OK;
}

/* flock on .<name>.lock next to the folder (O_NOFOLLOW: a planted link
 * fails, it is never followed). */
static tco_status take_lock(tco_outdir *od, tco_error *err)
{
    char lock[PATH_SIZE];
    tco_snprintf(lock, sizeof lock, "%s/.%s.lock", od->parent, od->base);
    od->lock_fd = open(lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (od->lock_fd < 0)
        return tco_error_set(err, TCO_EIO, "%s: cannot create the lock file: %s", lock,
                             strerror(errno));
    if (flock(od->lock_fd, LOCK_EX | LOCK_NB) != 0)
        return errno == EWOULDBLOCK
                   ? tco_error_set(err, TCO_EIO,
                                   "%s: another tcosim is writing this folder; wait for it to "
                                   "finish or choose another with -o",
                                   od->given)
                   : tco_error_set(err, TCO_EIO, "%s: cannot lock: %s", lock, strerror(errno));
    return TCO_OK;
}

tco_status tco_outdir_lock(tco_outdir **out, const char *target, tco_error *err)
{
    *out = NULL;
    if (!target || !*target)
        return tco_error_set(err, TCO_EINVAL, "the folder is an empty path");
    tco_outdir *od = calloc(1, sizeof *od);
    if (!od)
        return tco_error_set(err, TCO_ENOMEM, "out of memory");
    od->lock_fd = -1;
    od->committed = 1; /* nothing to remove */
    tco_snprintf(od->given, sizeof od->given, "%s", target);
    tco_status st = split(od, target, err);
    if (st == TCO_OK)
        st = take_lock(od, err);
    if (st != TCO_OK) {
        tco_outdir_close(od);
        return st;
    }
    *out = od;
    return TCO_OK;
}

tco_status tco_outdir_open(tco_outdir **out, const char *target, tco_error *err)
{
    *out = NULL;
    if (!target || !*target)
        return tco_error_set(err, TCO_EINVAL, "the output folder is an empty path");
    tco_outdir *od = calloc(1, sizeof *od);
    if (!od)
        return tco_error_set(err, TCO_ENOMEM, "out of memory");
    od->lock_fd = -1;
    tco_status st;
    tco_snprintf(od->given, sizeof od->given, "%s", target);
    if ((st = split(od, target, err)) || (st = tco_make_dirs(od->parent, err)) ||
        (st = take_lock(od, err)) || (st = check_target(od, err)))
        goto fail;
    remove_leftovers(od);
    tco_snprintf(od->work, sizeof od->work, "%s/.%s" TMP_TAG "XXXXXX", od->parent, od->base);
    if (!mkdtemp(od->work)) {
        st = tco_error_set(err, TCO_EIO, "%s: cannot create a folder: %s", od->parent,
                           strerror(errno));
        od->work[0] = '\0';
        goto fail;
    }
    chmod(od->work, tco_file_mode() | ((tco_file_mode() & 0444) >> 2));
    *out = od;
    return TCO_OK;
fail:
    tco_outdir_close(od);
    return st;
}

const char *tco_outdir_work(const tco_outdir *od) { return od->work; }

const char *tco_outdir_target(const tco_outdir *od) { return od->given; }

static int exchange(const char *a, const char *b)
{
#if defined(SYS_renameat2) && defined(AT_FDCWD)
    return (int)syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, 2 /* RENAME_EXCHANGE */);
#else
    (void)a;
    (void)b;
    errno = ENOSYS;
    return -1;
#endif
}

tco_status tco_outdir_commit(tco_outdir *od, tco_error *err)
{
    struct stat sb;
    if (lstat(od->target, &sb) != 0) {
        if (rename(od->work, od->target) != 0)
            return tco_error_set(err, TCO_EIO, "%s: cannot install the results: %s", od->given,
                                 strerror(errno));
        od->committed = 1;
        return TCO_OK;
    }
    if (exchange(od->work, od->target) == 0) {
        /* The work path now holds the previous folder. */
        od->committed = 1;
        tco_remove_tree(od->work);
        return TCO_OK;
    }
    /* No RENAME_EXCHANGE (old kernel, some file systems): move the old
     * folder aside onto an empty folder of our own, then move the new in. */
    char old[PATH_SIZE];
    tco_snprintf(old, sizeof old, "%s/.%s" OLD_TAG "XXXXXX", od->parent, od->base);
    if (!mkdtemp(old))
        return tco_error_set(err, TCO_EIO, "%s: cannot create a folder: %s", od->parent,
                             strerror(errno));
    if (rename(od->target, old) != 0) {
        int e = errno;
        rmdir(old);
        return tco_error_set(err, TCO_EIO, "%s: cannot replace: %s", od->given, strerror(e));
    }
    if (rename(od->work, od->target) != 0) {
        int e = errno;
        rename(old, od->target);
        return tco_error_set(err, TCO_EIO, "%s: cannot install the results: %s", od->given,
                             strerror(e));
    }
    od->committed = 1;
    tco_remove_tree(old);
    return TCO_OK;
}

void tco_outdir_close(tco_outdir *od)
{
    if (!od)
        return;
    if (!od->committed && od->work[0])
        tco_remove_tree(od->work);
    if (od->lock_fd >= 0)
        close(od->lock_fd);
    free(od);
}
