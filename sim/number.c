/* Locale-independent number reading and writing: each call runs in the "C"
 * locale of the calling thread (POSIX 2008 newlocale/uselocale), so the
 * process locale set by a host program never changes a digit. */
#define _GNU_SOURCE 1
#include "number.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static locale_t c_locale = (locale_t)0;
static pthread_once_t c_once = PTHREAD_ONCE_INIT;

static void make_c_locale(void)
{
    c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

/* Switches this thread to the "C" locale; returns the locale to restore, or
 * 0 when none could be made (then the thread's locale is left as it is). */
static locale_t enter_c(void)
{
    pthread_once(&c_once, make_c_locale);
    if (c_locale == (locale_t)0)
        return (locale_t)0;
    return uselocale(c_locale);
}

static void leave_c(locale_t old)
{
    if (old != (locale_t)0)
        uselocale(old);
}

double tco_strtod(const char *s, char **end)
{
    locale_t old = enter_c();
    double v = strtod(s, end);
    leave_c(old);
    return v;
}

int tco_parse_double(const char *s, double *out)
{
    if (s == NULL || *s == '\0')
        return -1;
    /* strtod accepts "inf", "nan" and hexadecimal floats; a scenario number
     * is a finite decimal, so only those characters may appear. */
    for (const char *p = s; *p; p++)
        if (!strchr("0123456789+-.eE", *p))
            return -1;
    char *end = NULL;
    errno = 0;
    double v = tco_strtod(s, &end);
    if (end == s || *end != '\0' || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

int tco_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    locale_t old = enter_c();
    int n = vsnprintf(buf, size, fmt, ap);
    leave_c(old);
    return n;
}

int tco_snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = tco_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

int tco_fprintf(FILE *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    locale_t old = enter_c();
    int n = vfprintf(f, fmt, ap);
    leave_c(old);
    va_end(ap);
    return n;
}
