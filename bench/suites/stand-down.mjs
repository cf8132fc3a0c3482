// 7. Where serve posts into the session's inbox socket, the watcher each Stop starts sees that and
// leaves at once: what that costs per turn (the one process the socket path still starts per turn),
// against a bare `node` on an empty file and a watcher that stays (the hooks path), interleaved.
import { spawnSync } from 'node:child_process';
import { round, summary } from '../lib/stats.mjs';
import { makeWorld, writeEmptyScript } from '../lib/world.mjs';
import { startWatcher } from '../lib/watcher.mjs';

/** CPU (user + sys, ms) and wall time of one process, from /usr/bin/time. */
function timed(argv, env, input) {
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', 'CPU %U %S', ...argv], { env, input, encoding: 'utf8', stdio: ['pipe', 'ignore', 'pipe'] });
  const wall = performance.now() - t0;
  const out = r.stderr ?? '';
  const m = /CPU ([\d.]+) ([\d.]+)/.exec(out.split('\n').filter((l) => l.startsWith('CPU')).at(-1) ?? '');
  return { wall, cpu: m ? (Number(m[1]) + Number(m[2])) * 1000 : NaN };
}

export async function run(ctx) {
  const { api, app, root, quick, log } = ctx;
  const w = makeWorld(root, 'stand-down', api);
  const s = w.session();
  const empty = writeEmptyScript(root);
  const { processStart } = api;
  // The session's serve posts into its socket: this bench process plays serve.
  w.store.setDeliveryPath(s.code, { path: 'socket', reason: 'bench', pid: process.pid, pidStart: processStart(process.pid), since: Date.now() });
  const stop = JSON.stringify({ hook_event_name: 'Stop', stop_hook_active: false });
  const env = w.env(s.pid);
  const n = quick ? 10 : 40;
  const standDown = [];
  const node = [];
  for (let i = 0; i < n + 2; i++) {
    const a = timed([process.execPath, app.hookCjs, 'watch'], env, stop);
    const b = timed([process.execPath, empty], env, '');
    if (i >= 2) {
      standDown.push(a);
      node.push(b);
    }
  }
  if (w.store.watcherLease(s.code)) throw new Error('a stand-down watcher took the lease');
  // A watcher that stays (the hooks path), for contrast: start-up until it holds the lease.
  w.store.setDeliveryPath(s.code, { path: 'hooks', reason: 'bench', pid: process.pid, pidStart: processStart(process.pid), since: Date.now() });
  const stays = [];
  for (let i = 0; i < Math.min(n, 10); i++) {
    const t0 = performance.now();
    const watcher = startWatcher(app, env);
    await w.leaseHeld(s.code, watcher.pid);
    stays.push(performance.now() - t0);
    watcher.child.kill('SIGTERM');
    await watcher.exited;
  }
  log(`stand-down: ${n} watchers`);
  const wall = summary(standDown.map((x) => x.wall));
  const cpu = summary(standDown.map((x) => x.cpu));
  const nodeWall = summary(node.map((x) => x.wall));
  const nodeCpu = summary(node.map((x) => x.cpu));
  return {
    rows: [
      { id: 'standdown.wall', name: `Socket path: the Stop watcher leaves at once, spawn -> exit (p50 / p90, ${n})`, value: `${wall.p50.toFixed(1)} ms / ${wall.p90.toFixed(1)} ms  (${round(wall.p50 / nodeWall.p50)}× node)`, target: '—', met: null, data: wall },
      { id: 'standdown.cpu', name: 'Socket path: its CPU time, user + sys (p50), per turn', value: `${cpu.p50.toFixed(0)} ms  (node empty.cjs ${nodeCpu.p50.toFixed(0)} ms)`, target: '—', met: null, data: cpu },
      { id: 'standdown.stays', name: 'Hooks path, for contrast: watcher start -> holding its lease (p50)', value: `${summary(stays).p50.toFixed(1)} ms, then waits`, target: '—', met: null, data: summary(stays) },
    ],
    data: { standDown, node, stays },
  };
}
