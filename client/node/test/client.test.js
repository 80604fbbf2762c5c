// node --test: the Node.js client against a real sorn-server (the binary in
// $SORN_SERVER, started on a free loopback port).
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const grpc = require('@grpc/grpc-js');
const { SornClient, unpackBits } = require('../src/client');
const example = require('../example');

function startServer() {
  const binary = process.env.SORN_SERVER;
  assert.ok(binary, 'set SORN_SERVER to the sorn-server binary');
  const child = spawn(binary, ['--port=0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = out.match(/listening on 127\.0\.0\.1:(\d+)/);
      if (m) resolve({ child, address: `127.0.0.1:${m[1]}` });
    });
    child.on('exit', (code) => reject(new Error(`sorn-server exited with ${code}`)));
  });
}

test('sorn-server from Node.js', async (t) => {
  const { child, address } = await startServer();
  t.after(() => child.kill('SIGTERM'));

  await t.test('unpackBits reads LSB-first bytes', () => {
    const rows = unpackBits(Buffer.from([0b00000101, 0b1, 0b10000000, 0]), 2, 9);
    assert.deepEqual([...rows[0]], [1, 0, 1, 0, 0, 0, 0, 0, 1]);
    assert.deepEqual([...rows[1]], [0, 0, 0, 0, 0, 0, 0, 1, 0]);
  });

  await t.test('the example creates, simulates and reads statistics', async () => {
    const { info, run, stats, rate } = await example.main(address, 'example');
    assert.equal(info.ne, 200);
    assert.equal(info.ni, 40);
    assert.equal(run.x.length, 2000);
    assert.equal(run.y[0].length, 40);
    assert.equal(run.ee_conn.length, 2000);
    assert.ok(rate > 0.02 && rate < 0.2, `rate ${rate}`);
    assert.equal(Number(stats.steps), 1000);
    assert.ok(stats.spike_source_entropy > 0.5 && stats.spike_source_entropy <= 1);
  });

  await t.test('runs are reproducible and sessions listed', async () => {
    const client = new SornClient(address);
    t.after(() => client.close());
    for (const name of ['a', 'b']) await client.createSession(name, { ne: 100, nu: 5 }, { seed: 7 });
    const request = { timesteps: 300, generated: { kind: 'ONE_HOT', seed: 3 }, noise: false };
    const [ra, rb] = [await client.simulate('a', request), await client.simulate('b', request)];
    assert.deepEqual(ra.x, rb.x);
    const names = (await client.listSessions()).map((s) => s.name);
    assert.ok(names.includes('a') && names.includes('b'));
    const frozen = await client.freeze('a', { freeze: ['stdp', 'ip'] });
    assert.deepEqual(frozen.frozen, ['stdp', 'ip']);
    await client.deleteSession('b');
    await assert.rejects(client.getSession('b'), (err) => err.code === grpc.status.NOT_FOUND);
  });

  await t.test('a session in EXACT arithmetic says so', async () => {
    const client = new SornClient(address);
    t.after(() => client.close());
    const info = await client.createSession('exact', { ne: 50, arithmetic: 'EXACT' }, { seed: 1 });
    assert.equal(info.params.arithmetic, 'EXACT');
    const fast = await client.createSession('fast', { ne: 50 }, { seed: 1 });
    assert.equal(fast.params.arithmetic, 'FAST');  // the default.
  });

  await t.test('a preset sets a paper\'s model and params override it', async () => {
    const client = new SornClient(address);
    t.after(() => client.close());
    const info = await client.createSession('lazar', { ne: 100 }, { seed: 4, preset: 'lazar2009' });
    assert.equal(info.ne, 100);  // overridden.
    assert.equal(info.nu, 6);
    assert.equal(info.params.fast_inhibit, true);
    assert.equal(info.params.wei_fixed, true);
    assert.equal(info.params.input_pools.length, 6);
    const all = info.params.input_pools.flatMap((p) => p.neurons);
    assert.equal(new Set(all).size, 60);  // six disjoint pools of 10.
    const pools = await client.createSession('pools', {
      ne: 10, nu: 2, lambda_ee: 2, lambda_ei: 2, h_ip: 0.1, input_pools: [[1, 3], [3, 7]],
      input_gain: 0.6, clamp_thresholds: false }, { seed: 1 });
    assert.deepEqual(pools.params.input_pools.map((p) => p.neurons), [[1, 3], [3, 7]]);
    assert.equal(pools.params.clamp_thresholds, false);
    await assert.rejects(client.createSession('bad', {}, { preset: 'lazar2010' }), (err) =>
      err.code === grpc.status.INVALID_ARGUMENT && /known presets/.test(err.details));
    await assert.rejects(client.getSession('bad'), (err) => err.code === grpc.status.NOT_FOUND);
  });

  await t.test('a readout fitted on recorded steps classifies new ones', async () => {
    const client = new SornClient(address);
    t.after(() => client.close());
    await client.createSession('ro', { ne: 100, nu: 5 }, { seed: 2 });
    await client.simulate('ro', { timesteps: 2000, generated: { kind: 'UNIFORM', seed: 1 } });
    const fitRun = await client.train('ro', { timesteps: 600, generated: { kind: 'UNIFORM', seed: 2 } });
    const labels = fitRun.x.map((row) => row[3]);  // did neuron 3 fire?
    const fit = await client.fitReadout('ro', { readout: 'n3', labels: { labels } });
    assert.equal(fit.readout.classifier, true);
    assert.equal(fit.readout.training_accuracy, 1);
    const run = await client.train('ro', {
      timesteps: 100, generated: { kind: 'UNIFORM', seed: 3 }, readouts: ['n3'] });
    assert.deepEqual(run.readouts.n3.classes, run.x.map((row) => row[3]));
    assert.equal(run.readouts.n3.scores.length, 200);
    await assert.rejects(client.fitReadout('ro', { readout: 'bad', labels: { labels: [0, 5, -1] } }),
      (err) => err.code === grpc.status.INVALID_ARGUMENT);
    const info = await client.deleteReadout('ro', 'n3');
    assert.equal(info.readouts.length, 0);
  });

  await t.test('errors carry the gRPC code and message', async () => {
    const client = new SornClient(address);
    t.after(() => client.close());
    await assert.rejects(client.createSession('../x'), (err) =>
      err.code === grpc.status.INVALID_ARGUMENT && /may only contain/.test(err.details));
    await assert.rejects(client.simulate('a', { timesteps: 0 }), (err) =>
      err.code === grpc.status.INVALID_ARGUMENT);
  });
});
