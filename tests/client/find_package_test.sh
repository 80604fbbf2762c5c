#!/usr/bin/env bash
# `cmake --install` of the build into a fresh prefix, then a separate project
# (find_package_project/) that finds the client with find_package, built and
# run against a real server from that prefix.
#   find_package_test.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src=$(realpath "$1")
build=$(realpath "$2")
work=$(mktemp -d)
pid=
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" > "$work/install.log"
for f in bin/sorn-server bin/sornctl include/client/cpp/sorn_client.h \
         include/sorn/v1/sorn.grpc.pb.h lib/cmake/SornClient/SornClientConfig.cmake \
         share/sorn/proto/sorn/v1/sorn.proto; do
  [ -e "$work/prefix/$f" ] || { echo "FAIL: $f was not installed"; exit 1; }
done
cmake -S "$src/tests/client/find_package_project" -B "$work/user" \
  -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_BUILD_TYPE=Release > "$work/configure.log"
cmake --build "$work/user" -j2 > "$work/build.log" || { cat "$work/build.log"; exit 1; }
"$work/prefix/bin/sorn-server" --port=0 --log_rpcs=false > "$work/server.out" &
pid=$!
for _ in $(seq 100); do grep -q "listening on" "$work/server.out" && break; sleep 0.05; done
port=$(sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' "$work/server.out")
out=$("$work/user/user" "127.0.0.1:$port")
echo "$out"
[ "$out" = "installed client: ne 200, 300 steps, step 301" ]
echo "find_package: the installed client works"
