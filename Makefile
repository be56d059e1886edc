# levee: the front door. `make run` and `make test` are the two set-up commands.
.PHONY: all deps build build-debug test run bench fuzz format lint clean

JOBS ?= $(shell nproc)

all: build

deps:
	@bash scripts/deps.sh

build: deps
	cmake --preset release >/dev/null
	cmake --build --preset release -j $(JOBS)

build-debug: deps
	cmake --preset debug >/dev/null
	cmake --build --preset debug -j $(JOBS)

# Unit, integration and fuzz-corpus replay tests, under ASan + UBSan; then the
# development-set score on the release build.
test: build-debug build
	ctest --preset debug
	/usr/bin/python3 tests/integration/score_gate.py build/levee

# levee serve with the demo data in ./levee-data (scripts/run-demo.sh; README "The demo").
run: build
	@bash scripts/run-demo.sh

bench: build
	@bash bench/run.sh

# Runs each libFuzzer target for FUZZ_SECONDS (default 600) on the debug build.
fuzz: build-debug
	@bash scripts/fuzz.sh $(FUZZ_SECONDS)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

lint: build-debug
	clang-tidy -p build-debug --quiet $$(git ls-files 'src/*.c')

clean:
	rm -rf build build-debug
