# The two commands: `make run` and `make test`. Both install missing Debian packages first.
BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZERS    ?=
CONFIG     ?= examples/mangfold.yaml
JOBS       ?= $(shell nproc)
CMAKE_GEN  := -G Ninja

.PHONY: all deps build run test unit asan bench fuzz soak format clean

all: build

deps:
	@scripts/install-deps

$(BUILD)/build.ninja: | deps
	cmake -S . -B $(BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

run: build
	@scripts/dev-secrets var/secrets
	$(BUILD)/mangfold serve --config $(CONFIG)

# Every test in the release build, then the unit tests again under ASan+UBSan.
test: build asan
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

unit: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS) -L unit

$(ASAN_BUILD)/build.ninja: | deps
	cmake -S . -B $(ASAN_BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Debug -DMANGFOLD_SANITIZE=ON

asan: deps $(ASAN_BUILD)/build.ninja
	cmake --build $(ASAN_BUILD) -j $(JOBS) --target unit_tests
	ctest --test-dir $(ASAN_BUILD) --output-on-failure -j $(JOBS) -L unit

# Measured, never asserted: ingest against nginx with wrk, and microbenchmarks (docs/benchmarks.md).
bench:
	@scripts/install-deps --bench
	bench/run

# libFuzzer with clang 14 and ASan+UBSan: every harness in fuzz/ runs FUZZ_SECONDS, one after the
# other, and the corpora in fuzz/corpus/ keep what they found (docs/reliability.md, "Fuzzing").
# FUZZERS="fuzz_ad_scan fuzz_signature" picks some.
fuzz:
	@scripts/install-deps --fuzz
	CXX=clang++-14 cmake -S . -B $(FUZZ_BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCMAKE_CXX_COMPILER=clang++-14 -DMANGFOLD_FUZZ=ON
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzzers
	FUZZ_BUILD=$(FUZZ_BUILD) FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz $(FUZZERS)

# Fault drills against the real binary, about ten minutes, loopback only; not part of
# `make test` (docs/fault-drills.md). Run as root for the disk-full drill's tmpfs.
soak: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS) --target mangfold
	tests/soak/soak.py --binary $(BUILD)/mangfold

format:
	clang-format -i $$(git ls-files '*.cpp' '*.hpp')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
