#!/usr/bin/env bash
# Install the Debian packages edgeprune runs (host gcc, make, cmake, the Arm cross compiler, QEMU, the flash programmers
# openocd and st-flash, redis-server for the job queue; the FPGA tools for the coming FPGA backends), only those
# missing. As root it installs them; otherwise it names them and says what `make test` does without them; with CI set,
# a missing package the tests need fails the setup (nothing may be skipped in CI).
set -euo pipefail

# tool-to-check:debian-package. The tests build and run C on the host and in QEMU with these, and run openocd and
# st-flash (no probe attached) to check edgeprune flash's command lines:
TEST_REQUIRED=(
  "gcc:gcc"
  "libc-headers:libc6-dev"
  "make:make"
  "cmake:cmake"
  "arm-none-eabi-gcc:gcc-arm-none-eabi"
  "newlib:libnewlib-arm-none-eabi"
  "qemu-system-arm:qemu-system-arm"
  "openocd:openocd"
  "st-flash:stlink-tools"
  "redis-server:redis-server"
)
# The FPGA backends (HLS C++, Verilog) will simulate and synthesize with these; no command or test runs them yet.
FPGA_TOOLS=(
  "verilator:verilator"
  "yosys:yosys"
  "nextpnr-ice40:nextpnr-ice40"
  "icepack:fpga-icestorm"
  "iverilog:iverilog"
)

have() {
  case "$1" in
    newlib) command -v arm-none-eabi-gcc >/dev/null 2>&1 && [ -f "$(arm-none-eabi-gcc -print-file-name=libc.a)" ] ;;
    libc-headers) command -v gcc >/dev/null 2>&1 && echo '#include <stdio.h>' | gcc -E -x c - >/dev/null 2>&1 ;;
    *) command -v "$1" >/dev/null 2>&1 ;;
  esac
}

missing_of() {
  local entry
  for entry in "$@"; do
    have "${entry%%:*}" || printf '%s\n' "${entry##*:}"
  done
}

mapfile -t missing_test < <(missing_of "${TEST_REQUIRED[@]}")
mapfile -t missing_fpga < <(missing_of "${FPGA_TOOLS[@]}")
missing=("${missing_test[@]}" "${missing_fpga[@]}")

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "${EUID}" -ne 0 ]; then
  echo "setup: missing Debian packages: ${missing[*]}" >&2
  echo "setup: install them with: sudo apt-get install -y ${missing[*]} (or run make setup as root)" >&2
  if [ ${#missing_test[@]} -gt 0 ]; then
    if [ -n "${CI:-}" ]; then
      echo "setup: CI is set and the tests need ${missing_test[*]}: stopping (in CI no test may be skipped)" >&2
      exit 1
    fi
    echo "setup: without ${missing_test[*]}, make test still runs: the C kernel tests (test/c-kernels/), the Makefile test and the Redis job-queue tests report SKIPPED" >&2
    echo "setup: with the package to install, and every other test that builds or runs C fails with an error naming it" >&2
  fi
  if [ ${#missing_fpga[@]} -gt 0 ]; then
    echo "setup: (${missing_fpga[*]}: for the FPGA backends; no command or test uses them yet)" >&2
  fi
  exit 0
fi

echo "setup: installing Debian packages: ${missing[*]} (apt-get, about a minute)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: Debian packages installed"
