// Every session call the Node.js client has, on one new session, through
// the address given (the scale-out test's nginx).
//   node node_session_calls.js HOST:PORT SESSION
const path = require('path');
const { SornClient } = require(path.join(__dirname, '../../client/node/src/client.js'));

async function main() {
  const [address, name] = process.argv.slice(2);
  const client = new SornClient(address);
  await client.createSession(name, { ne: 60 }, { seed: 7 });
  await client.getSession(name);
  await client.simulate(name, { timesteps: 20, generated: { kind: 'UNIFORM' } });
  await client.train(name, { timesteps: 5 });
  await client.freeze(name, { freeze: ['ip'] });
  await client.getStatistics(name, {});
  const info = await client.getSession(name);
  if (Number(info.step) !== 25) throw new Error(`step ${info.step}, expected 25`);
  await client.deleteSession(name);
  client.close();
  console.log('node client: 8 calls OK');
}

main().catch((e) => { console.error(e); process.exit(1); });
