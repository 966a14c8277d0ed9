#include "error.h"

#include <stdarg.h>
#include <stdio.h>

#include "number.h"

const char *tco_strerror(tco_status code)
{
    switch (code) {
    case TCO_OK: return "success";
    case TCO_EINVAL: return "invalid input";
    case TCO_EPARSE: return "parse error";
    case TCO_EIO: return "input/output error";
    case TCO_ENOMEM: return "not enough memory";
    case TCO_ELIMIT: return "limit exceeded";
    case TCO_EINTR: return "interrupted";
    case TCO_ECHARTS: return "charts not drawn";
    }
    return "unknown error";
}

tco_status tco_error_set(tco_error *err, tco_status code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        err->code = code;
        err->origin_file = NULL;
        err->origin_line = 0;
        tco_vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}

void tco_error_origin(tco_error *err, const char *file, int line)
{
    if (err) {
        err->origin_file = file;
        err->origin_line = line;
    }
}

void tco_error_clear(tco_error *err)
{
    if (err) {
        err->code = TCO_OK;
        err->msg[0] = '\0';
        err->origin_file = NULL;
        err->origin_line = 0;
    }
}
