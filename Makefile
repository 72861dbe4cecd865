# edgeprune: `make demo` runs the main job on the bundled example, `make test` runs every test.
# Both install what is missing first (npm packages; Debian toolchains when run as root).

SHELL := /bin/bash
.DEFAULT_GOAL := help
NPM_STAMP := node_modules/.edgeprune-npm-stamp
BUILD_STAMP := dist/.build-stamp
TS_SOURCES := $(shell find src hw-sim bench -name '*.ts' 2>/dev/null) tsconfig.json

.PHONY: help setup toolchains build test conformance demo bench clean

help:
	@echo "make demo         train, prune, compile and verify a CNN on the bundled digits"
	@echo "make test         run the whole test suite (installs what is missing first)"
	@echo "make setup        install npm packages and Debian toolchains, compile the TypeScript"
	@echo "make conformance  run the ONNX operator conformance cases and print the summary"
	@echo "make bench        print the MCU performance figures and the pruning quality figures"

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
	@mkdir -p out/demo
	@echo "demo: 1/4 training a small CNN on the bundled digits (edgeprune train)"
	@node bin/edgeprune.js train examples/digits/digits.csv.gz --arch cnn --out out/demo/digits-cnn.onnx --force
	@echo
	@echo "demo: 2/4 pruning it progressively: half the MACs (whole filters), then 60% of the weights (edgeprune prune)"
	@node bin/edgeprune.js prune out/demo/digits-cnn.onnx --data examples/digits/digits.csv.gz --structured 0.5 --sparsity 0.6 --out out/demo/digits-cnn-pruned.onnx --force
	@echo
	@echo "demo: 3/4 the pruned model, layer by layer (edgeprune inspect)"
	@node bin/edgeprune.js inspect out/demo/digits-cnn-pruned.onnx
	@echo
	@echo "demo: 4/4 compiling it to C and verifying the firmware on an emulated STM32F405 (edgeprune verify)"
	@node bin/edgeprune.js verify out/demo/digits-cnn-pruned.onnx --target stm32f405 --data examples/digits/digits.csv.gz --vectors 10
	@echo
	@echo "demo: done; the models are in out/demo/"

bench: setup
	@echo "bench: MCU figures (MNIST-like CNN on QEMU)"
	@node dist/bench/mcu-mnist.js
	@echo
	@echo "bench: pruning quality on the digits (a few minutes)"
	@node dist/bench/prune-quality.js

clean:
	rm -rf dist
