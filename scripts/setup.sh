#!/usr/bin/env bash
# Installs the Debian packages neurodyn needs to build, run, test and benchmark.
# Idempotent: when every package is already installed it does nothing; otherwise it
# runs `apt-get update` once and installs only the missing ones.
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libgtest-dev libgmock-dev libbenchmark-dev
  libtomlplusplus-dev libhdf5-dev libcli11-dev libfmt-dev libeigen3-dev
  pybind11-dev python3-dev
  python3 python3-numpy python3-h5py python3-matplotlib python3-pytest
  python3-scipy python3-brian python3-pynn python3-neo python3-quantities python3-sklearn
  libopenmpi-dev openmpi-bin python3-torch dataset-fashion-mnist
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
echo "setup: installing ${missing[*]}"
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
