# The two commands: `make run` and `make test`. Both install missing Debian packages first.
# `make package` builds the Debian package; `make package-test` installs it into a clean root.
BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZERS    ?=
PKG_BUILD  ?= build-release
CONFIG     ?= examples/mangfold.yaml
JOBS       ?= $(shell nproc)
CMAKE_GEN  := -G Ninja

.PHONY: all deps build run test unit asan bench fuzz soak package package-test format clean

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
# `make test` (docs/reliability.md, "Fault drills"). Run as root for the disk-full drill's tmpfs.
soak: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS) --target mangfold
	tests/soak/soak.py --binary $(BUILD)/mangfold

# The Release binary as a .deb with runtime dependencies only (docs/deploying.md).
# Debian's hardening flags (dpkg-buildflags: fortify, stack protector, relro) plus bindnow.
package: deps
	cmake -S . -B $(PKG_BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Release \
	  -DCMAKE_CXX_FLAGS="$$(dpkg-buildflags --get CPPFLAGS) $$(dpkg-buildflags --get CXXFLAGS)" \
	  -DCMAKE_EXE_LINKER_FLAGS="$$(dpkg-buildflags --get LDFLAGS) -Wl,-z,now"
	cmake --build $(PKG_BUILD) -j $(JOBS) --target mangfold mangfold_package_changelog
	rm -f $(PKG_BUILD)/mangfold_*.deb
	cd $(PKG_BUILD) && cpack -G DEB
	@ls $(PKG_BUILD)/mangfold_*.deb

# Lintian, the unit, and an install into a clean Debian 12 root (debootstrapped once into build-pkg/).
package-test: package
	@scripts/install-deps --package
	scripts/package-test $$(ls $(PKG_BUILD)/mangfold_*.deb)

format:
	clang-format -i $$(git ls-files '*.cpp' '*.hpp')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
