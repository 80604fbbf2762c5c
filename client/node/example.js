// Creates a session on a running sorn-server, simulates it, and reads
// statistics.   node example.js [address] (default 127.0.0.1:50051)
'use strict';

const { SornClient } = require('./src/client');

async function main(address = '127.0.0.1:50051', name = 'node-example') {
  const client = new SornClient(address);
  try {
    const info = await client.createSession(name, { ne: 200 }, { seed: 1 });
    console.log(`created "${info.name}": ne=${info.ne} ni=${info.ni}, ` +
                `${info.ee_connections} E->E synapses`);
    const run = await client.simulate(name, {
      timesteps: 2000, generated: { kind: 'UNIFORM', seed: 2 },
    });
    const spikes = run.x.reduce((sum, row) => sum + row.reduce((a, b) => a + b, 0), 0);
    const rate = spikes / (run.x.length * info.ne);
    console.log(`simulated ${run.x.length} steps: excitatory rate ${rate.toFixed(4)}`);
    const stats = await client.getStatistics(name, { last_steps: 1000 });
    console.log(`mean correlation ${stats.mean_correlation.toFixed(4)}, ` +
                `spike source entropy ${stats.spike_source_entropy.toFixed(4)}`);
    return { info, run, stats, rate };
  } finally {
    client.close();
  }
}

if (require.main === module) {
  main(process.argv[2]).catch((err) => {
    console.error(`example: ${err.message}`);
    process.exit(1);
  });
}

module.exports = { main };
