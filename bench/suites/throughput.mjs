// 6. Throughput: messages per second into one recipient's inbox, from one sending process and from
// eight concurrent sending processes. Every message goes through Intercom.send (validation, the
// recipient's liveness check, write once, link into inbox and history).
import { join } from 'node:path';
import { spawnTracked } from '../lib/procs.mjs';
import { makeWorld } from '../lib/world.mjs';

export async function run(ctx) {
  const { api, app, root, quick, log } = ctx;
  const rows = [];
  const data = {};
  for (const senders of [1, 8]) {
    const total = quick ? 2000 : 16_000;
    const per = total / senders;
    const rounds = quick ? 1 : 3;
    const rates = [];
    for (let round = 0; round < rounds; round++) {
      const w = makeWorld(root, `throughput-${senders}-${round}`, api);
      const s = w.session();
      const procs = Array.from({ length: senders }, () => startSender(app.dist, w.home, w.project, s.code, per));
      await Promise.all(procs.map((p) => p.ready));
      const t = performance.now();
      for (const p of procs) p.go();
      await Promise.all(procs.map((p) => p.done));
      const ms = performance.now() - t;
      const got = w.count(s.code);
      if (got !== total) throw new Error(`recipient has ${got} unread, ${total} were sent`);
      rates.push(total / (ms / 1000));
    }
    rates.sort((a, b) => a - b);
    const med = rates[Math.floor(rates.length / 2)];
    log(`throughput: ${senders} sender(s), ${rounds} round(s) of ${total} messages`);
    data[`senders${senders}`] = { rates: rates.map(Math.round), total };
    rows.push({
      id: `throughput.${senders}`,
      name: `Throughput, ${senders === 1 ? 'one sender' : 'eight concurrent sender processes'} -> one recipient (${total.toLocaleString('en')} msgs${rounds > 1 ? `, median of ${rounds}` : ''})`,
      value: `${Math.round(med).toLocaleString('en')} msg/s`,
      target: '—',
      met: null,
    });
  }
  return { rows, data };
}

function startSender(distDir, home, project, to, count) {
  const child = spawnTracked(process.execPath, [join(import.meta.dirname, '../lib/sender.mjs'), distDir, home, project, to, String(count)], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  const seen = (re) =>
    new Promise((resolve, reject) => {
      const on = () => re.test(out) && (child.stdout.off('data', on), resolve());
      child.stdout.on('data', (d) => ((out += d), on()));
      child.once('exit', (code) => (re.test(out) ? resolve() : reject(new Error(`sender exited ${code}: ${out}`))));
      on();
    });
  return { ready: seen(/ready\n/), done: seen(/done [\d.]+\n/), go: () => child.stdin.end('go\n') };
}
