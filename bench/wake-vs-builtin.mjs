#!/usr/bin/env node
// Wake latency: claude-intercom vs Claude Code's built-in cross-session messaging, measured in the
// same run, the same way, against the real Claude Code and a scripted mock model.
//
//   node bench/wake-vs-builtin.mjs [--samples=25] [--idle-ms=1000] [--out=bench/results/wake-vs-builtin.json]
//
// One sample: the sender's model (typed a prompt) answers with one tool call that sends a message
// to an idle recipient: `mcp__intercom__send {to: <code>}` for intercom, `SendMessage {to: <name>}`
// for the built-in (sessions started with `claude --name`, SendMessage loaded once with ToolSearch).
// Three mechanisms, one after the other in one run: the built-in, intercom on its primary path
// (serve posts into the recipient's inbox socket), and intercom on its fallback (the watcher's
// asyncRewake; forced with `crossSessionInbound: "refuse"` in the recipient's user settings).
// Latency = from the moment the mock has finished writing that tool_use response to the moment
// the recipient's next request (carrying the message, nobody typing) reaches the mock. "Idle"
// means the recipient ended its last turn at least --idle-ms before the send.
//
// It needs `npm run build` (dist/) and the devDependency @anthropic-ai/claude-code. It reuses the
// end-to-end harness in test/e2e/support (TypeScript, bundled here on the fly with esbuild, which
// tsup already depends on). A benchmark: it prints numbers and never fails on them.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadHarness } from './lib/e2e-harness.mjs';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
// The harness finds the repository (dist/, node_modules/.bin/claude) from the working directory.
process.chdir(REPO);
const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const m = /^--([a-z-]+)=(.*)$/.exec(a);
    if (!m) {
      process.stderr.write(`usage: node bench/wake-vs-builtin.mjs [--samples=N] [--blocks=N] [--idle-ms=MS] [--out=FILE]\n`);
      process.exit(2);
    }
    return [m[1], m[2]];
  }),
);
const SAMPLES = Number(args.samples ?? 25);
const IDLE_MS = Number(args['idle-ms'] ?? 1000);
const OUT = args.out ?? join(REPO, 'bench/results/wake-vs-builtin.json');
const log = (msg) => process.stderr.write(`[wake-vs-builtin] ${msg}\n`);

function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)];
  const round = (x) => Math.round(x * 10) / 10;
  return {
    n: s.length,
    min: round(s[0]),
    p50: round(q(0.5)),
    p90: round(q(0.9)),
    max: round(s[s.length - 1]),
    mean: round(s.reduce((a, b) => a + b, 0) / s.length),
  };
}

const h = await loadHarness(REPO);
h.assertBuilt();
const mock = await h.startMockAnthropic(() => 'ok');
const cleanup = async () => {
  await h.cleanupAllSandboxes();
  await mock.close();
};
for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, () => void cleanup().then(() => process.exit(130)));

/** Run one mechanism: a sender and an idle recipient, SAMPLES sends. */
async function measure(mechanism) {
  const sbx = new h.Sandbox({ apiUrl: mock.url, name: `bench-${mechanism}` });
  try {
    // Same permissions in both: both sending tools allowed (behind the mock, auto mode's
    // server-side check for an unlisted tool cannot pass and would stop the turn).
    const allow = ['SendMessage', 'mcp__intercom'];
    const intercom = mechanism !== 'builtin';
    if (intercom) await h.install(sbx, allow);
    else sbx.writeUserSettings({ permissions: { allow } });
    if (mechanism === 'intercom-hooks') {
      const file = join(sbx.home, '.claude', 'settings.json');
      writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), crossSessionInbound: 'refuse' }, null, 2) + '\n');
    }

    const sender = await sbx.start('alice', { args: ['--name', 'alice'] });
    const recipient = await sbx.start('bob', { args: ['--name', 'bob'] });
    const isSender = (r) => r.kind === 'main' && r.sessionId === sender.sessionId;
    const isRecipient = (r) => r.kind === 'main' && r.sessionId === recipient.sessionId;
    const to = intercom ? await h.sessionCode(recipient) : 'bob';

    mock.setResponder((req) => {
      const text = h.newText(req);
      if (isSender(req)) {
        if (text.includes('LOAD-SENDMESSAGE')) return { tools: [{ name: 'ToolSearch', input: { query: 'select:SendMessage' } }] };
        const m = /BENCH-SEND (\d+)/.exec(text);
        if (m) {
          const message = `BENCH-MSG-${m[1]} please have a look`;
          return intercom
            ? { tools: [{ name: 'mcp__intercom__send', input: { to, message } }] }
            : { tools: [{ name: 'SendMessage', input: { to, message } }] };
        }
      }
      return 'ok';
    });

    const turnEnd = async (s, since) => {
      const r = await mock.waitFor((x) => x.kind === 'main' && x.sessionId === s.sessionId && x.reply?.stopReason === 'end_turn', {
        since,
        timeoutMs: 60_000,
        label: `end of ${s.name}'s turn`,
      });
      return mock.waitResponded(r);
    };

    // Warm-up, not measured: the recipient finishes a turn (its Stop hooks run), and the built-in
    // sender loads the deferred SendMessage tool.
    let since = mock.nextSeq;
    await recipient.submit('hello');
    let recipientIdleSince = await turnEnd(recipient, since);
    if (mechanism === 'builtin') {
      since = mock.nextSeq;
      await sender.submit('LOAD-SENDMESSAGE');
      await turnEnd(sender, since);
    }

    const samples = [];
    for (let i = 1; i <= SAMPLES; i++) {
      const idleFor = performance.now() - recipientIdleSince;
      if (idleFor < IDLE_MS) await new Promise((r) => setTimeout(r, IDLE_MS - idleFor));
      since = mock.nextSeq;
      await sender.submit(`BENCH-SEND ${i}`);
      const sendReq = await mock.waitFor((r) => isSender(r) && h.newText(r).includes(`BENCH-SEND ${i}`), { since, timeoutMs: 30_000 });
      const sentAt = await mock.waitResponded(sendReq);
      const wake = await h.withScreens(
        mock.waitFor((r) => isRecipient(r) && h.newText(r).includes(`BENCH-MSG-${i} `), { since, timeoutMs: 30_000, label: `the recipient's request with message ${i}` }),
        [sender, recipient],
      );
      const text = h.newText(wake);
      // How it arrived: a wake of the idle session, or (should not happen) as busy context.
      const idleWake =
        mechanism === 'intercom-hooks'
          ? text.includes('claude-intercom delivered this')
          : mechanism === 'intercom-socket'
            ? /Another Claude session sent a message:\n\[claude-intercom\]/.test(text)
            : /Another Claude session sent a message:/.test(text);
      const sample = { i, ms: wake.receivedAt - sentAt, idleWake };
      if (intercom) {
        // Where the time goes: the message id starts with the wall-clock ms at which serve stored
        // it, so split the figure at that instant (wall clocks of one machine, ~1 ms resolution).
        const id = new RegExp(`id="([0-9a-z]{17})"[^>]*>\\s*BENCH-MSG-${i} `).exec(text)?.[1];
        if (id) {
          const storedWall = parseInt(id.slice(0, 9), 36);
          const sentWall = sendReq.receivedWallAt + (sentAt - sendReq.receivedAt);
          sample.toInbox = storedWall - sentWall;
          sample.inboxToRequest = wake.receivedWallAt - storedWall;
        }
      }
      samples.push(sample);
      recipientIdleSince = await turnEnd(recipient, wake.seq);
      await turnEnd(sender, since);
      log(`${mechanism} #${i}: ${(wake.receivedAt - sentAt).toFixed(1)} ms${idleWake ? '' : ' (not an idle wake)'}`);
    }
    return samples;
  } finally {
    await sbx.cleanup();
  }
}

let exitCode = 0;
try {
  const claudeVersion = execFileSync(join(REPO, 'node_modules/.bin/claude'), ['--version'], { encoding: 'utf8' }).trim();
  const load = loadavg().map((x) => x.toFixed(2));
  log(`${SAMPLES} samples each, idle ${IDLE_MS} ms before each send; Claude Code ${claudeVersion}; load ${load.join(' ')}`);
  // Interleaved in blocks, so a slow minute of this shared machine does not land on one mechanism only.
  const MECHANISMS = ['builtin', 'intercom-socket', 'intercom-hooks'];
  const all = Object.fromEntries(MECHANISMS.map((m) => [m, []]));
  const blocks = Number(args.blocks ?? 1);
  for (let b = 0; b < blocks; b++) for (const m of MECHANISMS) all[m].push(...(await measure(m)));
  const idleMs = (m) => all[m].filter((s) => s.idleWake);
  const summary = {
    builtin: stats(idleMs('builtin').map((s) => s.ms)),
    intercomSocket: stats(idleMs('intercom-socket').map((s) => s.ms)),
    intercomHooks: stats(idleMs('intercom-hooks').map((s) => s.ms)),
    socketToInbox: stats(idleMs('intercom-socket').filter((s) => s.toInbox !== undefined).map((s) => s.toInbox)),
    socketInboxToRequest: stats(idleMs('intercom-socket').filter((s) => s.inboxToRequest !== undefined).map((s) => s.inboxToRequest)),
  };
  summary.ratios = {
    socketP50OverBuiltin: Math.round((summary.intercomSocket.p50 / summary.builtin.p50) * 100) / 100,
    socketMaxOverBuiltin: Math.round((summary.intercomSocket.max / summary.builtin.max) * 100) / 100,
    hooksP50OverBuiltin: Math.round((summary.intercomHooks.p50 / summary.builtin.p50) * 100) / 100,
  };
  const result = {
    benchmark: 'wake-vs-builtin',
    definition:
      "ms from the mock finishing the sender's send tool_use response to the idle recipient's next request reaching the mock",
    date: new Date().toISOString(),
    claudeCode: claudeVersion,
    node: process.version,
    cpus: cpus().length,
    loadavgStart: load,
    idleMs: IDLE_MS,
    summary,
    samples: all,
  };
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, JSON.stringify(result, null, 2) + '\n');
  const row = (name, s) => `${name.padEnd(16)} n=${String(s.n).padStart(3)}  p50 ${String(s.p50).padStart(7)} ms  p90 ${String(s.p90).padStart(7)} ms  max ${String(s.max).padStart(7)} ms  (min ${s.min}, mean ${s.mean})`;
  process.stdout.write(`wake latency, idle recipient (send tool_use sent -> recipient's request at the mock)\n`);
  process.stdout.write(`${row('builtin', summary.builtin)}\n${row('intercom socket', summary.intercomSocket)}\n${row('intercom hooks', summary.intercomHooks)}\n`);
  process.stdout.write(
    `intercom socket / builtin: p50 ${summary.ratios.socketP50OverBuiltin} x, max ${summary.ratios.socketMaxOverBuiltin} x; hooks / builtin p50 ${summary.ratios.hooksP50OverBuiltin} x\n` +
      `socket path split where serve stored the message: tool_use sent -> stored p50 ${summary.socketToInbox.p50} ms; stored -> recipient's request p50 ${summary.socketInboxToRequest.p50} ms\n`,
  );
  const notIdle = Object.values(all).flat().filter((s) => !s.idleWake).length;
  if (notIdle) process.stdout.write(`(${notIdle} sample(s) were not idle wakes and are left out of the summary; see the JSON)\n`);
  process.stdout.write(`written to ${OUT}\n`);
} catch (err) {
  process.stderr.write(`wake-vs-builtin: ${err?.stack ?? err}\n`);
  exitCode = 1;
} finally {
  await cleanup();
}
process.exit(exitCode);
