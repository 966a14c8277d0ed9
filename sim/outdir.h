/* The output folder as one unit.
 *
 * A run never writes into its target folder: it writes everything into a
 * fresh private folder next to it (mkdtemp, named .<name>.tcosim-tmp-XXXXXX)
 * and swaps that in whole at the end (renameat2 RENAME_EXCHANGE, else the old
 * folder renamed aside first).  So an interrupted or failed run leaves the
 * previous folder as it was, and a folder never mixes two runs.  A lock
 * (flock on .<name>.lock next to the folder) refuses a second concurrent
 * writer with a clear error; temporary folders left by a killed run are
 * removed by the next run into the same target. */
#ifndef TCO_OUTDIR_H
#define TCO_OUTDIR_H

#include "error.h"

typedef struct tco_outdir tco_outdir;

/* Takes the lock on target, removes leftovers of earlier killed runs, and
 * makes the private folder to write into.  Refuses an empty path, a target
 * that is not a folder, and an existing folder that is neither empty nor a
 * tcosim output folder (no meta.csv): it would be replaced whole.  The
 * caller owns *od and frees it with tco_outdir_close. */
tco_status tco_outdir_open(tco_outdir **od, const char *target, tco_error *err);

/* Takes only the lock on target (tcosim plot redraws inside an existing
 * folder): no private folder, nothing to commit.  Free with
 * tco_outdir_close. */
tco_status tco_outdir_lock(tco_outdir **od, const char *target, tco_error *err);

/* The absolute path of the private folder to write into (owned by od). */
const char *tco_outdir_work(const tco_outdir *od);

/* The target as given (owned by od). */
const char *tco_outdir_target(const tco_outdir *od);

/* Swaps the private folder in as the target and removes the previous one. */
tco_status tco_outdir_commit(tco_outdir *od, tco_error *err);

/* Removes the private folder unless committed, releases the lock, frees od.
 * Accepts NULL. */
void tco_outdir_close(tco_outdir *od);

/* Removes path and everything under it (symbolic links are removed, never
 * followed).  Returns 0 or -1 with errno set. */
int tco_remove_tree(const char *path);

#endif
