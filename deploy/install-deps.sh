#!/usr/bin/env bash
# Installs every build and test dependency of sorn-server from Debian's packages.
# Idempotent: packages already present are skipped by apt-get. Run as root (or with sudo)
# on Debian 12. README.md, .ci/run and the Dockerfile all call this one script.
set -euo pipefail

PACKAGES=(
  # Toolchain and build.
  build-essential cmake pkg-config git
  # Libraries the engine and its tests link against.
  libeigen3-dev libabsl-dev libgtest-dev libgmock-dev libbenchmark-dev
  # gRPC and Protocol Buffers: the API, the server and the C++ client.
  libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc
  # Reads the conformance cases' case.json (tests only).
  nlohmann-json3-dev
  # Style.
  clang-format
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages already installed"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
