#!/usr/bin/env bash
# Install the data sets the benches train on when missing: Fashion-MNIST (Debian's dataset-fashion-mnist, MIT; the four
# IDX files in /usr/share/datasets/fashion-mnist) for bench/fashion-mnist.ts. As root it installs the package; otherwise
# it names it and says what the bench does without it. No test needs a data set, so nothing here fails the setup.
# FASHION_MNIST_DIR overrides where the files are looked for (the setup test points it at a folder of its own).
set -euo pipefail

dir="${FASHION_MNIST_DIR:-/usr/share/datasets/fashion-mnist}"
for f in train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz; do
  [ -f "${dir}/${f}" ] || { missing=1; break; }
done
[ -z "${missing:-}" ] && exit 0

if [ "${EUID}" -ne 0 ]; then
  echo "setup: missing Debian package: dataset-fashion-mnist (Fashion-MNIST, for bench/fashion-mnist.ts, which exits 2 without it; no test uses it)" >&2
  echo "setup: install it with: sudo apt-get install -y dataset-fashion-mnist (or run make setup as root)" >&2
  exit 0
fi

echo "setup: installing Debian package: dataset-fashion-mnist (Fashion-MNIST for the benches, 30 MB, apt-get)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends dataset-fashion-mnist >/dev/null
echo "setup: dataset-fashion-mnist installed"
