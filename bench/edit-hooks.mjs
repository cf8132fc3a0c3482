#!/usr/bin/env node
// What the edit hooks add to every file edit, in real `claude -p` runs against a scripted mock
// model, all variants side by side in one rotation:
//
//   node bench/edit-hooks.mjs [--rounds=6] [--edits=8] [--out=bench/results/edit-hooks.json]
//
// Each run is one `claude -p` whose model makes --edits Write calls to new files (no conflict:
// nobody else touched them). Per edit we take the time from the mock having finished sending the
// Write tool_use to the next request reaching it: Claude Code's whole tool round trip, hooks
// included. Variants (each its own sandbox, set up by intercom's installer; they differ only in
// the PreToolUse entry on the edit tools):
//   base      no PreToolUse hook (the PostToolUse hook, which records the edit, is in every variant)
//   node      a PreToolUse command hook running `node` on an empty file: the cost of any Node hook
//   command   intercom's PreToolUse command hook (dist/hook.cjs hook), as installed
//   mcp_tool  intercom's PreToolUse mcp_tool hook on the session's own serve (no process)
//   command@50, mcp_tool@50   the same with 50 other live sessions in the store, with 1,000
//             activity records (20 each, other files of the same repository) and 50 reservations
// Added time per edit = variant p50 - base p50. A benchmark: it prints numbers, it never fails on them.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(REPO);
const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const m = /^--([a-z-]+)=(.*)$/.exec(a);
    if (!m) {
      process.stderr.write('usage: node bench/edit-hooks.mjs [--rounds=N] [--edits=N] [--out=FILE]\n');
      process.exit(2);
    }
    return [m[1], m[2]];
  }),
);
const ROUNDS = Number(args.rounds ?? 6);
const EDITS = Number(args.edits ?? 8);
const OUT = args.out ?? join(REPO, 'bench/results/edit-hooks.json');
const log = (msg) => process.stderr.write(`[edit-hooks] ${msg}\n`);

async function loadHarness() {
  const { build } = await import('esbuild');
  const dir = mkdtempSync(join(tmpdir(), 'edit-hooks-'));
  const outfile = join(dir, 'harness.mjs');
  await build({
    stdin: {
      contents: [
        ...['mock-anthropic', 'claude', 'intercom'].map((m) => `export * from './${m}.ts';`),
        `export { FsStore } from '../../../src/store/fs/fs-store.ts';`,
        `export { Coordination } from '../../../src/core/coordination.ts';`,
        `export { processStart } from '../../../src/os/proc.ts';`,
        `export { editMcpToolEntries } from '../../../src/claude/hook-spec.ts';`,
      ].join('\n'),
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
  const r = (x) => Math.round(x * 10) / 10;
  return { n: s.length, min: r(s[0]), p25: r(q(0.25)), p50: r(q(0.5)), p75: r(q(0.75)), p90: r(q(0.9)), max: r(s[s.length - 1]) };
}

const h = await loadHarness();
h.assertBuilt();
const scripts = new Map();
const mock = await h.startMockAnthropic((req) => {
  const s = req.kind === 'main' && req.sessionId ? scripts.get(req.sessionId) : undefined;
  if (!s || s.next >= s.files.length) return 'done';
  return { tools: [{ name: 'Write', input: { file_path: s.files[s.next++], content: 'export const x = 1;\n' } }] };
});
const sleepers = [];
const cleanup = async () => {
  for (const p of sleepers) p.kill('SIGKILL');
  await h.cleanupAllSandboxes();
  await mock.close();
};
for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, () => void cleanup().then(() => process.exit(130)));

/** A sandbox with intercom installed and the PreToolUse entry of `kind`; `crowd` other sessions in its store. */
async function variant(key, kind, crowd) {
  const sbx = new h.Sandbox({ apiUrl: mock.url, name: `eh-${key.replace('@', '-')}` });
  await h.install(sbx, ['Write', 'Read', 'Edit']);
  const path = join(sbx.home, '.claude', 'settings.json');
  const settings = JSON.parse(readFileSync(path, 'utf8'));
  const installedPre = settings.hooks.PreToolUse;
  const matcher = installedPre[0].matcher;
  if (kind === 'base') delete settings.hooks.PreToolUse;
  if (kind === 'node') {
    const empty = join(sbx.root, 'empty.cjs');
    writeFileSync(empty, '');
    settings.hooks.PreToolUse = [{ matcher, hooks: [{ type: 'command', command: `exec ${process.execPath} ${empty}`, timeout: 10 }] }];
  }
  if (kind === 'mcp_tool') {
    const pre = h.editMcpToolEntries().find((e) => e.event === 'PreToolUse');
    settings.hooks.PreToolUse = [{ matcher: pre.matcher, hooks: [pre.hook] }];
  }
  writeFileSync(path, JSON.stringify(settings, null, 2));
  const project = realpathSync(sbx.project);
  if (crowd > 0) {
    const store = h.FsStore.open(sbx.intercomHome);
    const coordination = new h.Coordination(store);
    for (let i = 0; i < crowd; i++) {
      const p = spawn('sleep', ['100000'], { stdio: 'ignore' });
      sleepers.push(p);
      const s = store.register({ pid: p.pid, pidStart: h.processStart(p.pid), serverPid: p.pid, projectRoot: project, projectName: 'project', cwd: project, startedAt: Date.now() });
      await coordination.setStatus(s, `working on part ${i}`);
      for (let j = 0; j < 20; j++) await coordination.recordEdit(s.code, join(project, `part${i}`, `file${j}.ts`), project, 'Edit');
      await coordination.reserve(s, [`part${i}/**`], 120, `part ${i}`);
    }
    const view = store.coordination(Date.now());
    const records = view.reduce((n, v) => n + v.activity.length, 0);
    if (view.length !== crowd || records !== crowd * 20) throw new Error(`crowd not in place: ${view.length} sessions, ${records} records`);
  }
  return { key, sbx, project, samples: [], perRound: [] };
}

const variants = [];
try {
  for (const [key, kind, crowd] of [
    ['base', 'base', 0],
    ['node', 'node', 0],
    ['command', 'command', 0],
    ['mcp_tool', 'mcp_tool', 0],
    ['command@50', 'command', 50],
    ['mcp_tool@50', 'mcp_tool', 50],
  ]) {
    variants.push(await variant(key, kind, crowd));
  }
  log(`${variants.length} variants, ${ROUNDS} rounds of one claude -p with ${EDITS} Writes each; load ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  for (let round = 0; round < ROUNDS + 1; round++) {
    for (const v of variants) {
      const sessionId = crypto.randomUUID();
      const files = Array.from({ length: EDITS }, (_, i) => join(v.project, `r${round}`, `f${i}.ts`));
      scripts.set(sessionId, { files, next: 0 });
      const run = await v.sbx.print('EDIT-BENCH: write the files', { args: ['--session-id', sessionId] });
      if (run.code !== 0) throw new Error(`${v.key}: claude -p exited ${run.code}: ${run.stderr}`);
      const reqs = mock.mainRequests(sessionId);
      const gaps = [];
      for (let i = 1; i < reqs.length; i++) {
        const prev = reqs[i - 1];
        if (prev.reply?.tools[0]?.name !== 'Write') continue;
        const result = h.newToolResults(reqs[i].body)[0];
        if (!result || result.isError) throw new Error(`${v.key}: a Write failed or was refused: ${result?.text}`);
        gaps.push(reqs[i].receivedAt - prev.respondedAt);
      }
      if (gaps.length !== EDITS) throw new Error(`${v.key}: ${gaps.length} of ${EDITS} Writes came back`);
      if (round > 0) {
        // round 0 warms the caches
        v.samples.push(...gaps);
        v.perRound.push(stats(gaps).p50);
      }
    }
    log(`round ${round}/${ROUNDS} done`);
  }
} finally {
  await cleanup();
}

const base = stats(variants[0].samples);
const byKey = Object.fromEntries(variants.map((v) => [v.key, stats(v.samples)]));
const added = Object.fromEntries(variants.slice(1).map((v) => [v.key, Math.round((byKey[v.key].p50 - base.p50) * 10) / 10]));
// Paired: per round, the variant's median minus base's median in that same round (the runs of one
// round are back to back, so slow drifts of the machine's load cancel); then the median over rounds.
const paired = Object.fromEntries(
  variants.slice(1).map((v) => {
    const diffs = v.perRound.map((x, i) => x - variants[0].perRound[i]);
    return [v.key, stats(diffs)];
  }),
);
const result = {
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, loadavg: loadavg() },
  rounds: ROUNDS,
  editsPerRun: EDITS,
  perEditMs: byKey,
  addedP50Ms: added,
  addedPairedPerRoundMs: paired,
  ratios: {
    commandOverNode: Math.round((added.command / added.node) * 100) / 100,
    command50OverCommand: Math.round((added['command@50'] / added.command) * 100) / 100,
    mcpTool50OverMcpTool: Math.round((added['mcp_tool@50'] / added.mcp_tool) * 100) / 100,
  },
};
writeFileSync(OUT, JSON.stringify(result, null, 2) + '\n');
process.stdout.write(`\nPer Write, Claude Code's tool round trip (ms), ${ROUNDS} runs x ${EDITS} edits per variant:\n`);
for (const v of variants) {
  const s = byKey[v.key];
  process.stdout.write(`  ${v.key.padEnd(12)} p25 ${s.p25}  p50 ${s.p50}  p75 ${s.p75}  p90 ${s.p90}${v.key === 'base' ? '' : `   added p50 ${added[v.key]}`}\n`);
}
process.stdout.write('Added per edit, paired by round (variant p50 - base p50 in the same round; over rounds):\n');
for (const [k, s] of Object.entries(paired)) process.stdout.write(`  ${k.padEnd(12)} p25 ${s.p25}  p50 ${s.p50}  p75 ${s.p75}  (min ${s.min}, max ${s.max})\n`);
process.stdout.write(`ratios: ${JSON.stringify(result.ratios)}\nwritten to ${OUT}\n`);
