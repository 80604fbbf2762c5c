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
  libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc zlib1g-dev
  # The server's /metrics endpoint.
  prometheus-cpp-dev
  # Reads the conformance cases' case.json (tests only).
  nlohmann-json3-dev
  # The Python client (client/python) and its tests.
  python3 python3-grpcio python3-protobuf python3-numpy python3-matplotlib
  # The drop-in's progress bars (optional at run time, tested in CI).
  python3-tqdm
  # `pip install ./client/python` into a venv (tests/client/python_package_test.sh).
  python3-pip python3-venv python3-setuptools python3-wheel
  # The tutorial notebook, executed in the tests (examples/notebooks/).
  jupyter-nbconvert python3-nbconvert python3-ipykernel
  python3-pytest
  # The Node.js client (client/node) and its tests.
  nodejs
  # Style: formatting, and function lengths read from libclang's AST
  # (tests/style/function_lengths.py).
  clang-format python3-clang-14
  # Robustness tests: the libFuzzer target and the ThreadSanitizer build
  # (clang and its runtimes); TLS certificates made by the tests (openssl);
  # a real Prometheus scraping the server in the tests.
  clang libclang-rt-14-dev openssl prometheus
  # Deployment tests (tests/deploy): nginx as the Ingress in front of three
  # replicas, and YAML for the compose file and Kubernetes manifests.
  nginx-light python3-yaml
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

export DEBIAN_FRONTEND=noninteractive
if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages already installed"
else
  echo "install-deps: installing ${missing[*]}"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# Some nodejs builds bundle npm, Debian's does not.
if ! command -v npm >/dev/null 2>&1; then
  $SUDO apt-get install -y -qq --no-install-recommends npm
fi

# The Node.js client's packages, exactly as its lockfile records them.
root="$(cd "$(dirname "$0")/.." && pwd)"
if [ ! -d "$root/client/node/node_modules" ] ||
   [ "$root/client/node/package-lock.json" -nt "$root/client/node/node_modules" ]; then
  (cd "$root/client/node" && npm ci --no-audit --no-fund --loglevel=error)
fi
