// 2. Wake latency: from `send` returning (in this process, through the built Intercom/FsStore) to
// the idle watcher's exit with code 2, as Claude Code would see it.
import { round, summary } from '../lib/stats.mjs';
import { makeWorld } from '../lib/world.mjs';
import { startWatcher } from '../lib/watcher.mjs';

/** How long a watcher sits idle after taking its lease before the message is sent (see BENCHMARKS.md). */
export const SETTLE_MS = 25;

export async function run(ctx) {
  const { api, app, root, quick, log } = ctx;
  const w = makeWorld(root, 'wake', api);
  const s = w.session();
  const n = quick ? 30 : 200;
  const lat = [];
  const sendMs = [];
  const toStderr = [];
  for (let i = 0; i < n + 2; i++) {
    const watcher = startWatcher(app, w.env(s.pid));
    await w.leaseHeld(s.code, watcher.pid);
    await sleep(SETTLE_MS);
    const ts = performance.now();
    const { message } = await w.intercom.send(w.human, s.code, `wake up #${i}`);
    const sent = performance.now();
    const r = await watcher.exited;
    if (r.code !== 2 || !r.stderr.includes(message.id)) throw new Error(`watcher exited ${r.code} (expected 2 with ${message.id}); stderr ${r.stderr.slice(0, 300)}`);
    w.store.ackAll(s.code);
    if (i >= 2) {
      lat.push(r.exitAt - sent);
      toStderr.push(r.firstStderrAt - sent);
      sendMs.push(sent - ts);
    }
  }
  log(`wake: ${n} messages`);
  const d = summary(lat);
  return {
    rows: [
      { id: 'wake.p50', name: `Wake latency, send returned -> watcher exit 2: p50 (${n} msgs)`, value: `${d.p50.toFixed(2)} ms`, target: '≤ 5 ms', met: d.p50 <= 5, data: d },
      { id: 'wake.p99', name: `Wake latency: p99 (${n} msgs)`, value: `${d.p99.toFixed(2)} ms`, target: '≤ 25 ms', met: d.p99 <= 25, data: d },
      { id: 'wake.delivered', name: 'Wake: send returned -> message on the watcher\'s stderr (p50 / p99)', value: `${summary(toStderr).p50.toFixed(2)} ms / ${summary(toStderr).p99.toFixed(2)} ms`, target: '—', met: null, data: summary(toStderr) },
      { id: 'wake.send', name: 'send() itself, one recipient (p50 / p99)', value: `${round(summary(sendMs).p50, 3)} ms / ${round(summary(sendMs).p99, 3)} ms`, target: '—', met: null, data: summary(sendMs) },
    ],
    data: { settleMs: SETTLE_MS, latency: d },
  };
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
