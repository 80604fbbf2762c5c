// The client as a user gets it: TLS, the Step loop, export and import, and
// forks against a real sorn-server (started like client.test.js's).
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn, execFileSync } = require('node:child_process');
const grpc = require('@grpc/grpc-js');
const { SornClient } = require('../src/client');

function startServer(flags = []) {
  const child = spawn(process.env.SORN_SERVER, ['--port=0', '--log_rpcs=false', ...flags],
                      { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = out.match(/listening on 127\.0\.0\.1:(\d+)/);
      if (m) resolve({ child, port: m[1] });
    });
    child.on('exit', (code) => reject(new Error(`sorn-server exited with ${code}`)));
  });
}

// A CA and a server certificate for localhost, made with openssl.
function pki() {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'sorn-node-pki-'));
  const run = (...args) => execFileSync('openssl', args, { cwd: d, stdio: 'ignore' });
  fs.writeFileSync(path.join(d, 'san.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=ca',
      '-keyout', 'ca.key', '-out', 'ca.pem');
  run('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=server', '-keyout', 'server.key',
      '-out', 'server.csr');
  run('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key',
      '-CAcreateserial', '-days', '2', '-extfile', 'san.ext', '-out', 'server.pem');
  return d;
}

test('the Step loop, export and import, forks', async (t) => {
  const { child, port } = await startServer();
  t.after(() => child.kill('SIGTERM'));
  const client = new SornClient(`127.0.0.1:${port}`);
  t.after(() => client.close());
  await client.createSession('a', { ne: 60, nu: 5, lambda_ee: 6, lambda_ei: 12 }, { seed: 3 });
  await client.simulate('a', { timesteps: 200, generated: { kind: 'UNIFORM', seed: 1 } });
  const twin = await client.forkSession('a', 'twin');
  assert.equal(Number(twin.step), 200);
  const saved = await client.exportState('a');
  assert.ok(saved.length > 1000);
  const copy = await client.importState('copy', saved);
  assert.equal(Number(copy.step), 200);
  // The same inputs through a Step stream on each: the same spikes.
  const input = [0.5, 0, 1, 0, 0.25];
  const traces = [];
  for (const name of ['a', 'twin', 'copy']) {
    const steps = await client.openSteps(name);
    const trace = [];
    for (let k = 0; k < 30; k++) {
      const state = await steps.step(input, { noise: false, phase: k < 15 ? 'plasticity' : 'training' });
      trace.push(Number(state.step), ...state.x);
    }
    await steps.end();
    traces.push(trace);
  }
  assert.deepEqual(traces[1], traces[0]);
  assert.deepEqual(traces[2], traces[0]);
  assert.equal(traces[0][0], 201);
  // A refused step rejects with the server's code and ends the stream: later
  // steps and end() reject with the same error, nothing hangs.
  const steps = await client.openSteps('a');
  const refused = (err) => err.code === grpc.status.INVALID_ARGUMENT && /nu = 5/.test(err.details);
  await assert.rejects(steps.step([1, 2]), refused);
  await assert.rejects(steps.step(input), refused);
  await assert.rejects(steps.end(), refused);
  // A stream the client ends resolves end(); readouts and record for the stream.
  const quiet = await client.openSteps('a', { record: { x: false, y: false, r: false } });
  const s1 = await quiet.step(input, { noise: false });
  assert.equal(s1.x, null);
  await quiet.end();
  await assert.rejects(quiet.step(input), /has ended/);
  // Parameters are checked by name; enums and generated kinds in any case.
  assert.throws(() => client.createSession('typo', { nee: 3 }), /unknown SORN parameter\(s\): nee/);
  const lower = await client.createSession('lower', { ne: 50, nu: 5, lambda_ee: 5, lambda_ei: 10,
    arithmetic: 'exact', network_type_ie: 'sparse', lambda_ie: 20 });
  assert.equal(lower.params.arithmetic, 'EXACT');
  const run = await client.simulate('lower', { timesteps: 10, generated: { kind: 'multi-one-hot', units_per_symbol: 5 } });
  assert.equal(run.x.length, 10);
  await assert.rejects(client.importState('copy', saved), (err) =>
    err.code === grpc.status.ALREADY_EXISTS);
  await client.importState('copy', saved, { replace: true });
});

test('TLS with the lab CA', async (t) => {
  const d = pki();
  const { child, port } = await startServer([
    `--tls_cert=${path.join(d, 'server.pem')}`, `--tls_key=${path.join(d, 'server.key')}`]);
  t.after(() => child.kill('SIGTERM'));
  const secure = new SornClient(`localhost:${port}`, { tlsCa: path.join(d, 'ca.pem') });
  t.after(() => secure.close());
  const info = await secure.createSession('tls', { ne: 50, nu: 5, lambda_ee: 5, lambda_ei: 10 });
  assert.equal(info.ne, 50);
  const plain = new SornClient(`localhost:${port}`);
  t.after(() => plain.close());
  await assert.rejects(plain.listSessions(), (err) => err.code === grpc.status.UNAVAILABLE);
  assert.throws(() => new SornClient('x:1', { tlsCert: 'c.pem' }), /go together/);
});
