/* Numbers in text, independent of the locale.
 *
 * Scenario files, CSV and JSON always use a decimal point, whatever locale a
 * program that links the library has set with setlocale: a German locale
 * must not read "2.5" as 2 or write "2,5" into a CSV file.  These functions
 * switch the calling thread to the "C" locale (uselocale) for the duration
 * of one call, so they are safe to call from any thread. */
#ifndef TCO_NUMBER_H
#define TCO_NUMBER_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

/* strtod in the "C" locale: same contract as strtod(3). */
double tco_strtod(const char *s, char **end);

/* Parses the whole of s (no leading or trailing characters, not empty) as a
 * number in the "C" locale.  Returns 0 and sets *out, or -1 when s is not
 * one number.  Infinity and NaN spellings are refused. */
int tco_parse_double(const char *s, double *out);

/* snprintf, vsnprintf and fprintf in the "C" locale. */
int tco_snprintf(char *buf, size_t size, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
int tco_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 0)))
#endif
    ;
int tco_fprintf(FILE *f, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

#endif
