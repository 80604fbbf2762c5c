#!/usr/bin/env bash
# The Python client as a user installs it: `pip install` of client/python
# into a fresh venv (Debian's grpcio, protobuf, numpy through
# --system-site-packages; no index, no PYTHONPATH), then the client's whole
# test suite against the installed package and a real server.
#   python_package_test.sh SOURCE_DIR SORN_SERVER PYTHON
set -euo pipefail
src=$(realpath "$1")
server=$(realpath "$2")
python=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# A copy, so that the build leaves nothing in the source tree.
cp -r "$src/client/python" "$work/python"
rm -rf "$work/python/build" "$work/python"/*.egg-info
"$python" -m venv --system-site-packages "$work/venv"
SORN_PROTO="$src/proto/sorn/v1/sorn.proto" "$work/venv/bin/pip" install --quiet \
  --no-build-isolation --no-index "$work/python"
cd "$work"
"$work/venv/bin/python" - <<PY
import sorn_client, sorn_client_pb.sorn_pb2
assert sorn_client.__file__.startswith("$work/venv/"), sorn_client.__file__
print("installed", sorn_client.__version__, "at", sorn_client.__file__)
PY
# The repository's tests (they read its golden cases), from a folder without
# sorn_client in it; conftest.py checks that the installed one is imported.
env -u PYTHONPATH SORN_SERVER="$server" PYTHONDONTWRITEBYTECODE=1 MPLCONFIGDIR="$work/mpl" \
  SORN_EXPECT_INSTALLED_IN="$work/venv/" \
  "$work/venv/bin/python" -m pytest -q -p no:cacheprovider "$src/client/python/tests"
echo "python package: installed and its tests pass"
