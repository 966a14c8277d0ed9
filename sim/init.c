/* One-time library set-up (see init.h). */
#include "init.h"

#include <pthread.h>

#include <gsl/gsl_errno.h>

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void init_once(void)
{
    /* GSL's own handler calls abort(); the library checks return codes. */
    gsl_set_error_handler_off();
}

void tco_init(void) { pthread_once(&once, init_once); }
