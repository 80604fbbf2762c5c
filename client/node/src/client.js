// Node.js client for sorn-server. The API is loaded at run time from the
// repository's proto/sorn/v1/sorn.proto (the single source of every client),
// so nothing is generated. Unary calls return promises; Simulate and Train
// are decoded into arrays of 0/1 per step.
'use strict';

const path = require('node:path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const PROTO_ROOT = path.resolve(__dirname, '..', '..', '..', 'proto');

function loadApi() {
  const definition = protoLoader.loadSync('sorn/v1/sorn.proto', {
    includeDirs: [PROTO_ROOT],
    keepCase: true,      // field names as in the proto (time_steps-style).
    longs: Number,       // int64 as JS numbers (step counts fit in 2^53).
    enums: String,
    defaults: true,
    oneofs: true,
  });
  return grpc.loadPackageDefinition(definition).sorn.v1;
}

// Unpacks `steps` x `n` bits (neuron i is bit i % 8 of byte i / 8, LSB first,
// each step on a byte boundary) into an array of Uint8Array rows.
function unpackBits(buffer, steps, n) {
  const bytes = Math.ceil(n / 8);
  const rows = [];
  for (let t = 0; t < steps; t++) {
    const row = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      row[i] = (buffer[t * bytes + (i >> 3)] >> (i & 7)) & 1;
    }
    rows.push(row);
  }
  return rows;
}

// Params with input_pools as InputPool messages ({ neurons: [...] }).
function withPools(params) {
  if (!Array.isArray(params.input_pools)) return params;
  const pools = params.input_pools.map((p) => (Array.isArray(p) ? { neurons: p } : p));
  return { ...params, input_pools: pools };
}

class SornClient {
  // `address` like "127.0.0.1:50051"; `token` (optional) is sent as a
  // bearer token for servers that require one.
  constructor(address, { token } = {}) {
    const api = loadApi();
    this.stub = new api.Sorn(address, grpc.credentials.createInsecure());
    this.metadata = new grpc.Metadata();
    if (token) this.metadata.set('authorization', `Bearer ${token}`);
  }

  close() {
    this.stub.close();
  }

  unary(method, request, session) {
    const md = this.metadata.clone();
    if (session) md.set('x-sorn-session', session);
    return new Promise((resolve, reject) => {
      this.stub[method](request, md, (err, response) =>
        err ? reject(err) : resolve(response));
    });
  }

  // `params` follows Params (snake_case); input_pools may be given as arrays
  // of neuron indices ([[1, 3], [3, 7]]). `preset` starts from a published
  // model ('lazar2009', 'zheng2013', 'delpapa2017') that `params` overrides.
  createSession(name, params = {}, { seed, recordBufferSteps, preset } = {}) {
    const request = { name, params: withPools(params), preset: preset || '' };
    if (seed !== undefined) request.seed = seed;
    if (recordBufferSteps !== undefined) request.record_buffer_steps = recordBufferSteps;
    return this.unary('CreateSession', request, name);
  }
  getSession(name) { return this.unary('GetSession', { name }, name); }
  async listSessions() { return (await this.unary('ListSessions', {})).sessions; }
  deleteSession(name) { return this.unary('DeleteSession', { name }, name); }
  freeze(session, { freeze = [], unfreeze = [] } = {}) {
    return this.unary('Freeze', { session, freeze, unfreeze }, session);
  }
  getStatistics(session, options = {}) {
    return this.unary('GetStatistics', { session, ...options }, session);
  }
  // FitReadout; `request` follows FitReadoutRequest, e.g. { readout: 'next',
  // labels: { labels: [...] }, features: { include_input: true } }.
  fitReadout(session, request) {
    return this.unary('FitReadout', { session, ...request }, session);
  }
  deleteReadout(session, readout) {
    return this.unary('DeleteReadout', { session, readout }, session);
  }

  // Runs Simulate (or Train with train: true). `request` follows RunRequest
  // (e.g. { timesteps, generated: { kind: 'UNIFORM' }, noise, freeze }).
  // Resolves to { x, y, r } (arrays of Uint8Array per step), the counts, and
  // readouts: { name: { scores (flat, steps x outputs), classes } } for the
  // names in request.readouts.
  run(session, request, { train = false, ne, ni } = {}) {
    const md = this.metadata.clone();
    md.set('x-sorn-session', session);
    const call = this.stub[train ? 'Train' : 'Simulate']({ session, ...request }, md);
    const out = { x: [], y: [], r: [], ee_conn: [], ei_conn: [], first_step: null, readouts: {} };
    for (const name of request.readouts || []) out.readouts[name] = { scores: [], classes: [] };
    return new Promise((resolve, reject) => {
      call.on('data', (m) => {
        if (out.first_step === null) out.first_step = m.first_step;
        if (m.x.length) out.x.push(...unpackBits(m.x, m.steps, ne));
        if (m.y.length) out.y.push(...unpackBits(m.y, m.steps, ni));
        if (m.r.length) out.r.push(...unpackBits(m.r, m.steps, ne));
        out.ee_conn.push(...m.ee_conn);
        out.ei_conn.push(...m.ei_conn);
        for (const r of m.readouts) {
          out.readouts[r.name].scores.push(...r.scores);
          out.readouts[r.name].classes.push(...r.classes);
        }
      });
      call.on('error', reject);
      call.on('end', () => resolve(out));
    });
  }
  async simulate(session, request) {
    const info = await this.getSession(session);
    return this.run(session, request, { ne: info.ne, ni: info.ni });
  }
  async train(session, request) {
    const info = await this.getSession(session);
    return this.run(session, request, { train: true, ne: info.ne, ni: info.ni });
  }
}

module.exports = { SornClient, unpackBits, loadApi };
