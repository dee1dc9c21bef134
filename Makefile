# pgsift: see README.md. `make demo` and `make check` install what is missing first.
PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
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

.PHONY: all deps demo check test asan bench fuzz fuzz-jsonlog fuzz-csvlog fuzz-json_emit \
        fuzz-report_load fuzz-state install uninstall clean
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
# samples/ and on the logs of a real server started by the tests.
test: $(BIN) $(BUILD)/check_pgsift
	PGSIFT_BIN=$(abspath $(BIN)) PGSIFT_ROOT=$(CURDIR) $(BUILD)/check_pgsift

check: deps
	@$(MAKE) --no-print-directory test

asan:
	$(MAKE) --no-print-directory BUILD=build-asan \
	  CFLAGS="-O1 -g -fsanitize=address,undefined,float-cast-overflow -fno-sanitize-recover=all -fno-omit-frame-pointer" \
	  LDFLAGS="-fsanitize=address,undefined" test

bench: deps $(BIN)
	sh tests/bench.sh $(abspath $(BIN))

# libFuzzer on the four hand-written replacements for libraries, each
# against the library it replaces (needs clang and python3; nothing else
# depends on it): the jsonlog scanner (jansson), the csvlog line split
# (libcsv), the saved report's scanner (the jansson loader) and the JSON
# writer (json_dumps). FUZZ_SECONDS bounds each target's run: 30, two
# minutes in all; FUZZ_TARGETS picks some. Seeds are real server output:
# the test logs' lines and the writer goldens (tests/fuzz/seeds.py). The
# report scanner links the core, built apart with the sanitizers; so does
# the state reader (fuzz_state.c: whole state files and their payloads,
# seeded with real states by tests/fuzz/state_seeds.sh).
FUZZ_SECONDS ?= 30
FUZZ_TARGETS ?= jsonlog csvlog report_load json_emit state
FUZZ_CC   = clang -std=gnu11 -D_GNU_SOURCE -O1 -g -Iinclude $(PKG_CFLAGS)
FUZZ_SAN  = -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_RUN  = -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1
FUZZ_BASE = analyzer/base/util.c analyzer/base/strbuf.c
fuzz:
	mkdir -p build/fuzz
	@for t in $(FUZZ_TARGETS); do $(MAKE) --no-print-directory fuzz-$$t || exit 1; done

fuzz-jsonlog:
	mkdir -p build/fuzz/corpus-jsonlog
	$(FUZZ_CC) -fsanitize=fuzzer $(FUZZ_SAN) -o build/fuzz/fuzz_jsonlog \
	  tests/fuzz/fuzz_jsonlog.c parsers/jsonlog_scan.c analyzer/base/jstr.c \
	  analyzer/base/util.c $(PKG_LIBS)
	zstd -dcq tests/data/forms/postgresql.json.zst | awk 'NR % 400 == 1 || /\\/' | head -300 | \
	  split -l 1 - build/fuzz/corpus-jsonlog/seed-
	build/fuzz/fuzz_jsonlog $(FUZZ_RUN) -max_len=4096 \
	  -dict=tests/fuzz/jsonlog.dict build/fuzz/corpus-jsonlog

fuzz-csvlog:
	mkdir -p build/fuzz/corpus-csvlog
	$(FUZZ_CC) -fsanitize=fuzzer $(FUZZ_SAN) -o build/fuzz/fuzz_csvlog \
	  tests/fuzz/fuzz_csvlog.c parsers/csvlog_split.c analyzer/base/util.c -lcsv
	zstd -dcq tests/data/forms/postgresql.csv.zst | awk 'NR % 200 == 1 || /""/' | head -300 | \
	  split -l 1 - build/fuzz/corpus-csvlog/seed-
	build/fuzz/fuzz_csvlog $(FUZZ_RUN) -max_len=4096 \
	  -dict=tests/fuzz/csvlog.dict build/fuzz/corpus-csvlog

fuzz-json_emit:
	$(FUZZ_CC) -fsanitize=fuzzer $(FUZZ_SAN) -o build/fuzz/fuzz_json_emit \
	  tests/fuzz/fuzz_json_emit.c analyzer/output/json_emit.c $(FUZZ_BASE) $(PKG_LIBS) -lm
	python3 tests/fuzz/seeds.py json_emit build/fuzz/corpus-json_emit
	build/fuzz/fuzz_json_emit $(FUZZ_RUN) -max_len=4096 build/fuzz/corpus-json_emit

fuzz-report_load:
	$(MAKE) --no-print-directory BUILD=build/fuzz/obj CC=clang WARNINGS= \
	  CFLAGS="-O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all" \
	  build/fuzz/obj/libpgsift.a
	$(FUZZ_CC) -fsanitize=fuzzer $(FUZZ_SAN) -o build/fuzz/fuzz_report_load \
	  tests/fuzz/fuzz_report_load.c build/fuzz/obj/libpgsift.a $(LIBS)
	python3 tests/fuzz/seeds.py report_load build/fuzz/corpus-report_load
	build/fuzz/fuzz_report_load $(FUZZ_RUN) -max_len=16384 \
	  -dict=tests/fuzz/report_load.dict build/fuzz/corpus-report_load

fuzz-state: $(BIN)
	$(MAKE) --no-print-directory BUILD=build/fuzz/obj CC=clang WARNINGS= \
	  CFLAGS="-O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all" \
	  build/fuzz/obj/libpgsift.a
	$(FUZZ_CC) -fsanitize=fuzzer $(FUZZ_SAN) -o build/fuzz/fuzz_state \
	  tests/fuzz/fuzz_state.c build/fuzz/obj/libpgsift.a $(LIBS)
	sh tests/fuzz/state_seeds.sh $(abspath $(BIN)) build/fuzz/corpus-state
	build/fuzz/fuzz_state $(FUZZ_RUN) -max_len=65536 build/fuzz/corpus-state

install: $(BIN)
	install -d $(DESTDIR)$(BINDIR)
	install -m 755 $(BIN) $(DESTDIR)$(BINDIR)/pgsift

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/pgsift

clean:
	rm -rf build build-asan pgsift

-include $(CORE_OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(TUI_OBJ:.o=.d) $(CLI_OBJ:.o=.d)
