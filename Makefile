# The two commands of the README, and a few more.
#   make run     install what is missing, build, create a demo database on first start, serve
#   make test    install what is missing, build with -Werror and ASan+UBSan, run the whole suite
#   make build   a Release (-O2) build in build/
#   make bench   benchmarks (not part of make test)
#   make fuzz    run every fuzz target for FUZZ_SECONDS (default 600) each
#   make format  clang-format every C file
JOBS      ?= $(shell nproc 2>/dev/null || echo 2)
DB        ?= var/noaber.db
LISTEN    ?= 127.0.0.1:8080
PASSWORD  ?= noaber-demo
FUZZ_SECONDS ?= 600

.PHONY: run test build build-test bench fuzz format deps-run deps-test clean check

deps-run:
	@scripts/install-deps run

deps-test:
	@scripts/install-deps test
	@scripts/install-npm

build: deps-run
	@cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DNOABER_TESTS=OFF -DNOABER_BENCH=OFF >/dev/null
	@cmake --build build -j$(JOBS)

run: build
	@mkdir -p $(dir $(DB))
	@if [ ! -f $(DB) ]; then build/noaber demo --db $(DB) --password $(PASSWORD); \
	 else echo "Using the existing database $(DB) (delete it for a fresh demo)."; \
	      echo "Demo accounts (if this database was made by 'make run'): admin@demo.noaber.nl, coordinator@demo.noaber.nl, connector@demo.noaber.nl, partner@demo.noaber.nl, resident@demo.noaber.nl; password: $(PASSWORD)"; fi
	build/noaber serve --db $(DB) --listen $(LISTEN)

build-test: deps-test
	@cmake -S . -B build-test -DCMAKE_BUILD_TYPE=Debug -DNOABER_SANITIZE=ON >/dev/null
	@cmake --build build-test -j$(JOBS)

test: build-test
	@cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DNOABER_TESTS=OFF >/dev/null
	@cmake --build build-release -j$(JOBS)
	cd build-test && ctest -j2 --output-on-failure --timeout 600

bench: deps-test
	@cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DNOABER_TESTS=OFF >/dev/null
	@cmake --build build-bench -j$(JOBS)
	bench/run build-bench

fuzz: deps-test
	FUZZ_SECONDS=$(FUZZ_SECONDS) fuzz/run

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

check:
	cppcheck --quiet --enable=warning,performance,portability --error-exitcode=1 \
	  --inline-suppr -I src src

clean:
	rm -rf build build-test build-release build-bench
