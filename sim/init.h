/* One-time set-up of the library, done by the library itself.
 *
 * GSL's default error handler prints and aborts; a library must not do
 * either.  tco_init turns that handler off once per process (thread-safe),
 * so every GSL failure comes back as a status code that the caller of GSL
 * checks.  The entry points that reach GSL (loading a scenario, parsing a
 * distribution, running) call it; a program need not. */
#ifndef TCO_INIT_H
#define TCO_INIT_H

/* Makes the library's process-wide settings; cheap after the first call. */
void tco_init(void);

#endif
