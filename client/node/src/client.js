// Node.js client for sorn-server. The API is loaded at run time from
// proto/sorn/v1/sorn.proto (the single source of every client), so nothing
// is generated: from the package's own copy (made by `npm pack`, see
// scripts/copy-proto.js) or, in the repository, from its proto/. Unary calls
// return promises; Simulate and Train are decoded into arrays of 0/1 per
// step; openSteps is the reinforcement-learning loop.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const PROTO_ROOT = [path.resolve(__dirname, '..', 'proto'),
                    path.resolve(__dirname, '..', '..', '..', 'proto')]
  .find((dir) => fs.existsSync(path.join(dir, 'sorn', 'v1', 'sorn.proto')));

function loadApi() {
  if (!PROTO_ROOT) throw new Error('sorn.proto not found (package without proto/?)');
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

// Params checked against the proto's fields (a misspelled `nee: 3` is an
// error, not a default network), with input_pools as InputPool messages
// ({ neurons: [...] }) and enums in any case.
function checkedParams(api, params) {
  const fields = Object.keys(api.Params.type.field.reduce((all, f) => ({ ...all, [f.name]: 1 }), {}));
  const unknown = Object.keys(params).filter((k) => !fields.includes(k));
  if (unknown.length) throw new TypeError(`unknown SORN parameter(s): ${unknown.join(', ')}`);
  const out = { ...params };
  for (const key of ['network_type_ee', 'network_type_ei', 'network_type_ie', 'arithmetic']) {
    if (typeof out[key] === 'string') out[key] = out[key].toUpperCase();
  }
  if (Array.isArray(out.input_pools)) {
    out.input_pools = out.input_pools.map((p) => (Array.isArray(p) ? { neurons: p } : p));
  }
  return out;
}

// A run request with generated.kind in any case ('uniform', 'multi-one-hot').
function checkedRun(request) {
  if (!request.generated || typeof request.generated.kind !== 'string') return request;
  const kind = request.generated.kind.toUpperCase().replace(/-/g, '_');
  return { ...request, generated: { ...request.generated, kind } };
}

// The channel's credentials: TLS when a CA (PEM file; true: the system's
// roots) or a client certificate is given, else plaintext.
function credentials({ tlsCa, tlsCert, tlsKey } = {}) {
  if (!tlsCa && !tlsCert) return grpc.credentials.createInsecure();
  if (Boolean(tlsCert) !== Boolean(tlsKey)) throw new Error('tlsCert and tlsKey go together');
  const read = (file) => (typeof file === 'string' ? fs.readFileSync(file) : null);
  return grpc.credentials.createSsl(read(tlsCa), read(tlsKey), read(tlsCert));
}

// One Step stream: step(input, { phase, noise }) resolves to that step's
// state ({ step, x, ee_conn, readouts }); end() closes the stream. Steps are
// answered in order. Once the server ends the stream (a refused step, or
// any other end) every pending and later step rejects with that error.
class StepStream {
  constructor(call, ne, first) {
    this.call = call;
    this.ne = ne;
    this.first = first;  // record and readouts: the first request only.
    this.waiting = [];
    this.ended = null;   // the error that ended the stream, once it has.
    this.status = null;  // the call's final status, once known.
    call.on('data', (m) => {
      const next = this.waiting.shift();
      if (next) next.resolve({ step: m.step, x: m.x.length ? unpackBits(m.x, 1, ne)[0] : null,
                               ee_conn: m.ee_conn, readouts: m.readouts });
    });
    call.on('error', (err) => this.finish(err));
    call.on('status', (status) => {
      this.status = status;
      if (status.code === grpc.status.OK) {
        this.finish(Object.assign(new Error('the Step stream has ended'),
                                  { code: grpc.status.UNAVAILABLE }));
      }
    });
  }

  finish(err) {
    if (!this.ended) this.ended = err;
    for (const w of this.waiting.splice(0)) w.reject(this.ended);
  }

  // `input`: nu numbers; `phase` ('PLASTICITY', 'TRAINING', any case) and
  // `noise` apply to this step.
  step(input, { phase, noise = true } = {}) {
    if (this.ended) return Promise.reject(this.ended);
    const request = { ...this.first, input, noise };
    if (phase !== undefined) request.phase = String(phase).toUpperCase();
    this.first = {};
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.call.write(request);
    });
  }

  // Resolves once the server has closed the stream with OK; rejects with
  // its error otherwise.
  end() {
    return new Promise((resolve, reject) => {
      const settle = (status) => (status.code === grpc.status.OK ? resolve() : reject(status));
      if (this.status) {
        settle(this.status);
        return;
      }
      this.call.on('status', settle);
      if (!this.ended) this.call.end();
    });
  }
}

class SornClient {
  // `address` like "127.0.0.1:50051"; `token` (optional) is sent as a
  // bearer token for servers that require one; `tlsCa` (PEM file of the CA
  // that signed the server's certificate, or true for the system's roots),
  // `tlsCert` and `tlsKey` (PEM files, mutual TLS) choose TLS.
  constructor(address, { token, tlsCa, tlsCert, tlsKey } = {}) {
    const api = loadApi();
    this.api = api;
    this.stub = new api.Sorn(address, credentials({ tlsCa, tlsCert, tlsKey }));
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
  createSession(name, params = {}, { seed, recordBufferSteps, preset, ephemeral } = {}) {
    const request = { name, params: checkedParams(this.api, params), preset: preset || '',
                      ephemeral: Boolean(ephemeral) };
    if (seed !== undefined) request.seed = seed;
    if (recordBufferSteps !== undefined) request.record_buffer_steps = recordBufferSteps;
    return this.unary('CreateSession', request, name);
  }
  getSession(name) { return this.unary('GetSession', { name }, name); }
  // A copy of `source` named `name` (its state, generator and readouts).
  forkSession(source, name, { reseed, ephemeral } = {}) {
    const request = { source, name, ephemeral: Boolean(ephemeral) };
    if (reseed !== undefined) request.reseed = reseed;
    return this.unary('ForkSession', request, source);
  }
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
    const call = this.stub[train ? 'Train' : 'Simulate']({ session, ...checkedRun(request) }, md);
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
  // The whole state as a Buffer (a serialized sorn.v1.NetworkState).
  exportState(session) {
    const md = this.metadata.clone();
    md.set('x-sorn-session', session);
    const call = this.stub.ExportState({ session }, md);
    const chunks = [];
    return new Promise((resolve, reject) => {
      call.on('data', (m) => chunks.push(m.data));
      call.on('error', reject);
      call.on('end', () => resolve(Buffer.concat(chunks)));
    });
  }

  // A session `name` continuing from exportState's bytes (replace: an
  // existing session of that name is replaced). Resolves to its SessionInfo.
  importState(name, data, { replace = false, chunkBytes = 1 << 20 } = {}) {
    const md = this.metadata.clone();
    md.set('x-sorn-session', name);
    return new Promise((resolve, reject) => {
      const call = this.stub.ImportState(md, (err, info) => (err ? reject(err) : resolve(info)));
      call.write({ header: { name, replace, format: 'NATIVE', total_bytes: data.length } });
      for (let at = 0; at < data.length; at += chunkBytes) {
        call.write({ data: data.subarray(at, at + chunkBytes) });
      }
      call.end();
    });
  }

  // A Step stream on `session` (see StepStream); `record` and `readouts`
  // as in StepRequest, for the whole stream.
  async openSteps(session, { record, readouts = [] } = {}) {
    const info = await this.getSession(session);
    const md = this.metadata.clone();
    md.set('x-sorn-session', session);
    const first = { session, readouts };
    if (record) first.record = record;
    return new StepStream(this.stub.Step(md), info.ne, first);
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

module.exports = { SornClient, StepStream, unpackBits, loadApi };
