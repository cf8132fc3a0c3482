// One sending process for the throughput benchmark. Loads the built Intercom/FsStore, says
// "ready", waits for "go" on stdin, sends `count` messages to `to` as a person would with
// `claude-intercom send`, then prints "done <ms>".
//   node sender.mjs <dist dir> <store home> <project root> <to> <count>
import { distExports } from './world.mjs';

const [distDir, home, projectRoot, to, countRaw] = process.argv.slice(2);
const { openLocalStore, Intercom } = await distExports(distDir)('openLocalStore', 'Intercom');
const intercom = new Intercom(openLocalStore(home));
const human = { kind: 'human', address: `human:sender${process.pid}`, projectRoot, projectName: 'throughput' };
const count = Number(countRaw);
process.stdout.write('ready\n');
process.stdin.once('data', async () => {
  const t = performance.now();
  for (let i = 0; i < count; i++) await intercom.send(human, to, `message ${i} from ${process.pid}: the build on main is green again.`);
  process.stdout.write(`done ${performance.now() - t}\n`);
  process.exit(0);
});
