# edgeprune: `make demo` runs the main job on the bundled example, `make test` runs every test.
# Both install what is missing first (npm packages; Debian toolchains when run as root).

SHELL := /bin/bash
.DEFAULT_GOAL := help
NPM_STAMP := node_modules/.edgeprune-npm-stamp
BUILD_STAMP := dist/.build-stamp
TS_SOURCES := $(shell find src hw-sim bench -name '*.ts' 2>/dev/null) tsconfig.json rolldown.config.mjs
# Where the suite's conformance test leaves the C backend's outcomes for the summary printed after it.
CONFORMANCE_C_RESULTS := dist/conformance-c-results.json

.PHONY: help setup toolchains data-sets build test conformance demo demo-int8 demo-fpga bench fuzz clean

help:
	@echo "make demo         edgeprune build: prune the digits CNN under latency/RAM budgets, compile, verify in QEMU"
	@echo "make demo-int8    edgeprune quantize the digits CNN to int8, then verify it bit-exact on a Cortex-M3 (no FPU) in QEMU"
	@echo "make demo-fpga    edgeprune build for an FPGA: prune a digits MLP under cycle and LUT budgets on an iCE40 UP5K, prove it in Verilator, Yosys and nextpnr"
	@echo "make test         run the whole test suite (installs what is missing first)"
	@echo "make setup        install npm packages, Debian toolchains and the benches' data set (Fashion-MNIST), compile the TypeScript"
	@echo "make conformance  run the ONNX operator conformance cases and print the summary"
	@echo "make bench        print the MCU, pruning, sparse-kernel, cost-model, build, compile-scale, hw-sim and start-up figures (about 10 minutes)"
	@echo "make fuzz         the fuzz bench: mutated and crafted hostile models, counts of every outcome (about 30 minutes)"

setup: $(NPM_STAMP) toolchains data-sets $(BUILD_STAMP)

# EDGEPRUNE_SKIP_PREPARE: npm ci would run package.json's `prepare` (tsc and rolldown), and every target that needs
# dist/ compiles it right after (the build stamp, or `test`'s one tsc program over sources and tests): once is enough.
$(NPM_STAMP): package.json package-lock.json
	@echo "setup: installing npm packages from the lockfile (npm ci)"
	@EDGEPRUNE_SKIP_PREPARE=1 ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund --loglevel=error
	@touch $@

toolchains:
	@hw-sim/install-toolchains.sh

data-sets:
	@hw-sim/install-data-sets.sh

$(BUILD_STAMP): $(NPM_STAMP) $(TS_SOURCES)
	@echo "setup: compiling TypeScript (tsc), then bundling the command (rolldown)"
	@npx tsc -p tsconfig.json
	@npx rolldown -c rolldown.config.mjs > /dev/null
	@touch $@

build: $(BUILD_STAMP)

# The sources are type-checked once: when they are compiled already (make build), tsc checks the tests against them;
# otherwise (a fresh clone, changed sources) one tsc program type-checks sources and tests and emits the build's
# JavaScript (the tests' too, into dist/test, unused), instead of the build's program and then the tests' program, which
# checked every source again (session 16, fresh dist/, alternated: 42.5 and 32.0 CPU-s against 60.7, 55.0 and 54.8).
# Measured and not kept: project references (the tests checked against the build's declarations: 53.8 and 48.7 CPU-s,
# the build's declaration output costing most of what the tests' check saves); the build's .tsbuildinfo reused by an
# incremental check of the tests (no gain: 32.8 against 32.7 CPU-s for the tests' check, every source checked again).
# The build's incremental record (dist/.tsbuildinfo) is removed there: it would describe outputs tsc has just rewritten.
# "stale" when the compiled sources are out of date (asked of make when test's recipe starts, after its prerequisites).
BUILD_STALE = $(shell MAKEFLAGS='$(MAKEFLAGS)' $(MAKE) --no-print-directory -q $(BUILD_STAMP) >/dev/null 2>&1 || echo stale)

test: $(NPM_STAMP) toolchains data-sets
	@if [ -z "$(BUILD_STALE)" ]; then \
	  echo "test: type-checking the tests (tsc; the sources are compiled)" && \
	  npx tsc -p tsconfig.test.json; \
	else \
	  echo "test: type-checking sources and tests and compiling the sources (one tsc program), then bundling (rolldown)" && \
	  rm -f dist/.tsbuildinfo && \
	  npx tsc -p tsconfig.test.json --noEmit false && \
	  npx rolldown -c rolldown.config.mjs > /dev/null && \
	  touch $(BUILD_STAMP); \
	fi
	@echo "test: running the test suite (vitest)"
	@rm -f $(CONFORMANCE_C_RESULTS)
	@EDGEPRUNE_DIST_BUILT=1 EDGEPRUNE_CONFORMANCE_C_RESULTS=$(CURDIR)/$(CONFORMANCE_C_RESULTS) npx vitest run
	@echo "test: ONNX conformance summary (the C backend's cases as the suite's conformance test ran them)"
	@node dist/src/conformance/main.js --c-results $(CONFORMANCE_C_RESULTS)

conformance: setup
	@node dist/src/conformance/main.js

DEMO_ARGS := build examples/models/digits-cnn.onnx --data examples/digits/digits.csv.gz --latency-ms 0.5 --ram-kb 5 --out out/demo --force

demo: setup
	@echo "demo: edgeprune build on the bundled digits CNN (examples/models/digits-cnn.onnx, 97.8% test accuracy)."
	@echo "demo: budgets: half its dense latency (--latency-ms 0.5) and 5 KiB of RAM on the default target, an"
	@echo "demo: STM32F405 emulated by QEMU; edgeprune prunes and fine-tunes it until the cost model says it fits,"
	@echo "demo: compiles it to C, and measures the firmware in the emulator."
	@echo "demo: \$$ edgeprune $(DEMO_ARGS)"
	@node bin/edgeprune.js $(DEMO_ARGS)
	@echo
	@echo "demo: done; open out/demo/report.html (budgets, trajectory, layers); the C library is in out/demo/c/"

DEMO_INT8_QUANTIZE := quantize examples/models/digits-cnn.onnx --data examples/digits/digits.csv.gz --out out/demo-int8/digits-cnn-int8.onnx --force
DEMO_INT8_VERIFY := verify out/demo-int8/digits-cnn-int8.onnx --target lm3s6965 --data examples/digits/digits.csv.gz --vectors 20 --float-model examples/models/digits-cnn.onnx

demo-int8: setup
	@echo "demo-int8: post-training int8 quantization of the bundled digits CNN, calibrated on the digits data,"
	@echo "demo-int8: then the int8 C library on an LM3S6965 (Cortex-M3, no FPU) in QEMU: every output must equal"
	@echo "demo-int8: the reference interpreter's bit for bit, and the accuracy is compared with the float model."
	@mkdir -p out/demo-int8
	@echo "demo-int8: \$$ edgeprune $(DEMO_INT8_QUANTIZE)"
	@node bin/edgeprune.js $(DEMO_INT8_QUANTIZE)
	@echo
	@echo "demo-int8: \$$ edgeprune $(DEMO_INT8_VERIFY)"
	@node bin/edgeprune.js $(DEMO_INT8_VERIFY)

DEMO_FPGA_TRAIN := train examples/digits/digits.csv.gz --arch mlp --seed 0 --out out/demo-fpga/digits-mlp.onnx --force
DEMO_FPGA_BUILD := build out/demo-fpga/digits-mlp.onnx --target ice40-up5k --data examples/digits/digits.csv.gz --latency-cycles 2200 --max-luts 3300 --out out/demo-fpga/build --force

demo-fpga: setup
	@echo "demo-fpga: edgeprune build for an FPGA: a digits MLP (64-64-32-10, trained here in seconds) on an iCE40"
	@echo "demo-fpga: UP5K (iCEBreaker), under 2,200 cycles and 3,300 LUTs, which the dense model misses at every reuse"
	@echo "demo-fpga: factor. edgeprune prunes neurons and picks each layer's reuse factor and where the multipliers go,"
	@echo "demo-fpga: quantizes to int8, then proves it: Verilator bit-exact against the interpreter, Yosys, nextpnr"
	@echo "demo-fpga: (placed and routed, Fmax) and icepack (the bitstream). A few minutes."
	@mkdir -p out/demo-fpga
	@echo "demo-fpga: \$$ edgeprune $(DEMO_FPGA_TRAIN)"
	@node bin/edgeprune.js $(DEMO_FPGA_TRAIN)
	@echo
	@echo "demo-fpga: \$$ edgeprune $(DEMO_FPGA_BUILD)"
	@node bin/edgeprune.js $(DEMO_FPGA_BUILD)
	@echo
	@echo "demo-fpga: done; open out/demo-fpga/build/report.html; the RTL project is in out/demo-fpga/build/fpga/ (make there rebuilds the bitstream), the HLS C++ in hls/"

bench: setup
	@echo "bench: MCU figures (MNIST-like CNN on QEMU)"
	@node dist/bench/mcu-mnist.js
	@echo
	@echo "bench: pruning quality on the digits (a few minutes)"
	@node dist/bench/prune-quality.js
	@echo
	@echo "bench: mnist-cnn and ds-cnn trained on 6,000 Fashion-MNIST images, tested on the 10,000 t10k images (a few minutes)"
	@node dist/bench/fashion-mnist.js
	@echo
	@echo "bench: weight-sparse kernels against dense ones (QEMU mps2-an386)"
	@node dist/bench/sparse-kernels.js
	@echo
	@echo "bench: the cost model against QEMU on every target"
	@node dist/bench/cost-model.js
	@echo
	@echo "bench: edgeprune build on every target (half the dense instructions, RAM below the dense arena)"
	@node dist/bench/build-targets.js
	@echo
	@echo "bench: compile time and memory of chains of 2,000 to 20,000 nodes"
	@node dist/bench/compile-scale.js
	@echo
	@echo "bench: hw-sim sessions (spawn under the process guard, QEMU start-up, transfers, timeouts)"
	@node dist/bench/hw-sim-sessions.js
	@echo
	@echo "bench: CPU of starting the command from the bundle against tsc's modules"
	@node dist/bench/cli-start.js

fuzz: setup
	@echo "fuzz: 1,000 mutated and 164 crafted hostile models through inspect and compile (about 30 minutes on 2 cores)"
	@node dist/bench/fuzz.js --mutants 1000 --jobs 2

clean:
	rm -rf dist
