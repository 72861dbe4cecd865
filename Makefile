# edgeprune: `make demo` runs the main job on the bundled example, `make test` runs every test.
# Both install what is missing first (npm packages; Debian toolchains when run as root).

SHELL := /bin/bash
.DEFAULT_GOAL := help
NPM_STAMP := node_modules/.edgeprune-npm-stamp
BUILD_STAMP := dist/.build-stamp
TS_SOURCES := $(shell find src hw-sim bench -name '*.ts' 2>/dev/null) tsconfig.json
DEMO_MODEL := examples/models/mnist-like-cnn.onnx

.PHONY: help setup toolchains build test conformance demo bench clean

help:
	@echo "make demo         run edgeprune on the bundled example model"
	@echo "make test         run the whole test suite (installs what is missing first)"
	@echo "make setup        install npm packages and Debian toolchains, compile the TypeScript"
	@echo "make conformance  run the ONNX operator conformance cases and print the summary"
	@echo "make bench        print the MCU performance figures (instructions/MAC, arena, flash, verify time)"

setup: $(NPM_STAMP) toolchains $(BUILD_STAMP)

$(NPM_STAMP): package.json package-lock.json
	@echo "setup: installing npm packages from the lockfile (npm ci)"
	@ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund --loglevel=error
	@touch $@

toolchains:
	@hw-sim/install-toolchains.sh

$(BUILD_STAMP): $(NPM_STAMP) $(TS_SOURCES)
	@echo "setup: compiling TypeScript (tsc)"
	@npx tsc -p tsconfig.json
	@touch $@

build: $(BUILD_STAMP)

test: setup
	@echo "test: type-checking sources and tests (tsc)"
	@npx tsc -p tsconfig.test.json
	@echo "test: running the test suite (vitest)"
	@npx vitest run
	@echo "test: ONNX conformance summary"
	@node dist/src/conformance/main.js

conformance: setup
	@node dist/src/conformance/main.js

demo: setup
	@echo "demo: 1/2 inspecting $(DEMO_MODEL)"
	@node bin/edgeprune.js inspect $(DEMO_MODEL)
	@echo
	@echo "demo: 2/2 compiling it to C and verifying the firmware on an emulated Cortex-M4F (QEMU mps2-an386)"
	@node bin/edgeprune.js verify $(DEMO_MODEL) --target mps2-an386 --vectors 5

bench: setup
	@node dist/bench/mcu-mnist.js

clean:
	rm -rf dist
