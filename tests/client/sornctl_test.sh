#!/usr/bin/env bash
# sornctl end to end against a real sorn-server on a free port.
#   sornctl_test.sh SERVER SORNCTL PYTHON
set -uo pipefail
server=$(realpath "$1")
ctl=$(realpath "$2")
python=$3
work=$(mktemp -d)
"$server" --port=0 > "$work/server.out" &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do grep -q "listening on" "$work/server.out" && break; sleep 0.05; done
export SORN_SERVER_ADDRESS="127.0.0.1:$(sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' "$work/server.out")"
cd "$work"
passed=0
failed=0
check() {  # check DESCRIPTION EXPECTED_EXIT COMMAND... ; output in $out
  local what=$1 want=$2
  shift 2
  out=$("$@" 2>&1)
  local got=$?
  if [ "$got" -eq "$want" ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL: $what: exit $got, expected $want; output: $out"
  fi
}
expect() {  # expect DESCRIPTION PATTERN (in $out)
  if grep -q -- "$2" <<<"$out"; then passed=$((passed + 1)); else
    failed=$((failed + 1)); echo "FAIL: $1: no \"$2\" in: $out"; fi
}

check "health" 0 "$ctl" health
expect "health says" "SERVING"
check "create" 0 "$ctl" create demo --seed=3 --ne=100 --nu=5 --eta_stdp=0.002
expect "create ne" "^ne: 100$"
check "create exact" 0 "$ctl" create exact --ne=50 --arithmetic=exact
expect "create arithmetic" "arithmetic: EXACT"
check "bad arithmetic" 64 "$ctl" create slow --arithmetic=slow
expect "bad arithmetic names the values" "is one of FAST, EXACT"
check "create from a preset" 0 "$ctl" create lazar --preset=Lazar2009 --ne=100 --seed=1
expect "preset's nu" "^nu: 6$"
expect "override's ne" "^ne: 100$"
check "unknown preset" 3 "$ctl" create nope --preset=lazar2010
expect "unknown preset lists the known" "known presets: sorn, lazar2009"
check "variants and pools" 0 "$ctl" create pools --ne=10 --nu=2 --lambda_ee=2 --lambda_ei=2 \
  --h_ip=0.1 --input_pools='1,3;3,7' --fast_inhibit=true --clamp_thresholds=false
check "pools shared but disjoint" 3 "$ctl" create shared --ne=10 --nu=2 --lambda_ee=2 \
  --lambda_ei=2 --h_ip=0.1 --input_pools='1,3;3,7' --input_pools_disjoint=true
expect "pools error" "share neuron 3"
check "empty input pool" 64 "$ctl" create e --nu=2 --input_pools='1,2;'
expect "empty pool says so" "empty pool"
check "bad bool" 64 "$ctl" create b --wei_fixed=maybe
expect "bad bool says" "takes true or false"
check "get" 0 "$ctl" get demo
expect "get ni" "^ni: 20$"
"$python" -c "import numpy as np; np.save('in.npy', np.random.default_rng(1).random((5, 300)))"
check "simulate from npy" 0 "$ctl" simulate demo --inputs=in.npy --out=run
expect "simulate summary" "simulated 300 steps"
check "simulate output shapes" 0 "$python" -c "
import numpy as np
x, y, c = np.load('run_x.npy'), np.load('run_y.npy'), np.load('run_ee_conn.npy')
assert x.shape == (300, 100) and y.shape == (300, 20) and c.shape == (300,), (x.shape, y.shape, c.shape)
assert x.dtype == np.uint8 and y.dtype == np.uint8 and c.dtype == np.int64, (x.dtype, c.dtype)
assert set(np.unique(x)) <= {0, 1} and 0 < x.mean() < 0.3 and c.min() > 0"
check "create gen" 0 "$ctl" create gen --ne=60 --nu=10 --lambda_ee=6 --lambda_ei=12
check "simulate multi_one_hot" 0 "$ctl" simulate gen --steps=50 --generate=MULTI_ONE_HOT \
  --units_per_symbol=5 --amplitude=2 --input_seed=4 --quiet
expect "multi_one_hot summary" "simulated 50 steps"
check "multi_one_hot that does not divide nu" 3 "$ctl" simulate gen --steps=5 \
  --generate=multi_one_hot --units_per_symbol=3
check "missing input file" 66 "$ctl" simulate demo --inputs=missing.npy
expect "missing file names it and why" "input file: cannot read missing.npy: No such file or directory"
echo "not an array" > bad.npy
check "malformed input file" 65 "$ctl" simulate demo --inputs=bad.npy
expect "malformed file says so" "input data: bad.npy"
check "missing npz" 66 "$ctl" import missing.npz m
check "unwritable output" 73 "$ctl" simulate gen --steps=5 --generate=uniform --out=no/such/dir/run
expect "unwritable output says why" "output file: cannot write no/such/dir/run_x.npy: No such file or directory"
check "an unwritable output is found before the run" 0 "$ctl" get gen
expect "nothing ran" "^step: 50$"
check "train generated" 0 "$ctl" train demo --steps=100 --generate=one_hot --quiet
expect "train summary" "trained 100 steps"
check "freeze" 0 "$ctl" freeze demo --freeze=stdp,ip
expect "frozen list" "^frozen: stdp,ip$"
check "stats" 0 "$ctl" stats demo --last_steps=200 --neuron=3
expect "stats steps" "^steps: 200$"
expect "stats entropy" "spike_source_entropy"
check "export" 0 "$ctl" export demo demo.npz
check "npz has the reference's arrays" 0 "$python" -c "
import numpy as np
d = np.load('demo.npz')
assert d['Wee'].shape == (100, 100) and d['Wei'].shape == (20, 100) and d['Wie'].shape == (100, 20)
assert d['Te'].shape == (100, 1) and d['X'].shape == (100, 2)
assert np.allclose(d['Wie'].sum(axis=0), 1.0)"
check "import exact" 0 "$ctl" import demo.npz copy
expect "import keeps the step" "^step: 400$"
check "import reference layout" 0 "$ctl" import demo.npz ref --reference --nu=5
expect "reference import starts at 0" "^step: 0$"
check "recompress with numpy" 0 "$python" -c "
import numpy as np
d = np.load('demo.npz')
np.savez_compressed('packed.npz', **{k: d[k] for k in ('Wee', 'Wei', 'Wie', 'Te', 'Ti', 'X', 'Y')})"
check "import a compressed reference npz" 0 "$ctl" import packed.npz packed --nu=5
expect "compressed import size" "^ne: 100$"
check "fork" 0 "$ctl" fork demo twin
# The exact import and the fork continue bit for bit like the original.
for s in demo copy twin; do
  check "simulate $s" 0 "$ctl" simulate "$s" --steps=200 --generate=uniform --input_seed=9 --out="cont_$s"
done
check "continuations agree" 0 "$python" -c "
import numpy as np
a, b, c = (np.load(f'cont_{s}_x.npy') for s in ('demo', 'copy', 'twin'))
assert np.array_equal(a, b) and np.array_equal(a, c)"
# The Step loop: from a file and from stdin, one JSON line per step; the
# same inputs from the same state give the same spikes either way.
check "fork for steps" 0 "$ctl" fork demo stepper
check "fork for stdin" 0 "$ctl" fork demo piped
"$python" -c "import numpy as np; np.save('steps.npy', np.random.default_rng(2).random((5, 20)))"
"$ctl" step stepper --inputs=steps.npy --no_noise > file.jsonl 2>&1
"$python" -c "import numpy as np; np.savetxt('steps.txt', np.load('steps.npy').T, fmt='%.17g')"
"$ctl" step piped --no_noise < steps.txt > piped.jsonl 2>&1
check "step lines from a file and from stdin agree" 0 "$python" -c "
import json
a = [json.loads(l) for l in open('file.jsonl')]
b = [json.loads(l) for l in open('piped.jsonl')]
assert len(a) == 20 and a == b, (a[:2], b[:2])
steps = [l['step'] for l in a]
assert steps == list(range(steps[0], steps[0] + 20)), steps
assert all(0 <= i < 100 for l in a for i in l['x']) and sum(len(l['x']) for l in a) > 0"
check "step input of the wrong width" 3 "$ctl" step piped --no_noise <<< "1 2 3"
expect "names nu" "nu = 5"
check "step input that is not numbers" 64 "$ctl" step piped <<< "1 two 3 4 5"
# Readouts: fit on the recorded steps, use in the Step loop, delete.
"$python" -c "
import numpy as np
np.save('labels.npy', (np.load('run_x.npy')[-200:, 3]).astype(np.int64))"
check "fit-readout" 0 "$ctl" fit-readout demo n3 --labels=labels.npy --skip_last=0 --regularization=0.001
expect "fit-readout reports" "^fitted_steps: "
check "step with a readout" 0 "$ctl" step demo --inputs=steps.npy --readouts=n3 --phase=training
expect "readout output" '"readouts":{"n3":{"class":'
check "fit-readout without targets" 64 "$ctl" fit-readout demo bad
check "fit-readout missing file" 66 "$ctl" fit-readout demo bad --labels=none.npy
check "delete-readout" 0 "$ctl" delete-readout demo n3
check "deleted readout is gone" 5 "$ctl" step demo --inputs=steps.npy --readouts=n3
check "list" 0 "$ctl" list
expect "list shows twin" "^twin"
check "delete" 0 "$ctl" delete twin
check "deleted is gone" 5 "$ctl" get twin
expect "not found message" "NOT_FOUND: no session \"twin\""
check "bad name" 3 "$ctl" create ../x
check "zero steps" 3 "$ctl" simulate demo
check "unknown command" 64 "$ctl" frobnicate
check "missing argument" 64 "$ctl" get
check "misspelled parameter" 64 "$ctl" create typo --nee=3
expect "names the option" "unknown option --nee"
check "misspelled parameter made nothing" 5 "$ctl" get typo
check "option of another command" 64 "$ctl" simulate demo --steps=5 --phase=training
expect "names it" "unknown option --phase"
check "stats has no --json" 64 "$ctl" stats demo --json
check "help" 0 "$ctl" simulate --help
expect "help text" "simulate NAME --steps=T"
check "unreachable server" 14 "$ctl" --address=127.0.0.1:1 get demo

echo "sornctl: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
