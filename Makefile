# escgate: build, test and benchmark.
#   make               build ./escgate
#   make check         every test; ends with "N passed, N failed"
#   make check SANITIZE=1   the same, built with AddressSanitizer (and
#                      LeakSanitizer) + UBSan, into build/sanitize
#   make check-valgrind     the end-to-end scripts with escgate under valgrind
#   make fuzz          each libFuzzer target for FUZZ_SECONDS (needs clang)

CC ?= cc
PKGS := libgit2 libcjson sqlite3
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
ifeq ($(PKG_LIBS),)
$(error pkg-config cannot find $(PKGS): install libgit2-dev libcjson-dev libsqlite3-dev pkg-config)
endif

CFLAGS ?= -O2 -g
WARNINGS := -std=c11 -Wall -Wextra -Wpedantic -Wno-missing-field-initializers \
	-Wstrict-prototypes -Wformat=2 -Wvla
override CPPFLAGS += -D_GNU_SOURCE -pthread -I. $(PKG_CFLAGS) -MMD -MP
override LDLIBS += $(PKG_LIBS) -pthread

BUILD := build
ifeq ($(SANITIZE),1)
BUILD := build/sanitize
override CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
override LDFLAGS += -fsanitize=address,undefined
endif

# Sanitizer reports go to files, which tests/run.sh counts as failures: a
# report fails the suite even when the test behind it looked only at an
# exit status, and the status they exit with (86) is none of escgate's.
ifeq ($(SANITIZE),1)
SAN_LOGS := $(abspath $(BUILD))/sanitizer-logs
CHECK_ENV := ESCGATE_SANITIZER_LOGS=$(SAN_LOGS) \
	ASAN_OPTIONS=detect_leaks=1:exitcode=86:log_path=$(SAN_LOGS)/asan \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=86:log_path=$(SAN_LOGS)/ubsan
endif

LIB_SRC := $(wildcard core/*.c core/report/*.c store/*.c)
CMD_SRC := $(wildcard cmd/*.c)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
CMD_OBJ := $(CMD_SRC:%.c=$(BUILD)/%.o)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
# Each fuzz target also runs, without libFuzzer, over its committed corpus.
FUZZ_TARGETS := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
REPLAY_BIN := $(FUZZ_TARGETS:%=$(BUILD)/tests/fuzz-corpus-%)
LIB := $(BUILD)/libescgate.a
BIN := $(if $(filter 1,$(SANITIZE)),$(BUILD)/escgate,escgate)

.PHONY: all check unit e2e check-valgrind fuzz san-logs clean
all: $(BIN)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(WARNINGS) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

# escgate links libgit2, SQLite and what they call from the static archives
# their -dev packages ship: fewer shared objects to map and relocate at
# every start (ldd lists 5, not 22; exec to main went from about 8 ms to
# 3.5-4.5 ms here, which every pre-push hook or one-package gate pays).
# What libgit2 sets up for talking to servers, which escgate never does,
# is put off until it is used (cmd/link/): the GSSAPI functions its archive
# calls (Debian's libgit2.pc leaves that library out) are loaded on first
# use, and the CA bundle it parses at start is read before the first TLS
# handshake. The seven Kerberos libraries took 1.1 ms of every start, the
# bundle 7 ms. Where that does not link, or with STATIC_DEPS=0, the
# shared libraries, as everything else.
STATIC_DEPS ?= 1
GSS_LAZY := $(BUILD)/cmd/link/gss_lazy.o
CA_LAZY := $(BUILD)/cmd/link/ca_lazy.o
LINK_LAZY := $(GSS_LAZY) $(CA_LAZY)
CA_LAZY_WRAPS := -Wl,--wrap=mbedtls_x509_crt_parse_file,--wrap=mbedtls_x509_crt_parse_path \
	-Wl,--wrap=mbedtls_x509_crt_free,--wrap=mbedtls_ssl_handshake
STATIC_LDLIBS = $(CA_LAZY_WRAPS) -Wl,-Bstatic $(filter-out -lm -ldl -lrt -lpthread -lc,\
	$(shell pkg-config --static --libs-only-l libgit2 libssh2 sqlite3)) -Wl,-Bdynamic \
	$(shell pkg-config --libs libcjson) -lm -ldl -lrt -pthread

$(BIN): $(CMD_OBJ) $(LIB) $(if $(filter 1,$(STATIC_DEPS)$(SANITIZE)),$(LINK_LAZY))
ifeq ($(STATIC_DEPS)$(SANITIZE),1)
	@mkdir -p $(BUILD) && rm -f $(BUILD)/static-link.failed
	$(CC) $(LDFLAGS) -o $@ $(CMD_OBJ) $(LINK_LAZY) $(LIB) $(STATIC_LDLIBS) 2>$(BUILD)/static-link.log || \
		{ touch $(BUILD)/static-link.failed; $(CC) $(LDFLAGS) -o $@ $(CMD_OBJ) $(LIB) $(LDLIBS); }
	@[ ! -e $(BUILD)/static-link.failed ] || \
		echo "note: the static archives did not link ($(BUILD)/static-link.log): shared libraries used"
else
	$(CC) $(LDFLAGS) -o $@ $(CMD_OBJ) $(LIB) $(LDLIBS)
endif

$(BUILD)/tests/%: tests/unit/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(WARNINGS) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

# linked as the static escgate is, with the shim and without libgit2 (which loads Kerberos)
$(BUILD)/tests/test_gss_lazy: tests/unit/test_gss_lazy.c $(GSS_LAZY)
	@mkdir -p $(dir $@)
	$(CC) $(WARNINGS) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(GSS_LAZY) -ldl -pthread

$(BUILD)/tests/test_ca_lazy: tests/unit/test_ca_lazy.c $(CA_LAZY)
	@mkdir -p $(dir $@)
	$(CC) $(WARNINGS) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(CA_LAZY) \
		$(CA_LAZY_WRAPS) -lmbedtls -lmbedx509 -lmbedcrypto -pthread

$(BUILD)/tests/fuzz-corpus-%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c tests/fuzz/fuzz.h $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(WARNINGS) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) '-DFUZZ_TARGET="$*"' \
		'-DFUZZ_CORPUS="$(abspath tests/fuzz/corpus/$*)"' -o $@ \
		tests/fuzz/fuzz_$*.c tests/fuzz/replay.c $(LIB) $(LDLIBS)

# Fresh sanitizer logs for each run (SANITIZE=1 only).
san-logs:
	@$(if $(SAN_LOGS),rm -rf $(SAN_LOGS) && mkdir -p $(SAN_LOGS),:)

# measure (bench/measure.c) gives the end-to-end tests escgate's own peak
# memory, without the compiler's.
E2E_ENV = ESCGATE=$(abspath $(BIN)) ESCGATE_MEASURE=$(abspath build/bench/measure)

# Unit suites first (fast), then the end-to-end scripts (real git, real go).
check: $(BIN) $(UNIT_BIN) $(REPLAY_BIN) build/bench/measure san-logs
	@$(CHECK_ENV) $(E2E_ENV) tests/run.sh $(UNIT_BIN) $(REPLAY_BIN) -- \
		$(sort $(wildcard tests/e2e/t_*.sh))

unit: $(UNIT_BIN) $(REPLAY_BIN) san-logs
	@$(CHECK_ENV) tests/run.sh $(UNIT_BIN) $(REPLAY_BIN)

e2e: $(BIN) build/bench/measure san-logs
	@$(CHECK_ENV) $(E2E_ENV) tests/run.sh -- $(sort $(wildcard tests/e2e/t_*.sh))

# The end-to-end scripts with every escgate run under valgrind (memcheck,
# leaks; tests/valgrind/). Not with SANITIZE=1: valgrind cannot run ASan code.
# VALGRIND_E2E picks the scripts (CI runs a few: valgrind is slow).
VG_LOGS := $(abspath build)/valgrind-logs
VALGRIND_E2E ?= $(sort $(wildcard tests/e2e/t_*.sh))
# The wrapper is linked as build/valgrind/escgate: hooks find escgate by name.
check-valgrind: escgate
	@rm -rf $(VG_LOGS) && mkdir -p $(VG_LOGS) build/valgrind
	@ln -sf $(abspath tests/valgrind/escgate-vg) build/valgrind/escgate
	@ESCGATE_VG_BIN=$(abspath escgate) ESCGATE_SANITIZER_LOGS=$(VG_LOGS) ESCGATE_E2E_SLOW=1 \
		ESCGATE=$(abspath build/valgrind/escgate) tests/run.sh -- $(VALGRIND_E2E)

# libFuzzer targets (tests/fuzz/), built with clang into build/fuzz and run
# for FUZZ_SECONDS each from the committed corpus.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 20
FUZZ_BUILD := build/fuzz
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_LIB_OBJ := $(LIB_SRC:%.c=$(FUZZ_BUILD)/%.o)

$(FUZZ_BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(WARNINGS) $(CPPFLAGS) -g -O1 $(FUZZ_SAN) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_BUILD)/libescgate.a: $(FUZZ_LIB_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FUZZ_BUILD)/libescgate.a
	$(FUZZ_CC) $(WARNINGS) $(CPPFLAGS) -g -O1 $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $< \
		$(FUZZ_BUILD)/libescgate.a $(LDLIBS)

fuzz: $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/fuzz_%)
	@FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_TARGETS)

clean:
	rm -rf build escgate

-include $(LIB_OBJ:.o=.d) $(CMD_OBJ:.o=.d) $(LINK_LAZY:.o=.d) $(UNIT_BIN:%=%.d) $(FUZZ_LIB_OBJ:.o=.d)

# make bench: the benchmark (bench/bench.py, not part of check): a generated
# 200-package repository, escgate against the script a user would write,
# PASS/MISS per target. 10 to 15 minutes on two cores; a quick run:
#   make bench BENCH_PACKAGES=20 BENCH_RUNS=1
BENCH_TOOLS := build/bench/measure build/bench/gowrap
.PHONY: bench
bench: $(BIN) $(BENCH_TOOLS)
	ESCGATE=$(abspath $(BIN)) python3 bench/bench.py

build/bench/%: bench/%.c
	@mkdir -p $(dir $@)
	$(CC) $(WARNINGS) -D_GNU_SOURCE $(CFLAGS) -o $@ $<

# gowrap stands in for go, itself a static binary: linked statically, it
# starts 0.3 ms sooner than with the dynamic loader, time the benchmark
# would otherwise count as escgate's before every go command
build/bench/gowrap: bench/gowrap.c
	@mkdir -p $(dir $@)
	$(CC) $(WARNINGS) -D_GNU_SOURCE $(CFLAGS) -static -o $@ $< 2>/dev/null || \
	    $(CC) $(WARNINGS) -D_GNU_SOURCE $(CFLAGS) -o $@ $<
