// 3. Broadcast fan-out: 50 live sessions, each with its idle watcher; one send to `all`; the time
// from send returning until the last watcher has exited 2.
import { round, summary } from '../lib/stats.mjs';
import { makeWorld } from '../lib/world.mjs';
import { startWatcher } from '../lib/watcher.mjs';

const SESSIONS = 50;
const SETTLE_MS = 250;

export async function run(ctx) {
  const { api, app, root, quick, log } = ctx;
  const w = makeWorld(root, 'broadcast', api);
  const sessions = Array.from({ length: SESSIONS }, () => w.session());
  const repeats = quick ? 3 : 20;
  const last = [];
  const first = [];
  const lastFromCall = [];
  const sendMs = [];
  for (let i = 0; i < repeats; i++) {
    const watchers = sessions.map((s) => ({ s, watcher: startWatcher(app, w.env(s.pid)) }));
    await Promise.all(watchers.map(({ s, watcher }) => w.leaseHeld(s.code, watcher.pid, 60_000)));
    // Fifty Node processes just started on a small machine: let them go idle before the send.
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const ts = performance.now();
    const { message, recipients } = await w.intercom.send(w.human, 'all', `broadcast #${i}`);
    const sent = performance.now();
    if (recipients.length !== SESSIONS) throw new Error(`broadcast reached ${recipients.length} sessions, expected ${SESSIONS}`);
    const results = await Promise.all(watchers.map(({ watcher }) => watcher.exited));
    const bad = results.filter((r) => r.code !== 2 || !r.stderr.includes(message.id));
    if (bad.length) throw new Error(`${bad.length} watcher(s) did not exit 2 with the broadcast (codes ${bad.map((r) => r.code).join(',')})`);
    const exits = results.map((r) => r.exitAt - sent);
    last.push(Math.max(...exits));
    lastFromCall.push(Math.max(...exits) + (sent - ts));
    first.push(Math.min(...exits));
    sendMs.push(sent - ts);
    for (const s of sessions) w.store.ackAll(s.code);
  }
  log(`broadcast: ${repeats} repeats x ${SESSIONS} sessions`);
  const d = summary(last);
  const dc = summary(lastFromCall);
  return {
    rows: [
      { id: 'broadcast.last', name: `Broadcast to ${SESSIONS} idle sessions: send returned -> last watcher exit 2 (p50 / p99, ${repeats} sends)`, value: `${d.p50.toFixed(1)} ms / ${d.p99.toFixed(1)} ms`, target: '≤ 100 ms', met: d.p99 <= 100, data: d },
      { id: 'broadcast.lastFromCall', name: 'Broadcast: send called -> last watcher exit 2 (p50 / p99)', value: `${dc.p50.toFixed(1)} ms / ${dc.p99.toFixed(1)} ms`, target: '—', met: null, data: dc },
      { id: 'broadcast.first', name: 'Broadcast: send -> first watcher exit 2 (p50)', value: `${summary(first).p50.toFixed(1)} ms`, target: '—', met: null, data: summary(first) },
      { id: 'broadcast.send', name: `Broadcast: send() itself to ${SESSIONS} sessions (p50)`, value: `${round(summary(sendMs).p50, 2)} ms`, target: '—', met: null, data: summary(sendMs) },
    ],
    data: { sessions: SESSIONS, repeats, settleMs: SETTLE_MS },
  };
}
