#!/usr/bin/env bash
# Install the Debian toolchains the simulators need (cross compiler, QEMU, Verilator, Yosys, nextpnr),
# only those missing. As root it installs them; otherwise it names the packages to install.
set -euo pipefail

# tool-to-check:debian-package
REQUIRED=(
  "arm-none-eabi-gcc:gcc-arm-none-eabi"
  "newlib:libnewlib-arm-none-eabi"
  "qemu-system-arm:qemu-system-arm"
  "verilator:verilator"
  "yosys:yosys"
  "nextpnr-ice40:nextpnr-ice40"
  "icepack:fpga-icestorm"
  "iverilog:iverilog"
)

have() {
  if [ "$1" = newlib ]; then
    command -v arm-none-eabi-gcc >/dev/null 2>&1 && [ -f "$(arm-none-eabi-gcc -print-file-name=libc.a)" ]
  else
    command -v "$1" >/dev/null 2>&1
  fi
}

missing=()
for entry in "${REQUIRED[@]}"; do
  tool="${entry%%:*}"
  pkg="${entry##*:}"
  have "$tool" || missing+=("$pkg")
done

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "setup: missing Debian packages: ${missing[*]}" >&2
  echo "setup: install them with: sudo apt-get install -y ${missing[*]}" >&2
  echo "setup: (tests that need them will report SKIPPED with the package name)" >&2
  exit 0
fi

echo "setup: installing Debian packages: ${missing[*]} (apt-get, about a minute)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: Debian packages installed"
