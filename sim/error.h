/* Status codes and error records shared by every tcosim module.
 *
 * The library never prints and never exits: a function that fails fills a
 * tco_error with a message that already names the place (file:line:col and
 * the key's path for input errors) and returns a status code. */
#ifndef TCO_ERROR_H
#define TCO_ERROR_H

#include <stddef.h>

typedef enum {
    TCO_OK = 0,
    TCO_EINVAL,   /* a scenario or argument is not valid */
    TCO_EPARSE,   /* YAML syntax error, empty or binary file */
    TCO_EIO,      /* a file could not be read or written */
    TCO_ENOMEM,   /* out of memory, or a size refused before allocating */
    TCO_ELIMIT,   /* an input exceeds a safety limit (depth, aliases, size) */
    TCO_EINTR,    /* interrupted by the user */
    TCO_ECHARTS   /* results are written, but charts could not be drawn */
} tco_status;

#define TCO_ERRMSG_MAX 1536

typedef struct {
    tco_status code;
    char msg[TCO_ERRMSG_MAX];
    /* Where in the library the error was raised (__FILE__ and __LINE__ of
     * TCO_RETURN_ERROR_IF), for debugging; NULL and 0 when not recorded. */
    const char *origin_file;
    int origin_line;
} tco_error;

/* A short English name for a status code; never NULL. */
const char *tco_strerror(tco_status code);

/* Records an error in err (which may be NULL) and returns code.  Every error
 * of the library passes through here: a debugger breakpoint on this function
 * catches them all. */
tco_status tco_error_set(tco_error *err, tco_status code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Records in err (which may be NULL) the source place where the error was
 * raised; the message and code are left alone. */
void tco_error_origin(tco_error *err, const char *file, int line);

/* Returns code from the calling function, with the message fmt recorded in
 * err together with the source file and line, when cond holds (in the manner
 * of zstd's RETURN_ERROR_IF).  The message goes through tco_error_set, so one
 * breakpoint there still catches every error. */
#define TCO_RETURN_ERROR_IF(cond, err, code, ...)                                  \
    do {                                                                           \
        if (cond) {                                                                \
            tco_status tco_st_ = tco_error_set((err), (code), __VA_ARGS__);        \
            tco_error_origin((err), __FILE__, __LINE__);                           \
            return tco_st_;                                                        \
        }                                                                          \
    } while (0)

/* Clears err to TCO_OK with an empty message. */
void tco_error_clear(tco_error *err);

#endif
