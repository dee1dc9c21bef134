# pgsift: see README.md. `make demo` and `make check` install what is missing first.
PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
MAN1DIR  ?= $(PREFIX)/share/man/man1
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  ?= $(PREFIX)/share/zsh/vendor-completions
CC       ?= cc
CFLAGS   ?= -O2 -g
WARNINGS  = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
            -Wmissing-prototypes -Wformat=2 -Wwrite-strings
PKGS      = libpcre2-8 libzstd zlib jansson libxxhash libarchive
TUI_PKGS  = ncursesw
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
TUI_CFLAGS := $(shell pkg-config --cflags $(TUI_PKGS) 2>/dev/null)
TUI_LIBS   := $(shell pkg-config --libs $(TUI_PKGS) 2>/dev/null)
CHECK_CFLAGS := $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS   := $(shell pkg-config --libs check 2>/dev/null)
# libcsv and libpg_query ship no .pc file on Debian.
LIBS      = -lpg_query $(PKG_LIBS) -lcsv -lpthread -lm
ALL_CFLAGS = -std=gnu11 -D_GNU_SOURCE $(WARNINGS) -Iinclude $(PKG_CFLAGS) $(TUI_CFLAGS) $(CHECK_CFLAGS) -MMD -MP $(CFLAGS)

BUILD    ?= build
# analyzer/ holds one folder per family (see README, Architecture); the CLI's
# main.c is linked into the binary only.
CORE_SRC  = $(filter-out analyzer/cli/%,$(wildcard analyzer/*/*.c)) $(wildcard parsers/*.c)
CLI_SRC   = $(wildcard analyzer/cli/*.c)
CLI_OBJ   = $(CLI_SRC:%.c=$(BUILD)/%.o)
CORE_OBJ  = $(CORE_SRC:%.c=$(BUILD)/%.o)
TUI_SRC   = $(wildcard tui/*.c)
TUI_OBJ   = $(TUI_SRC:%.c=$(BUILD)/%.o)
# The TUI's models (tui/model_*.c) use no curses: the test runner links them.
TUI_MODEL_OBJ = $(patsubst %.c,$(BUILD)/%.o,$(wildcard tui/model_*.c))
TEST_SRC  = $(wildcard tests/check_*.c) tests/testutil.c
TEST_OBJ  = $(TEST_SRC:%.c=$(BUILD)/%.o)
BIN       = pgsift
ifneq ($(BUILD),build)
BIN       = $(BUILD)/pgsift
endif

.PHONY: all deps demo check check-clang test asan bench fuzz fuzz-smoke fuzz-lib fuzz-regress \
        install uninstall clean schema-check
all: $(BIN)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/libpgsift.a: $(CORE_OBJ)
	$(AR) rcs $@ $^

# The TUI is linked into the binary only; the library and its tests never
# see curses.
$(BIN): $(CLI_OBJ) $(TUI_OBJ) $(BUILD)/libpgsift.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(TUI_LIBS) $(LIBS)

$(BUILD)/check_pgsift: $(TEST_OBJ) $(TUI_MODEL_OBJ) $(BUILD)/libpgsift.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(CHECK_LIBS) $(LIBS)

deps:
	@sh .ci/deps

demo: deps
	@$(MAKE) --no-print-directory all
	./$(BIN) report $(filter-out %.md,$(wildcard samples/*))

# Unit tests, writer golden files, and end-to-end runs of the binary on
# samples/ and on the logs of a real server started by the tests. Every
# JSON report the tests' runs of the binary write is kept in the spool
# (tests/testutil.h, tu_spool_begin) and then checked against the
# report's JSON Schema, with the writer's golden files (schema-check).
SCHEMA_SPOOL = $(BUILD)/schema-spool
test: $(BIN) $(BUILD)/check_pgsift
	rm -rf $(SCHEMA_SPOOL)
	PGSIFT_SCHEMA_SPOOL=$(abspath $(SCHEMA_SPOOL)) PGSIFT_BIN=$(abspath $(BIN)) \
	  PGSIFT_ROOT=$(CURDIR) $(BUILD)/check_pgsift
	@$(MAKE) --no-print-directory schema-check

schema-check:
	python3 tests/schema_check.py doc/report.schema.json \
	  $(wildcard $(SCHEMA_SPOOL)) tests/golden/full.json tests/golden/report.json

check: deps
	@$(MAKE) --no-print-directory test

asan:
	$(MAKE) --no-print-directory BUILD=build-asan \
	  CFLAGS="-O1 -g -fsanitize=address,undefined,float-cast-overflow -fno-sanitize-recover=all -fno-omit-frame-pointer" \
	  LDFLAGS="-fsanitize=address,undefined" test

bench: deps $(BIN)
	sh tests/bench.sh $(abspath $(BIN))

# libFuzzer (clang's, under ASan and UBSan, float-cast-overflow included)
# on the core: every parser through the driver (parse), the whole analysis
# and every writer (analysis), the normalizer and fingerprint (normalize),
# both plan readers and the plan-to-JSON writer (plan), the prefix
# compiler and matchers (prefix), the saved report's loader (report_load),
# the state reader (state), and the hand-written replacements for
# libraries, each against the library it replaces: the jsonlog scanner
# (jsonlog), the csvlog line split (csvlog), the JSON writer (json_emit).
# Each harness (tests/fuzz/fuzz_TARGET.c) says what it checks. The core
# is built apart with the sanitizers (build/fuzz/obj). Seeds are the
# project's real test data (tests/fuzz/seed.sh). FUZZ_TIME bounds each
# target's run in seconds (FUZZ_SECONDS, its older name, still works);
# FUZZ_TARGETS picks some; FUZZ_FLAGS adds libFuzzer options (-jobs=2...).
# A crash is written to build/fuzz/crash-TARGET-*. `make fuzz-smoke` runs
# each for 20 seconds (CI); `make fuzz-regress` replays the reproducers
# kept in tests/fuzz/regress/TARGET/ (each a crash found, now fixed).
FUZZ_SECONDS ?= 600
FUZZ_TIME    ?= $(FUZZ_SECONDS)
FUZZ_TARGETS ?= parse analysis normalize plan prefix report_load state jsonlog csvlog json_emit
FUZZ_FLAGS   ?=
FUZZ_SAN  = -fsanitize=address,undefined,float-cast-overflow -fno-sanitize-recover=all
FUZZ_CC   = clang -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror -O1 -g -fno-omit-frame-pointer -Iinclude $(PKG_CFLAGS)
FUZZ_LIB  = build/fuzz/obj/libpgsift.a
# Longest input per target (libFuzzer's -max_len) and its dictionary.
FUZZ_LEN_parse = 16384
FUZZ_LEN_analysis = 16384
FUZZ_LEN_normalize = 4096
FUZZ_LEN_plan = 16384
FUZZ_LEN_prefix = 4096
FUZZ_LEN_report_load = 16384
FUZZ_LEN_state = 65536
FUZZ_LEN_jsonlog = 4096
FUZZ_LEN_csvlog = 4096
FUZZ_LEN_json_emit = 4096
FUZZ_DICT_jsonlog = -dict=tests/fuzz/jsonlog.dict
FUZZ_DICT_csvlog = -dict=tests/fuzz/csvlog.dict
FUZZ_DICT_report_load = -dict=tests/fuzz/report_load.dict
FUZZ_DICT_plan = -dict=tests/fuzz/plan.dict
FUZZ_DICT_normalize = -dict=tests/fuzz/sql.dict
FUZZ_DICT_analysis = -dict=tests/fuzz/sql.dict
FUZZ_DICT_prefix = -dict=tests/fuzz/prefix.dict

fuzz: $(FUZZ_TARGETS:%=fuzz-%)

fuzz-smoke:
	@$(MAKE) --no-print-directory fuzz FUZZ_TIME=20

fuzz-lib:
	@$(MAKE) --no-print-directory BUILD=build/fuzz/obj CC=clang WARNINGS= \
	  CFLAGS="-O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link $(FUZZ_SAN)" \
	  $(FUZZ_LIB)

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c fuzz-lib
	@mkdir -p build/fuzz
	$(FUZZ_CC) -fsanitize=fuzzer $(FUZZ_SAN) -o $@ $< $(FUZZ_LIB) $(LIBS)

# Kept between runs (make would delete them as intermediate files).
.PRECIOUS: build/fuzz/fuzz_% build/fuzz/corpus-%

# The state seeds are states saved by the release binary.
build/fuzz/corpus-%: $(BIN)
	sh tests/fuzz/seed.sh $* $@ $(abspath $(BIN))

fuzz-%: build/fuzz/fuzz_% build/fuzz/corpus-%
	build/fuzz/fuzz_$* -max_total_time=$(FUZZ_TIME) -print_final_stats=1 -timeout=30 \
	  -max_len=$(FUZZ_LEN_$*) $(FUZZ_DICT_$*) -artifact_prefix=build/fuzz/crash-$*- \
	  $(FUZZ_FLAGS) build/fuzz/corpus-$*

# Each reproducer of tests/fuzz/regress/TARGET/ run once (libFuzzer runs
# the files it is given, without fuzzing).
fuzz-regress:
	@for t in $(FUZZ_TARGETS); do \
	  [ -n "$$(ls tests/fuzz/regress/$$t 2>/dev/null)" ] || continue; \
	  $(MAKE) --no-print-directory build/fuzz/fuzz_$$t || exit 1; \
	  echo "fuzz-regress: $$t: $$(ls tests/fuzz/regress/$$t | wc -l) reproducers"; \
	  build/fuzz/fuzz_$$t -timeout=30 tests/fuzz/regress/$$t/* 2>build/fuzz/regress-$$t.log || \
	    { tail -40 build/fuzz/regress-$$t.log; exit 1; }; \
	done

# The same build and tests with clang (CI builds with both compilers).
check-clang: deps
	@$(MAKE) --no-print-directory CC=clang BUILD=build-clang test

# The binary, its man page and its bash and zsh completions (doc/).
install: $(BIN)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MAN1DIR) \
	  $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR)
	install -m 755 $(BIN) $(DESTDIR)$(BINDIR)/pgsift
	install -m 644 doc/pgsift.1 $(DESTDIR)$(MAN1DIR)/pgsift.1
	install -m 644 doc/completion/pgsift.bash $(DESTDIR)$(BASHCOMPDIR)/pgsift
	install -m 644 doc/completion/_pgsift $(DESTDIR)$(ZSHCOMPDIR)/_pgsift

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/pgsift $(DESTDIR)$(MAN1DIR)/pgsift.1 \
	  $(DESTDIR)$(BASHCOMPDIR)/pgsift $(DESTDIR)$(ZSHCOMPDIR)/_pgsift

clean:
	rm -rf build build-asan build-clang pgsift

-include $(CORE_OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(TUI_OBJ:.o=.d) $(CLI_OBJ:.o=.d)
