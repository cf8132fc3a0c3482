#!/usr/bin/env node
// What intercom's busy-path hook adds to every tool call, in real `claude -p` runs against the mock
// model, side by side in one run (rounds interleave the variants):
//
//   none       no intercom at all (the baseline)
//   mcp_tool   intercom installed for this Claude Code: PostToolUse/PostToolUseFailure are
//              `mcp_tool` hooks answered by the session's own serve (no process)
//   command    intercom installed as for a Claude Code without mcp_tool hooks: a `hook.cjs`
//              process per tool call
//   node       no intercom; a PostToolUse command hook running `node` on an empty file (the
//              cost of one Node start: the yardstick for the command hook)
//
// One run = `claude -p` whose model makes --calls Bash calls (`echo`) one after the other, then ends.
// Added time per tool call = (run time - the same round's `none` run) / calls. Then one more run
// of each variant under `strace -f -e trace=execve` counts the processes started per tool call.
//
//   node bench/claude-hook-cost.mjs [--rounds=6] [--calls=8] [--out=bench/results/claude-hook-cost.json]
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadHarness } from './lib/e2e-harness.mjs';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(REPO);
const args = Object.fromEntries(process.argv.slice(2).map((a) => (/^--([a-z-]+)=(.*)$/.exec(a) ?? [null, a, 'true']).slice(1)));
const ROUNDS = Number(args.rounds ?? 6);
const CALLS = Number(args.calls ?? 8);
const OUT = args.out ?? join(REPO, 'bench/results/claude-hook-cost.json');
const log = (m) => process.stderr.write(`[claude-hook-cost] ${m}\n`);

const h = await loadHarness(REPO);
h.assertBuilt();
const mock = await h.startMockAnthropic((req) => {
  const results = req.body ? h.newToolResults(req.body) : [];
  const done = results.filter((r) => /^call-\d+/.test(r.text.trim())).length;
  const n = Number(/call-(\d+)/.exec(results.map((r) => r.text).join('\n'))?.[1] ?? 0);
  const calls = Number(/HOOK-COST calls=(\d+)/.exec(JSON.stringify(req.body?.messages?.[0] ?? ''))?.[1] ?? CALLS);
  if (h.newText(req).includes('HOOK-COST') || (done > 0 && n < calls)) {
    return { tools: [{ name: 'Bash', input: { command: `echo call-${n + 1}`, description: 'echo' } }] };
  }
  return 'done';
});

/** A sandbox per variant, set up once. */
async function sandbox(variant) {
  const sbx = new h.Sandbox({ apiUrl: mock.url, name: `cost-${variant}` });
  const allow = ['Bash'];
  if (variant === 'mcp_tool') await h.install(sbx, allow);
  else if (variant === 'command') {
    // The installer, with no `claude` on its PATH: it writes the command hooks every version runs.
    execFileSync(process.execPath, [h.CLI_JS, 'install', '--yes', '--scope', 'user'], {
      env: { PATH: '/usr/bin:/bin', HOME: sbx.home, CLAUDE_INTERCOM_HOME: sbx.intercomHome, USER: 'bench' },
      cwd: sbx.project,
      stdio: 'ignore',
    });
    const file = join(sbx.home, '.claude', 'settings.json');
    const s = JSON.parse(readFileSync(file, 'utf8'));
    s.permissions.allow.push(...allow);
    writeFileSync(file, JSON.stringify(s, null, 2) + '\n');
  } else if (variant === 'node') {
    const empty = join(sbx.root, 'empty.cjs');
    writeFileSync(empty, '');
    sbx.writeUserSettings({
      permissions: { allow },
      hooks: { PostToolUse: [{ matcher: '*', hooks: [{ type: 'command', command: `exec ${process.execPath} ${empty}`, timeout: 10 }] }] },
    });
  } else sbx.writeUserSettings({ permissions: { allow } });
  const settings = readFileSync(join(sbx.home, '.claude', 'settings.json'), 'utf8');
  const post = JSON.parse(settings).hooks?.PostToolUse?.[0]?.hooks?.[0]?.type ?? 'none';
  log(`${variant}: PostToolUse hook type ${post}`);
  return sbx;
}

/**
 * One run; returns its wall time and, per tool call, the gap from the mock finishing the tool_use
 * reply to Claude Code's next request (the tool, its hooks, Claude Code's own work): the hook's
 * cost lands there, and start-up and exit noise does not.
 */
async function runOnce(sbx) {
  const since = mock.nextSeq;
  const r = await sbx.print(`HOOK-COST calls=${CALLS}: make the calls`, { timeoutMs: 120_000 });
  if (r.code !== 0 || !r.stdout.includes('done')) throw new Error(`claude -p failed (${r.code}): ${r.stdout} ${r.stderr}`);
  const main = mock.requests.filter((x) => x.seq >= since && x.kind === 'main');
  const gaps = [];
  for (let i = 1; i < main.length; i++) if (main[i - 1].reply?.stopReason === 'tool_use') gaps.push(main[i].receivedAt - main[i - 1].respondedAt);
  if (gaps.length !== CALLS) throw new Error(`expected ${CALLS} tool calls, saw ${gaps.length}`);
  return { ms: r.ms, gaps };
}

/**
 * Processes started during one run with `calls` tool calls: distinct pids under strace -f (a hook's
 * `exec` replaces its shell, so it stays one process), and the programs they ran.
 */
function countProcesses(sbx, calls) {
  const trace = join(sbx.root, `strace-${calls}.out`);
  return new Promise((resolve, reject) => {
    const child = spawn('strace', ['-f', '-qq', '-s', '200', '-e', 'trace=execve', '-e', 'signal=none', '-o', trace, h.CLAUDE_BIN, '-p', `HOOK-COST calls=${calls}: make the calls`], {
      cwd: sbx.project,
      env: sbx.env(),
      stdio: 'ignore',
    });
    child.once('error', reject);
    child.once('close', () => {
      const lines = readFileSync(trace, 'utf8').split('\n').filter((l) => /execve\(/.test(l) && !/= -1 /.test(l));
      const pids = new Set(lines.map((l) => l.split(' ')[0]));
      const byProgram = {};
      for (const l of lines) {
        const argv = /\[(.*?)\]/.exec(l)?.[1] ?? '';
        const key = /hook\.cjs", "hook"/.test(argv) ? 'hook.cjs hook' : /hook\.cjs", "watch"/.test(argv) ? 'hook.cjs watch' : /cli\.js", "serve"/.test(argv) ? 'cli.js serve' : /empty\.cjs/.test(argv) ? 'node empty.cjs' : (/execve\("([^"]+)"/.exec(l)?.[1] ?? '?').split('/').pop();
        byProgram[key] = (byProgram[key] ?? 0) + 1;
      }
      resolve({ processes: pids.size, byProgram });
    });
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const r1 = (x) => Math.round(x * 10) / 10;
const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.round(q * (s.length - 1))))];
};

let code = 0;
try {
  const version = execFileSync(h.CLAUDE_BIN, ['--version'], { encoding: 'utf8' }).trim();
  const load = loadavg().map((x) => x.toFixed(2));
  log(`${ROUNDS} rounds x ${CALLS} Bash calls per run; Claude Code ${version}; load ${load.join(' ')}`);
  const VARIANTS = ['none', 'mcp_tool', 'command', 'node'];
  const boxes = Object.fromEntries(await Promise.all(VARIANTS.map(async (v) => [v, await sandbox(v)])));
  for (const v of VARIANTS) await runOnce(boxes[v]); // warm-up: caches, first-start work
  const runs = Object.fromEntries(VARIANTS.map((v) => [v, []]));
  const gaps = Object.fromEntries(VARIANTS.map((v) => [v, []]));
  const perCall = Object.fromEntries(VARIANTS.filter((v) => v !== 'none').map((v) => [v, []]));
  for (let round = 0; round < ROUNDS; round++) {
    // Rotate the order each round so no variant always follows another.
    const order = VARIANTS.map((_, i) => VARIANTS[(i + round) % VARIANTS.length]);
    const res = {};
    for (const v of order) res[v] = await runOnce(boxes[v]);
    for (const v of VARIANTS) {
      runs[v].push(res[v].ms);
      gaps[v].push(...res[v].gaps);
    }
    for (const v of Object.keys(perCall)) perCall[v].push((res[v].ms - res.none.ms) / CALLS);
    log(`round ${round + 1}: ${order.map((v) => `${v} ${res[v].ms.toFixed(0)} ms (tool gap p50 ${median(res[v].gaps).toFixed(0)})`).join(', ')}`);
  }
  // Processes per tool call: runs with CALLS and 2 x CALLS tool calls, the difference over CALLS
  // (what every run starts once, serve and the session hooks, cancels out).
  const procs = {};
  for (const v of VARIANTS) procs[v] = { once: await countProcesses(boxes[v], CALLS), twice: await countProcesses(boxes[v], 2 * CALLS) };
  const perCallProcs = (v) => (procs[v].twice.processes - procs[v].once.processes - (procs.none.twice.processes - procs.none.once.processes)) / CALLS;
  const summary = {};
  for (const v of Object.keys(perCall)) {
    const xs = perCall[v];
    summary[v] = {
      // Per tool call: median gap of this variant minus the median gap without any hook (all runs).
      addedPerToolGapMs: r1(median(gaps[v]) - median(gaps.none)),
      toolGapMs: { p50: r1(median(gaps[v])), p25: r1(quantile(gaps[v], 0.25)), p75: r1(quantile(gaps[v], 0.75)), n: gaps[v].length },
      addedPerCallMs: { p50: r1(median(xs)), min: r1(Math.min(...xs)), max: r1(Math.max(...xs)) },
      processesPerCall: r1(perCallProcs(v)),
      processesPerRunOverNone: procs[v].once.processes - procs.none.once.processes,
    };
  }
  summary.none = { toolGapMs: { p50: r1(median(gaps.none)), p25: r1(quantile(gaps.none, 0.25)), p75: r1(quantile(gaps.none, 0.75)), n: gaps.none.length } };
  summary.commandOverNode = r1((summary.command.addedPerToolGapMs / summary.node.addedPerToolGapMs) * 100) / 100;
  const result = { benchmark: 'claude-hook-cost', date: new Date().toISOString(), claudeCode: version, node: process.version, cpus: cpus().length, loadavgStart: load, rounds: ROUNDS, callsPerRun: CALLS, summary, runs, gaps, perCall, procs };
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, JSON.stringify(result, null, 2) + '\n');
  process.stdout.write(`per tool call, real claude -p (${ROUNDS} rounds x ${CALLS} calls): tool_use sent -> next request (p50 [p25-p75]), added over no hook; run time added / calls; processes\n`);
  process.stdout.write(`  none      gap ${summary.none.toolGapMs.p50} ms [${summary.none.toolGapMs.p25}-${summary.none.toolGapMs.p75}]\n`);
  for (const v of Object.keys(perCall)) {
    const s = summary[v];
    process.stdout.write(
      `  ${v.padEnd(9)} gap ${s.toolGapMs.p50} ms [${s.toolGapMs.p25}-${s.toolGapMs.p75}] => +${s.addedPerToolGapMs} ms per call; ` +
        `whole runs: p50 ${s.addedPerCallMs.p50} ms per call (min ${s.addedPerCallMs.min}, max ${s.addedPerCallMs.max}); ` +
        `processes per tool call ${s.processesPerCall}, per run beyond none ${s.processesPerRunOverNone}\n`,
    );
  }
  process.stdout.write(`  command hook / empty node start (added per call): ${summary.commandOverNode} x\n`);
  process.stdout.write(`  programs run (${CALLS} calls): ${VARIANTS.map((v) => `${v} ${procs[v].once.processes} processes ${JSON.stringify(procs[v].once.byProgram)}`).join('; ')}\n`);
  process.stdout.write(`written to ${OUT}\n`);
} catch (err) {
  process.stderr.write(`claude-hook-cost: ${err?.stack ?? err}\n`);
  code = 1;
} finally {
  await h.cleanupAllSandboxes();
  await mock.close();
}
process.exit(code);
