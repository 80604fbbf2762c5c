#!/usr/bin/env bash
# One version everywhere: CMakeLists.txt's project(VERSION), sorn-server
# --version, the Python package's __version__, the Node package's version,
# and CHANGELOG.md's newest entry.
#   version_test.sh SOURCE_DIR SORN_SERVER
set -euo pipefail
src=$1 server=$2
want=$(sed -n 's/^project(sorn_server VERSION \([0-9.]*\) .*/\1/p' "$src/CMakeLists.txt")
[ -n "$want" ] || { echo "FAIL: no project(VERSION) in CMakeLists.txt"; exit 1; }
fail=0
check() {  # check WHAT GOT
  if [ "$2" = "$want" ]; then echo "ok: $1 $2"; else echo "FAIL: $1 is '$2', CMakeLists.txt says $want"; fail=1; fi
}
check "sorn-server --version" "$("$server" --version | sed -n 's/^sorn-server \([0-9.]*\) .*/\1/p')"
check "sorn_client.__version__" "$(sed -n 's/^__version__ = "\([0-9.]*\)".*/\1/p' "$src/client/python/sorn_client/__init__.py")"
check "client/python/pyproject.toml" "$(sed -n 's/^version = "\([0-9.]*\)".*/\1/p' "$src/client/python/pyproject.toml")"
check "client/node/package.json" "$(sed -n 's/^  "version": "\([0-9.]*\)".*/\1/p' "$src/client/node/package.json")"
check "CHANGELOG.md's newest entry" "$(sed -n 's/^## \([0-9.]*\) .*/\1/p' "$src/CHANGELOG.md" | head -1)"
[ $fail -eq 0 ] && echo "versions agree: $want"
exit $fail
