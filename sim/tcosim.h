/* tcosim: the public interface of the library, in one header.
 *
 *     #include <tcosim/tcosim.h>
 *     cc prog.c $(pkg-config --cflags --static --libs tcosim)
 *
 * Data flows one way, one header per step: a YAML file (yamldoc.h) becomes a
 * validated scenario (scenario.h, distributions in dist.h); the engine
 * (engine.h) draws futures (rng.h, sample.h) and costs every strategy on
 * them (model.h); statistics (stats.h) summarise a run; output.h and
 * charts.h write files; sweep.h and sensitivity.h (with sobolidx.h) repeat
 * runs.  Every function says in its header who owns what it returns; every
 * _alloc has a _free that accepts NULL.  Errors come back as a tco_status
 * with a message in a tco_error (error.h); the library never prints and
 * never exits, and it turns GSL's aborting error handler off itself
 * (init.h). */
#ifndef TCO_TCOSIM_H
#define TCO_TCOSIM_H

#include "error.h"
#include "init.h"
#include "number.h"
#include "yamldoc.h"
#include "dist.h"
#include "scenario.h"
#include "rng.h"
#include "sample.h"
#include "../models/model.h"
#include "engine.h"
#include "stats.h"
#include "output.h"
#include "charts.h"
#include "sobolidx.h"
#include "sweep.h"
#include "sensitivity.h"
#include "select.h"
#include "merge.h"
#include "cases.h"
#include "compare.h"

#endif
