# Thin wrapper over meson + ninja. See README.md.
BUILD      ?= build
TESTBUILD  ?= build-test
MESON      ?= meson
PORT       ?= 8080
CONFIG     ?=

.PHONY: all deps build run test bench docs lint-api clean help

all: build

help:
	@echo "make run    install missing packages, build, start the server with demo data on 127.0.0.1:$(PORT)"
	@echo "make test   install missing packages, build with ASan+UBSan, run every test"
	@echo "make bench  build optimised and run the benchmarks (writes docs/performance.md)"
	@echo "make docs   regenerate docs/dataset.md and docs/openapi.yaml from the dataset table"
	@echo "make clean  remove build directories"

deps:
	@./scripts/install-deps.sh

$(BUILD)/build.ninja:
	$(MESON) setup $(BUILD) --buildtype=release -Db_ndebug=false

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

run: build
	./scripts/run-demo.sh $(BUILD)/mainlevee $(PORT) $(CONFIG)

$(TESTBUILD)/build.ninja:
	$(MESON) setup $(TESTBUILD) --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false

test: deps $(TESTBUILD)/build.ninja
	ninja -C $(TESTBUILD)
	./scripts/run-tests.sh $(TESTBUILD)

bench:
	@./scripts/install-deps.sh --bench
	$(MAKE) build
	./bench/run.sh $(BUILD)

docs: build
	./$(BUILD)/mainlevee docs dataset > docs/dataset.md
	./$(BUILD)/mainlevee docs lifecycle > docs/lifecycle.md
	./$(BUILD)/mainlevee docs openapi docs/openapi.in.yaml > docs/openapi.yaml
	./$(BUILD)/mainlevee config example > mainlevee.example.ini

lint-api:
	cd tools/lint && npm ci --no-audit --no-fund --silent && npx --no-install redocly lint ../../docs/openapi.yaml

clean:
	rm -rf $(BUILD) $(TESTBUILD)
