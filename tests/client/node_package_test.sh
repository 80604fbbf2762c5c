#!/usr/bin/env bash
# The Node.js client as a user installs it: `npm pack` of client/node, the
# tarball installed into an empty project (its dependencies from npm's
# registry or cache), and that project calling a real server.
#   node_package_test.sh SOURCE_DIR SORN_SERVER
set -euo pipefail
src=$(realpath "$1")
server=$(realpath "$2")
work=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
pid=
(cd "$src/client/node" && npm pack --silent --pack-destination "$work" > "$work/packed")
tarball="$work/$(tail -1 "$work/packed")"
echo "packed $(basename "$tarball")"
contents=$(tar -tzf "$tarball")
for wanted in package/package.json package/src/client.js package/proto/sorn/v1/sorn.proto \
              package/README.md; do
  grep -qx "$wanted" <<<"$contents" || { echo "FAIL: $wanted is not in the tarball"; exit 1; }
done
if grep -q "^package/test/\|^package/node_modules/" <<<"$contents"; then
  echo "FAIL: the tarball carries tests or node_modules"; exit 1
fi
grep -q '"private"' <(tar -xzOf "$tarball" package/package.json) && { echo "FAIL: private"; exit 1; }
mkdir "$work/app"
cd "$work/app"
npm init -y > /dev/null
npm install "$tarball" --no-audit --no-fund --prefer-offline --loglevel=error
"$server" --port=0 --log_rpcs=false > "$work/server.out" &
pid=$!
for _ in $(seq 100); do grep -q "listening on" "$work/server.out" && break; sleep 0.05; done
port=$(sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' "$work/server.out")
cat > app.js <<'JS'
const { SornClient } = require('sorn-client');
(async () => {
  const client = new SornClient(`127.0.0.1:${process.argv[2]}`);
  const info = await client.createSession('app', {}, { seed: 1, preset: 'zheng2013' });
  const run = await client.simulate('app', { timesteps: 500 });
  const steps = await client.openSteps('app');
  const state = await steps.step([]);
  await steps.end();
  const saved = await client.exportState('app');
  const copy = await client.importState('copy', saved);
  console.log(`installed client: ne ${info.ne}, ${run.x.length} steps, step ${state.step}, ` +
              `copy at ${copy.step}`);
  client.close();
})().catch((err) => { console.error(err); process.exit(1); });
JS
out=$(node app.js "$port")
echo "$out"
[ "$out" = "installed client: ne 200, 500 steps, step 501, copy at 501" ]
echo "node package: installed and working"
