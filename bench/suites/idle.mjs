// 5. Idle cost: one watcher left idle; CPU time, peak memory and wake-ups (context switches)
// over the idle window, read from /proc. Then a message, to show it is still awake.
import { readFileSync, readdirSync } from 'node:fs';
import { round } from '../lib/stats.mjs';
import { makeWorld } from '../lib/world.mjs';
import { startWatcher } from '../lib/watcher.mjs';

const SETTLE_MS = 1000;

/** CPU time (ns, all threads, from schedstat) and context switches of a process. */
function sample(pid) {
  let cpuNs = 0;
  let vol = 0;
  let invol = 0;
  let mainVol = 0;
  const tasks = readdirSync(`/proc/${pid}/task`);
  let schedstat = true;
  for (const tid of tasks) {
    try {
      try {
        cpuNs += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        schedstat = false; // kernel without schedstat: fall back to the 10 ms ticks below
      }
      const st = readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
      const v = Number(/voluntary_ctxt_switches:\s+(\d+)/.exec(st)[1]);
      vol += v;
      invol += Number(/nonvoluntary_ctxt_switches:\s+(\d+)/.exec(st)[1]);
      if (tid === String(pid)) mainVol = v;
    } catch {
      /* a thread ended */
    }
  }
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticksMs = (Number(f[11]) + Number(f[12])) * 10; // utime + stime, USER_HZ = 100
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k) => Number(new RegExp(`${k}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
  if (!schedstat) cpuNs = ticksMs * 1e6;
  return { cpuNs, ticksMs, schedstat, vol, invol, mainVol, threads: tasks.length, hwmKb: kb('VmHWM'), rssKb: kb('VmRSS') };
}

export async function run(ctx) {
  const { api, app, root, quick, log } = ctx;
  const w = makeWorld(root, 'idle', api);
  const s = w.session();
  const idleMs = quick ? 10_000 : 60_000;
  const watcher = startWatcher(app, w.env(s.pid));
  await w.leaseHeld(s.code, watcher.pid);
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  const a = sample(watcher.pid);
  await new Promise((r) => setTimeout(r, idleMs));
  const b = sample(watcher.pid);
  // A busy neighbour: another session of the same store making tool calls. Each of its hooks marks
  // it active (store.touch, exactly as the hook does); count what that costs this idle watcher.
  const other = w.session();
  const calls = quick ? 50 : 200;
  for (let i = 0; i < calls; i++) {
    w.store.touch(other.code);
    await new Promise((r) => setTimeout(r, 10));
  }
  const c = sample(watcher.pid);
  const sent = performance.now();
  const { message } = await w.intercom.send(w.human, s.code, 'after a long idle');
  const r = await watcher.exited;
  if (r.code !== 2 || !r.stderr.includes(message.id)) throw new Error(`idle watcher exited ${r.code}, expected 2 with the message`);
  const wakeMs = r.exitAt - sent;
  log(`idle: ${idleMs / 1000} s`);
  const cpuMs = (b.cpuNs - a.cpuNs) / 1e6;
  const wakes = b.vol + b.invol - (a.vol + a.invol);
  const hwmMb = b.hwmKb / 1024;
  const secs = idleMs / 1000;
  return {
    rows: [
      { id: 'idle.cpu', name: `Idle watcher, ${secs} s: CPU time used (all threads)`, value: `${cpuMs.toFixed(1)} ms`, target: '< 50 ms', met: cpuMs < 50, data: { cpuMs: round(cpuMs), startupCpuMs: round(a.cpuNs / 1e6), ticksMs: b.ticksMs - a.ticksMs } },
      { id: 'idle.rss', name: 'Idle watcher: peak RSS (VmHWM)', value: `${hwmMb.toFixed(1)} MB`, display: `now ${(b.rssKb / 1024).toFixed(1)} MB, ${b.threads} threads`, target: '≤ 60 MB', met: hwmMb <= 60, data: { hwmKb: b.hwmKb, rssKb: b.rssKb, threads: b.threads } },
      { id: 'idle.wakes', name: `Idle watcher, ${secs} s: wake-ups (context switches, all threads)`, value: `${wakes}`, display: `main thread ${b.mainVol - a.mainVol}; ${(wakes / secs).toFixed(2)}/s`, target: '—', met: null, data: { wakes, mainThread: b.mainVol - a.mainVol, voluntary: b.vol - a.vol, involuntary: b.invol - a.invol } },
      {
        id: 'idle.neighbour',
        name: `Idle watcher while another session makes ${calls} tool calls: wake-ups / CPU`,
        value: `${c.vol + c.invol - (b.vol + b.invol)} / ${((c.cpuNs - b.cpuNs) / 1e6).toFixed(1)} ms`,
        target: '—',
        met: null,
        data: { calls, wakes: c.vol + c.invol - (b.vol + b.invol), cpuMs: round((c.cpuNs - b.cpuNs) / 1e6) },
      },
      { id: 'idle.startupCpu', name: 'Watcher start-up CPU (spawn -> lease + settle)', value: `${(a.cpuNs / 1e6).toFixed(1)} ms`, target: '—', met: null },
      { id: 'idle.wakeAfter', name: `Wake after ${secs} s idle: send -> exit 2`, value: `${wakeMs.toFixed(1)} ms`, target: '—', met: null },
    ],
    data: { idleMs, before: a, after: b, afterNeighbour: c },
  };
}
