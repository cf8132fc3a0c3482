#!/usr/bin/env node
// Wake latency: claude-intercom vs Claude Code's built-in cross-session messaging, measured in the
// same run, the same way, against the real Claude Code and a scripted mock model.
//
//   node bench/wake-vs-builtin.mjs [--samples=25] [--idle-ms=1000] [--out=bench/results/wake-vs-builtin.json]
//
// One sample: the sender's model (typed a prompt) answers with one tool call that sends a message
// to an idle recipient: `mcp__intercom__send {to: <code>}` for intercom, `SendMessage {to: <name>}`
// for the built-in (sessions started with `claude --name`, SendMessage loaded once with ToolSearch).
// Latency = from the moment the mock has finished writing that tool_use response to the moment
// the recipient's next request (carrying the message, nobody typing) reaches the mock. "Idle"
// means the recipient ended its last turn at least --idle-ms before the send.
//
// It needs `npm run build` (dist/) and the devDependency @anthropic-ai/claude-code. It reuses the
// end-to-end harness in test/e2e/support (TypeScript, bundled here on the fly with esbuild, which
// tsup already depends on). A benchmark: it prints numbers and never fails on them.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
// The harness finds the repository (dist/, node_modules/.bin/claude) from the working directory.
process.chdir(REPO);
const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const m = /^--([a-z-]+)=(.*)$/.exec(a);
    if (!m) {
      process.stderr.write(`usage: node bench/wake-vs-builtin.mjs [--samples=N] [--idle-ms=MS] [--out=FILE]\n`);
      process.exit(2);
    }
    return [m[1], m[2]];
  }),
);
const SAMPLES = Number(args.samples ?? 25);
const IDLE_MS = Number(args['idle-ms'] ?? 1000);
const OUT = args.out ?? join(REPO, 'bench/results/wake-vs-builtin.json');
const log = (msg) => process.stderr.write(`[wake-vs-builtin] ${msg}\n`);

/** The e2e harness, bundled from TypeScript into a temp module. */
async function loadHarness() {
  const { build } = await import('esbuild');
  const dir = mkdtempSync(join(tmpdir(), 'wake-vs-builtin-'));
  const outfile = join(dir, 'harness.mjs');
  await build({
    stdin: {
      contents: ['mock-anthropic', 'claude', 'intercom', 'procs'].map((m) => `export * from './${m}.ts';`).join('\n'),
      resolveDir: join(REPO, 'test/e2e/support'),
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    logLevel: 'warning',
  });
  const harness = await import(pathToFileURL(outfile).href);
  rmSync(dir, { recursive: true, force: true });
  return harness;
}

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

const h = await loadHarness();
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
    if (mechanism === 'intercom') await h.install(sbx, allow);
    else sbx.writeUserSettings({ permissions: { allow } });

    const sender = await sbx.start('alice', { args: ['--name', 'alice'] });
    const recipient = await sbx.start('bob', { args: ['--name', 'bob'] });
    const isSender = (r) => r.kind === 'main' && r.sessionId === sender.sessionId;
    const isRecipient = (r) => r.kind === 'main' && r.sessionId === recipient.sessionId;
    const to = mechanism === 'intercom' ? await h.sessionCode(recipient) : 'bob';

    mock.setResponder((req) => {
      const text = h.newText(req);
      if (isSender(req)) {
        if (text.includes('LOAD-SENDMESSAGE')) return { tools: [{ name: 'ToolSearch', input: { query: 'select:SendMessage' } }] };
        const m = /BENCH-SEND (\d+)/.exec(text);
        if (m) {
          const message = `BENCH-MSG-${m[1]} please have a look`;
          return mechanism === 'intercom'
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
      const idleWake = mechanism === 'intercom' ? text.includes('Stop hook') : /Another Claude session sent a message:/.test(text);
      const sample = { i, ms: wake.receivedAt - sentAt, idleWake };
      if (mechanism === 'intercom') {
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
  const builtin = await measure('builtin');
  const intercom = await measure('intercom');
  const summary = {
    builtin: stats(builtin.filter((s) => s.idleWake).map((s) => s.ms)),
    intercom: stats(intercom.filter((s) => s.idleWake).map((s) => s.ms)),
    intercomToInbox: stats(intercom.filter((s) => s.idleWake && s.toInbox !== undefined).map((s) => s.toInbox)),
    intercomInboxToRequest: stats(intercom.filter((s) => s.idleWake && s.inboxToRequest !== undefined).map((s) => s.inboxToRequest)),
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
    samples: { builtin, intercom },
  };
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, JSON.stringify(result, null, 2) + '\n');
  const row = (name, s) => `${name.padEnd(9)} n=${String(s.n).padStart(3)}  p50 ${String(s.p50).padStart(7)} ms  p90 ${String(s.p90).padStart(7)} ms  max ${String(s.max).padStart(7)} ms  (min ${s.min}, mean ${s.mean})`;
  process.stdout.write(`wake latency, idle recipient (send tool_use sent -> recipient's request at the mock)\n`);
  process.stdout.write(`${row('builtin', summary.builtin)}\n${row('intercom', summary.intercom)}\n`);
  process.stdout.write(
    `intercom, split where serve stored the message: tool_use sent -> stored p50 ${summary.intercomToInbox.p50} ms; ` +
      `stored -> recipient's request p50 ${summary.intercomInboxToRequest.p50} ms\n`,
  );
  const notIdle = [...builtin, ...intercom].filter((s) => !s.idleWake).length;
  if (notIdle) process.stdout.write(`(${notIdle} sample(s) were not idle wakes and are left out of the summary; see the JSON)\n`);
  process.stdout.write(`written to ${OUT}\n`);
} catch (err) {
  process.stderr.write(`wake-vs-builtin: ${err?.stack ?? err}\n`);
  exitCode = 1;
} finally {
  await cleanup();
}
process.exit(exitCode);
