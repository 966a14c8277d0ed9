# tcosim: plain Makefile.  Flags come from pkg-config; headers are tracked
# with -MMD.  The program depends on the engine (sim/), the engine on the
# cost model (models/), the model on the scenario types only.

PREFIX ?= /usr/local
DESTDIR ?=
CC ?= cc
# libxlsxwriter writes results.xlsx; Debian's libxlsxwriter-dev has a .pc
# file, older packagings may not (then the fallback names the libraries).
PKGS = gsl yaml-0.1 xlsxwriter
WARN = -std=c11 -Wall -Wextra -pedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
       -Wcast-qual -Wwrite-strings -Wformat=2 -Wvla -Wundef -Wno-format-truncation \
       -Wno-format-nonliteral
OPT ?= -O3 -march=x86-64-v2 -fno-math-errno
CFLAGS ?= $(OPT) -g
ALL_CFLAGS = $(WARN) -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -fopenmp -ffp-contract=off \
             -DTCO_PLOTS_DIR='"$(PREFIX)/share/tcosim/plots"' \
             $(CFLAGS) $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lgsl -lgslcblas -lyaml -lxlsxwriter -lz) -lm
BUILD ?= build
# The program; sanitizer builds put theirs in their own folder, so that
# `make asan` never leaves an instrumented ./tcosim behind.
PROG ?= tcosim

LIB_SRC = sim/error.c sim/init.c sim/number.c sim/yamldoc.c sim/dist.c sim/schema.c sim/copula.c \
          sim/scenario.c sim/rng.c sim/sample.c sim/engine.c sim/stats.c sim/output.c sim/outdir.c \
          sim/charts.c sim/report.c sim/converge.c sim/sobolidx.c sim/sensitivity.c sim/sweep.c \
          sim/cases.c sim/compare.c \
          sim/sha256.c sim/select.c sim/pstats.c sim/vmath.c \
          models/backend.c models/backend_api.c models/backend_selfhost.c models/future.c models/strategy.c \
          models/review.c models/lanes.c
LIB_SRC += sim/decision.c sim/boardpack.c
LIB_SRC += sim/xlsx.c
LIB_SRC += sim/merge.c
LIB_OBJ = $(LIB_SRC:%.c=$(BUILD)/%.o)
TESTS = check_dist check_backend check_yamldoc check_scenario check_model check_stats check_engine \
        check_charts check_outdir check_sobolidx check_sweep check_sensitivity \
        check_rng check_sample check_output check_cases check_sha256 check_vmath
TESTS += check_boardpack check_select check_merge check_pstats check_lanes
TEST_BIN = $(TESTS:%=$(BUILD)/tests/%)

# libFuzzer targets (tests/fuzz/fuzz_*.c), built with clang in their own
# folder; every target is also linked with a plain driver (fuzz_replay.c) by
# $(CC), so its corpus is replayed by `make check` even without clang.
FUZZ = fuzz_yaml fuzz_scenario fuzz_set fuzz_dist fuzz_run
FUZZ_CC ?= clang
FUZZ_BUILD ?= build-fuzz
FUZZ_SAN = -fsanitize=address,undefined,float-cast-overflow -fno-sanitize-recover=all
FUZZ_SECONDS ?= 60
# Extra definitions for the fuzzing build (none today).
FUZZ_DEFS ?=
FUZZ_CHECK_SECONDS ?= 10
REPLAY_BIN = $(FUZZ:%=$(BUILD)/tests/fuzz/replay_%)

# The installed library: libtcosim.a, the public headers flat in
# include/tcosim/ (tcosim.h includes the others) and tcosim.pc.
VERSION = $(shell sed -n 's/^\#define TCO_VERSION "\(.*\)"/\1/p' sim/*.h | head -n 1)
PUBLIC_H = $(filter-out %_impl.h,$(wildcard sim/*.h models/*.h))
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include

# tcosim-mpi (make tcosim-mpi, or make MPI=1): the same program over MPI
# processes (sim/mpi.c built by mpicc with -DTCO_MPI; README "Beyond one
# machine").  Plain tcosim links sim/mpi.c without MPI: one process.
MPICC ?= mpicc
MPI ?= 0
MPI_PROG ?= tcosim-mpi
# make check runs check-mpi when mpicc and mpirun are installed (not in the
# sanitizer builds: Open MPI's own allocations would be reported).
CHECK_MPI ?= 1
PROG_OBJ = $(BUILD)/sim/main.o $(BUILD)/sim/mpi.o

.PHONY: all check check-mpi bench-mpi bench bench-ab bench-batch demo deps install install-mpi uninstall clean asan ubsan valgrind fuzz fuzz-build fuzz-crashes
all: $(PROG)
ifeq ($(MPI),1)
all: $(MPI_PROG)
endif

deps:
	@sh tools/deps.sh

$(PROG): $(BUILD)/libtcosim.a $(PROG_OBJ)
	$(CC) $(ALL_CFLAGS) -o $@ $(PROG_OBJ) $(BUILD)/libtcosim.a $(LDLIBS)

$(MPI_PROG): $(BUILD)/libtcosim.a $(BUILD)/sim/main.o $(BUILD)/mpi/sim/mpi.o
	$(MPICC) $(ALL_CFLAGS) -o $@ $(BUILD)/sim/main.o $(BUILD)/mpi/sim/mpi.o \
	    $(BUILD)/libtcosim.a $(LDLIBS)

$(BUILD)/mpi/%.o: %.c
	@mkdir -p $(dir $@)
	$(MPICC) $(ALL_CFLAGS) -DTCO_MPI -MMD -MP -c $< -o $@

$(BUILD)/libtcosim.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/tests/%: tests/%.c $(BUILD)/libtcosim.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Werror -MMD -MP $(shell pkg-config --cflags check) -o $@ $< \
	    $(BUILD)/libtcosim.a $(shell pkg-config --libs check) $(LDLIBS)

$(BUILD)/tests/fuzz/replay_%: tests/fuzz/%.c tests/fuzz/fuzz_replay.c $(BUILD)/libtcosim.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Werror -MMD -MP -o $@ $< tests/fuzz/fuzz_replay.c $(BUILD)/libtcosim.a $(LDLIBS)

# In the fuzzing build (BUILD=$(FUZZ_BUILD) CC=$(FUZZ_CC)): a libFuzzer binary.
$(BUILD)/fuzz/%: tests/fuzz/%.c $(BUILD)/libtcosim.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(FUZZ_DEFS) -fsanitize=fuzzer -MMD -MP -o $@ $< $(BUILD)/libtcosim.a $(LDLIBS)

check:
	@sh tools/deps.sh --fuzz
	@$(MAKE) --no-print-directory $(PROG) $(TEST_BIN) $(REPLAY_BIN) $(BUILD)/bench/bench \
	    $(BUILD)/bench/batch CFLAGS="$(CFLAGS) -Werror"
	@sh tests/run_units.sh $(TEST_BIN)
	@sh tests/fuzz/replay.sh $(BUILD)/tests/fuzz
	@sh tests/cli/run.sh ./$(PROG)
	@sh tests/shard/run.sh ./$(PROG)
	@sh tests/cli/compare.sh ./$(PROG)
	@sh tests/xlsx/check.sh ./$(PROG)
	@sh tests/cli/expected.sh ./$(PROG)
	@sh tests/docs/check_examples.sh ./$(PROG)
	@sh tests/golden/run.sh ./$(PROG)
	@sh tests/board/run.sh ./$(PROG)
	@OPT="$(OPT)" CC="$(CC)" MAKE="$(MAKE)" sh tests/bench/smoke.sh $(BUILD)/bench/bench ./$(PROG)
	@sh tests/bench/ab.sh "$(OPT)"
	@sh tests/install/run.sh "$(MAKE)" "$(BUILD)" "$(CFLAGS)" "$(CHECK_MPI)"
	@if [ "$(CHECK_MPI)" = 0 ]; then :; \
	elif command -v $(MPICC) >/dev/null 2>&1 && command -v mpirun >/dev/null 2>&1; then \
	    $(MAKE) --no-print-directory check-mpi CFLAGS="$(CFLAGS) -Werror"; \
	else echo "check-mpi: skipped: no mpicc or mpirun (apt-get install openmpi-bin libopenmpi-dev)"; fi
	@if [ "$(FUZZ_CHECK_SECONDS)" != 0 ]; then $(MAKE) --no-print-directory fuzz \
	    FUZZ_SECONDS=$(FUZZ_CHECK_SECONDS); fi

# tcosim-mpi against tcosim, every output file byte for byte, at 1 to 4
# processes; and the failure cases (tests/mpi/run.sh).
check-mpi:
	@$(MAKE) --no-print-directory $(PROG) $(MPI_PROG)
	@sh tests/mpi/run.sh ./$(PROG) ./$(MPI_PROG)

# make bench-mpi: a 20 x 20 sweep and 10^6 futures, tcosim-mpi at 1 and 2
# processes against tcosim; build/bench-mpi.md (bench/mpi.sh).
bench-mpi:
	@$(MAKE) --no-print-directory $(PROG) $(MPI_PROG)
	@sh bench/mpi.sh ./$(PROG) ./$(MPI_PROG)

# Replays the reproducers of defects still open (tests/fuzz/crashes/); each
# is killed after 30 s.  Fails while any of them still fails.
fuzz-crashes:
	@$(MAKE) --no-print-directory $(REPLAY_BIN)
	@sh tests/fuzz/replay.sh $(BUILD)/tests/fuzz --crashes

# Builds the libFuzzer targets (needs clang and its fuzzer runtime: make deps).
fuzz-build:
	@echo "fuzz: building the libFuzzer targets with $(FUZZ_CC) in $(FUZZ_BUILD)/"
	@$(MAKE) --no-print-directory -s BUILD=$(FUZZ_BUILD) CC=$(FUZZ_CC) \
	    CFLAGS="-O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link $(FUZZ_SAN) -Wno-unknown-warning-option" \
	    $(FUZZ:%=$(FUZZ_BUILD)/fuzz/%)

# Runs each target for FUZZ_SECONDS on a copy of its corpus in the tree
# (new inputs go to $(FUZZ_BUILD)/corpus, crashes to $(FUZZ_BUILD)/crashes).
fuzz:
	@if sh tests/fuzz/have_fuzzer.sh "$(FUZZ_CC)"; then \
	    $(MAKE) --no-print-directory fuzz-build && \
	    sh tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ); \
	else echo "fuzz: $(FUZZ_CC) with a libFuzzer runtime is missing (make deps); corpora were replayed only" >&2; \
	    [ "$(FUZZ_CHECK_SECONDS)" != "$(FUZZ_SECONDS)" ] || exit 0; exit 1; fi

demo: deps
	@$(MAKE) --no-print-directory tcosim
	./tcosim run scenarios/baseline.yaml

# make bench: issue 11's figures (bench/bench.c) for the baseline and
# bench/v2.yaml, a table and build/bench.json; BENCH_BIG=1 adds 10^7 futures.
# `make check` runs the program on tiny sizes only (tests/bench/smoke.sh).
# The engine issue 11 was filed against (its NumPy peer ran at a ninth of
# it, 8-10x): the last commit before version 2's work began (issue 8),
# whose baseline has the issue's 6 strategies and 24 uncertain inputs (26
# Sobol design runs) and whose 10^6-future run peaks at 976 MiB (the
# issue's 951-976).  make bench builds it as a shared library and
# measures the peer on this machine with it (bench/run.sh).
PEER_REV ?= 3e84987
bench: deps
	@$(MAKE) --no-print-directory tcosim $(BUILD)/bench/bench
	@PEER_REV="$(PEER_REV)" OPT="$(OPT)" CC="$(CC)" MAKE="$(MAKE)" sh bench/run.sh

# make bench-batch: what costing four futures at once in AVX2 lanes buys
# against one at a time (bench/batch.c, timing the engine's lanes): the
# baseline's strategies on api backends (proprietary), on a rented
# platform (open, hybrid) and on owned GPUs (open-owned), and
# bench/v2.yaml's proprietary.
bench-batch: deps
	@$(MAKE) --no-print-directory $(BUILD)/bench/batch
	@for s in proprietary open hybrid open-owned; do \
		$(BUILD)/bench/batch scenarios/baseline.yaml $$s || exit 1; done
	@$(BUILD)/bench/batch bench/v2.yaml proprietary

$(BUILD)/bench/batch: bench/batch.c $(BUILD)/libtcosim.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -o $@ bench/batch.c $(BUILD)/libtcosim.a $(LDLIBS)

# make bench-ab A=REV [B=REV]: the engines of two git revisions (B: the
# working tree when not given) timed in turn in each of several processes,
# with the median of B's time over A's, its interval in each process, and
# the verdict across the processes (bench/ab.sh, ab.c).  AB_FUTURES a run
# (10000), AB_PAIRS a process (30), AB_ROUNDS processes (6), AB_SCENARIO
# (the baseline).
bench-ab:
	@test -n "$(A)" || { echo "usage: make bench-ab A=REV [B=REV]" >&2; exit 2; }
	@OPT="$(OPT)" CC="$(CC)" MAKE="$(MAKE)" sh bench/ab.sh -n $(or $(AB_FUTURES),10000) \
	    -p $(or $(AB_PAIRS),30) -r $(or $(AB_ROUNDS),6) \
	    -s $(or $(AB_SCENARIO),scenarios/baseline.yaml) $(A) $(B)

$(BUILD)/bench/bench: bench/bench.c bench/dlbuild.c $(BUILD)/libtcosim.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -o $@ bench/bench.c bench/dlbuild.c $(BUILD)/libtcosim.a $(LDLIBS) -ldl

# Headers go flat into include/tcosim/: their "../sim/" and "../models/"
# includes are rewritten to plain names.  tcosim.pc names PREFIX.
# tcosim-mpi and its man page (a link to tcosim.1) are installed too when
# it has been built (brought up to date first; not by the sanitizer builds,
# whose PROG is theirs) or with MPI=1; make install-mpi builds it and
# installs everything.
INSTALL_MPI = $(if $(or $(filter 1,$(MPI)),$(and $(wildcard $(MPI_PROG)),$(filter tcosim,$(PROG)))),$(MPI_PROG))
install: $(PROG) $(BUILD)/libtcosim.a $(INSTALL_MPI)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	    $(DESTDIR)$(PREFIX)/share/tcosim/plots $(DESTDIR)$(PREFIX)/share/tcosim/scenarios \
	    $(DESTDIR)$(PREFIX)/share/doc/tcosim \
	    $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCLUDEDIR)/tcosim
	install -m 644 $(BUILD)/libtcosim.a $(DESTDIR)$(LIBDIR)/libtcosim.a
	printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$(LIBDIR)' 'includedir=$(INCLUDEDIR)' '' \
	    'Name: tcosim' 'Description: Monte Carlo cost and risk engine for serving LLM workloads' \
	    'Version: $(VERSION)' 'Requires.private: $(PKGS)' 'Cflags: -I$${includedir}' \
	    'Libs: -L$${libdir} -ltcosim' 'Libs.private: -fopenmp -lm' \
	    >$(DESTDIR)$(LIBDIR)/pkgconfig/tcosim.pc
	chmod 644 $(DESTDIR)$(LIBDIR)/pkgconfig/tcosim.pc
	for h in $(PUBLIC_H); do \
	    sed 's,^\(# *include "\)\.\./[a-z]*/,\1,' $$h >$(DESTDIR)$(INCLUDEDIR)/tcosim/$$(basename $$h) && \
	    chmod 644 $(DESTDIR)$(INCLUDEDIR)/tcosim/$$(basename $$h) || exit 1; done
	install -m 755 $(PROG) $(DESTDIR)$(PREFIX)/bin/tcosim
	install -m 644 man/tcosim.1 $(DESTDIR)$(PREFIX)/share/man/man1/tcosim.1
	if [ -n "$(INSTALL_MPI)" ]; then \
	    install -m 755 $(MPI_PROG) $(DESTDIR)$(PREFIX)/bin/tcosim-mpi && \
	    install -m 644 man/tcosim-mpi.1 $(DESTDIR)$(PREFIX)/share/man/man1/tcosim-mpi.1; fi
	install -m 644 scenarios/*.yaml $(DESTDIR)$(PREFIX)/share/tcosim/scenarios/
	install -m 644 plots/*.gp $(DESTDIR)$(PREFIX)/share/tcosim/plots/
	install -m 644 README.md docs/*.md $(DESTDIR)$(PREFIX)/share/doc/tcosim/

install-mpi: $(MPI_PROG)
	@$(MAKE) --no-print-directory install MPI=1

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/tcosim $(DESTDIR)$(PREFIX)/share/man/man1/tcosim.1
	rm -f $(DESTDIR)$(PREFIX)/bin/tcosim-mpi $(DESTDIR)$(PREFIX)/share/man/man1/tcosim-mpi.1
	rm -f $(DESTDIR)$(LIBDIR)/libtcosim.a $(DESTDIR)$(LIBDIR)/pkgconfig/tcosim.pc
	rm -rf $(DESTDIR)$(INCLUDEDIR)/tcosim
	rm -rf $(DESTDIR)$(PREFIX)/share/tcosim $(DESTDIR)$(PREFIX)/share/doc/tcosim

# The sanitizer builds replay the fuzz corpora under their sanitizer; they do
# not fuzz again (FUZZ_CHECK_SECONDS=0).  GCC's "undefined" leaves out
# float-cast-overflow (a NaN or huge double converted to an integer).
asan:
	$(MAKE) BUILD=build-asan PROG=build-asan/tcosim CFLAGS="-O1 -g -fsanitize=address -fno-omit-frame-pointer" \
	    FUZZ_CHECK_SECONDS=0 CHECK_MPI=0 check

ubsan:
	$(MAKE) BUILD=build-ubsan PROG=build-ubsan/tcosim \
	    CFLAGS="-O1 -g -fsanitize=undefined,float-cast-overflow -fno-sanitize-recover=all" \
	    FUZZ_CHECK_SECONDS=0 CHECK_MPI=0 check

valgrind: tcosim
	valgrind --error-exitcode=1 --leak-check=full --suppressions=tests/valgrind.supp ./tcosim run scenarios/baseline.yaml -n 2000 \
	    --threads 1 -q -o $(BUILD)/valgrind-out

clean:
	rm -rf build build-asan build-ubsan build-fuzz tcosim tcosim-mpi out

-include $(LIB_OBJ:.o=.d) $(BUILD)/sim/main.d $(BUILD)/sim/mpi.d $(BUILD)/mpi/sim/mpi.d $(TEST_BIN:=.d) $(REPLAY_BIN:=.d) $(BUILD)/bench/bench.d $(BUILD)/bench/batch.d
