# tcosim: plain Makefile.  Flags come from pkg-config; headers are tracked
# with -MMD.  The program depends on the engine (sim/), the engine on the
# cost model (models/), the model on the scenario types only.

PREFIX ?= /usr/local
DESTDIR ?=
CC ?= cc
PKGS = gsl yaml-0.1
WARN = -std=c11 -Wall -Wextra -pedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
       -Wcast-qual -Wwrite-strings -Wformat=2 -Wvla -Wundef -Wno-format-truncation \
       -Wno-format-nonliteral
OPT ?= -O3 -march=x86-64-v2 -fno-math-errno
CFLAGS ?= $(OPT) -g
ALL_CFLAGS = $(WARN) -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -fopenmp -ffp-contract=off \
             -DTCO_PLOTS_DIR='"$(PREFIX)/share/tcosim/plots"' \
             $(CFLAGS) $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lgsl -lgslcblas -lyaml) -lm
BUILD ?= build

LIB_SRC = sim/error.c sim/number.c sim/yamldoc.c sim/dist.c sim/schema.c sim/copula.c sim/scenario.c \
          sim/rng.c sim/sample.c sim/engine.c sim/stats.c sim/output.c sim/outdir.c sim/charts.c \
          sim/report.c sim/converge.c sim/sobolidx.c sim/sensitivity.c sim/sweep.c \
          models/backend.c models/backend_api.c models/backend_selfhost.c models/future.c models/strategy.c
LIB_OBJ = $(LIB_SRC:%.c=$(BUILD)/%.o)
TESTS = check_dist check_backend check_yamldoc check_scenario check_model check_stats check_engine \
        check_charts check_outdir check_sobolidx check_sweep check_sensitivity
TEST_BIN = $(TESTS:%=$(BUILD)/tests/%)

.PHONY: all check bench demo deps install uninstall clean asan ubsan valgrind
all: tcosim

deps:
	@sh tools/deps.sh

tcosim: $(BUILD)/libtcosim.a $(BUILD)/sim/main.o
	$(CC) $(ALL_CFLAGS) -o $@ $(BUILD)/sim/main.o $(BUILD)/libtcosim.a $(LDLIBS)

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

check: deps
	@$(MAKE) --no-print-directory tcosim $(TEST_BIN) CFLAGS="$(CFLAGS) -Werror"
	@sh tests/run_units.sh $(TEST_BIN)
	@sh tests/cli/run.sh ./tcosim
	@sh tests/golden/run.sh ./tcosim

demo: deps
	@$(MAKE) --no-print-directory tcosim
	./tcosim run scenarios/baseline.yaml

bench: deps
	@$(MAKE) --no-print-directory tcosim $(BUILD)/bench/bench
	@sh bench/run.sh

$(BUILD)/bench/bench: bench/bench.c $(BUILD)/libtcosim.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libtcosim.a $(LDLIBS)

install: tcosim
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	    $(DESTDIR)$(PREFIX)/share/tcosim/plots $(DESTDIR)$(PREFIX)/share/tcosim/scenarios
	install -m 755 tcosim $(DESTDIR)$(PREFIX)/bin/tcosim
	install -m 644 man/tcosim.1 $(DESTDIR)$(PREFIX)/share/man/man1/tcosim.1
	install -m 644 scenarios/*.yaml $(DESTDIR)$(PREFIX)/share/tcosim/scenarios/
	install -m 644 plots/*.gp $(DESTDIR)$(PREFIX)/share/tcosim/plots/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/tcosim $(DESTDIR)$(PREFIX)/share/man/man1/tcosim.1
	rm -rf $(DESTDIR)$(PREFIX)/share/tcosim

asan:
	$(MAKE) BUILD=build-asan CFLAGS="-O1 -g -fsanitize=address -fno-omit-frame-pointer" check

ubsan:
	$(MAKE) BUILD=build-ubsan CFLAGS="-O1 -g -fsanitize=undefined -fno-sanitize-recover" check

valgrind: tcosim
	valgrind --error-exitcode=1 --leak-check=full ./tcosim run scenarios/baseline.yaml -n 2000 \
	    --threads 1 -q -o $(BUILD)/valgrind-out

clean:
	rm -rf build build-asan build-ubsan tcosim out

-include $(LIB_OBJ:.o=.d) $(BUILD)/sim/main.d $(TEST_BIN:=.d)
