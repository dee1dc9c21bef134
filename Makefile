# pgsift: see README.md. `make demo` and `make check` install what is missing first.
PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
CC       ?= cc
CFLAGS   ?= -O2 -g
WARNINGS  = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
            -Wmissing-prototypes -Wformat=2 -Wwrite-strings
PKGS      = libpcre2-8 libzstd zlib jansson libxxhash
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

.PHONY: all deps demo check test asan bench fuzz install uninstall clean
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
	  CFLAGS="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
	  LDFLAGS="-fsanitize=address,undefined" test

bench: deps $(BIN)
	sh tests/bench.sh $(abspath $(BIN))

# libFuzzer on the jsonlog scanner (needs clang; nothing else depends on
# it). FUZZ_SECONDS bounds the run; the seeds are real server lines.
FUZZ_SECONDS ?= 120
fuzz:
	mkdir -p build/fuzz/corpus
	clang -std=gnu11 -D_GNU_SOURCE -O1 -g -Iinclude $(PKG_CFLAGS) \
	  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	  -o build/fuzz/fuzz_jsonlog tests/fuzz/fuzz_jsonlog.c parsers/jsonlog_scan.c \
	  analyzer/base/jstr.c analyzer/base/util.c $(PKG_LIBS)
	zstd -dcq tests/data/forms/postgresql.json.zst | awk 'NR % 400 == 1 || /\\/' | head -300 | \
	  split -l 1 - build/fuzz/corpus/seed-
	build/fuzz/fuzz_jsonlog -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
	  -dict=tests/fuzz/jsonlog.dict build/fuzz/corpus

install: $(BIN)
	install -d $(DESTDIR)$(BINDIR)
	install -m 755 $(BIN) $(DESTDIR)$(BINDIR)/pgsift

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/pgsift

clean:
	rm -rf build build-asan pgsift

-include $(CORE_OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(TUI_OBJ:.o=.d) $(CLI_OBJ:.o=.d)
