// 1. Hook cost per tool call: the hook command exactly as the installer writes it, through
// /bin/sh -c as Claude Code runs it, against `node` running an empty file, interleaved run by run.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { median, percentile, round, summary } from '../lib/stats.mjs';
import { timeProcess } from '../lib/procs.mjs';
import { makeWorld, shq, writeEmptyScript } from '../lib/world.mjs';

const POST_TOOL_USE = JSON.stringify({
  session_id: '3f1c2a9e-0000-4000-8000-bench0000000',
  transcript_path: '/tmp/bench.jsonl',
  cwd: '/tmp',
  hook_event_name: 'PostToolUse',
  tool_name: 'Bash',
  tool_input: { command: 'ls', description: 'List files' },
  tool_response: { stdout: 'README.md\n', stderr: '', interrupted: false },
});

export async function run(ctx) {
  const { api, app, root, quick, log } = ctx;
  const w = makeWorld(root, 'hook', api);
  const empty = writeEmptyScript(root);
  const hookCmd = api.hookCommand(process.execPath, app.cli, 'hook');
  // `exec` like the installed hook command, so the two differ only in what node runs.
  const emptyCmd = `exec ${shq(process.execPath)} ${shq(empty)}`;
  const cliCmd = `${shq(process.execPath)} ${shq(app.cli)} hook`;

  const s0 = w.session();
  const s10 = w.session();
  const s1k = w.session();
  w.fill(s10.code, 10);
  w.fill(s1k.code, 1000);

  const sh = (cmd, env) => timeProcess('/bin/sh', ['-c', cmd], { env, input: POST_TOOL_USE });
  /** Each variant: how to run it once, and how to check that it did the real thing. */
  const variants = [
    { key: 'node', label: 'node empty.cjs', run: () => sh(emptyCmd, w.env(s0.pid)), check: (r) => r.stdout === '' },
    { key: 'hook0', label: 'hook, empty inbox', run: () => sh(hookCmd, w.env(s0.pid)), check: (r) => r.stdout === '' },
    {
      key: 'hook10',
      label: 'hook, 10 unread',
      before: () => expectCount(w, s10.code, 10),
      run: () => sh(hookCmd, w.env(s10.pid)),
      check: (r) => deliveredCount(r.stdout) === 10 && !r.stdout.includes('More messages'),
      after: () => w.unclaim(s10.code),
    },
    {
      key: 'hook1k',
      label: 'hook, 1,000 unread',
      before: () => expectCount(w, s1k.code, 1000),
      run: () => sh(hookCmd, w.env(s1k.pid)),
      check: (r) => deliveredCount(r.stdout) === 20 && r.stdout.includes('More messages'),
      after: () => w.unclaim(s1k.code),
    },
    { key: 'cli0', label: 'node cli.js hook (ESM entry), empty inbox', run: () => sh(cliCmd, w.env(s0.pid)), check: (r) => r.stdout === '' },
  ];
  if (ctx.candidate) {
    // --compare: the same three hook variants on the other build, in the same rotation.
    const candCmd = api.hookCommand(process.execPath, ctx.candidate.cli, 'hook');
    for (const v of variants.filter((x) => x.key.startsWith('hook'))) {
      const sid = v.key === 'hook0' ? s0 : v.key === 'hook10' ? s10 : s1k;
      variants.push({ ...v, key: `cand${v.key.slice(4)}`, label: `${v.label} [--compare build]`, run: () => sh(candCmd, w.env(sid.pid)) });
    }
  }

  const n = quick ? 15 : 150;
  const samples = await interleave(variants, n, 3);
  log(`hook: ${n} runs per variant, interleaved`);

  const base = median(samples.node);
  const rows = [];
  const dist = {};
  for (const v of variants) {
    dist[v.key] = summary(samples[v.key]);
    const ratio = median(samples[v.key]) / base;
    const target = v.key === 'hook0' || v.key === 'cand0' ? 1.15 : undefined;
    rows.push({
      id: `hook.${v.key}`,
      name: `Hook per tool call: ${v.label} (p50 / p90)`,
      value: `${fmt(median(samples[v.key]))} / ${fmt(percentile(samples[v.key], 90))}`,
      ...(v.key === 'node' ? {} : { ratio: round(ratio, 3) }),
      target: target ? `≤ ${target}× node` : v.key === 'node' ? 'baseline' : '—',
      met: target ? ratio <= target : null,
      data: dist[v.key],
      display: v.key === 'node' ? undefined : `${round(ratio, 2)}× node`,
    });
  }

  const missed = Object.values(samples.misses).reduce((a, b) => a + b, 0);
  rows.push({
    id: 'hook.misses',
    name: 'Hook runs that delivered nothing although messages waited (not timed, rerun)',
    value: `${missed} in ${(ctx.candidate ? 4 : 2) * (n + 3) + missed} runs with 10 or 1,000 unread`,
    target: '0',
    met: missed === 0,
    data: samples.misses,
  });

  // The same hook through npx: what `"command": "npx claude-intercom hook"` would cost. Best case
  // for npx: the package is already installed locally (no registry round trip); a cold npx is worse.
  const npxRows = ctx.candidate ? [] : await npxComparison(ctx, w, s0, emptyCmd, hookCmd, quick ? 3 : 10);
  return { rows: [...rows, ...npxRows], data: { samplesPerVariant: n, hookCommand: hookCmd, emptyCommand: emptyCmd } };
}

/**
 * A B C A B C ...: every variant sees the same machine noise. Warm-up runs are dropped.
 * A run whose check fails with exit 0 and nothing on stdout is a *miss* (the hook did not deliver:
 * e.g. it read its stdin before it was written): counted in `misses`, not timed, and run again.
 * Anything else unexpected, or too many misses, means the benchmark is broken: throw.
 */
export async function interleave(variants, n, warmup = 0) {
  const samples = Object.fromEntries(variants.map((v) => [v.key, []]));
  samples.misses = Object.fromEntries(variants.map((v) => [v.key, 0]));
  for (let i = 0; i < n + warmup; i++) {
    for (const v of variants) {
      for (let attempt = 0; ; attempt++) {
        v.before?.();
        const r = await v.run();
        const ok = r.code === 0 && v.check(r);
        v.after?.();
        if (ok) {
          if (i >= warmup) samples[v.key].push(r.ms);
          break;
        }
        const miss = r.code === 0 && r.stdout === '' && r.stderr === '';
        if (!miss || attempt >= 5) {
          throw new Error(`${v.label}: unexpected result (exit ${r.code}, stdout ${JSON.stringify(r.stdout.slice(0, 300))}, stderr ${JSON.stringify(r.stderr.slice(0, 300))})`);
        }
        samples.misses[v.key]++;
      }
    }
  }
  return samples;
}

export function deliveredCount(stdout) {
  if (stdout === '') return 0;
  const text = JSON.parse(stdout).hookSpecificOutput.additionalContext;
  return (text.match(/<intercom-message /g) ?? []).length;
}

function expectCount(w, code, n) {
  const have = w.count(code);
  if (have !== n) throw new Error(`inbox of ${code} has ${have} unread, expected ${n}`);
}

const fmt = (x) => `${x.toFixed(1)} ms`;

async function npxComparison(ctx, w, s0, emptyCmd, hookCmd, n) {
  const { root, log } = ctx;
  const dir = join(root, 'npx');
  mkdirSync(dir, { recursive: true });
  // A packed tarball of this repo (without running prepack: the build is already there),
  // installed into a throwaway project, offline: the package has no runtime dependencies.
  const npmEnv = { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
  const packOut = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: ctx.app.app, env: npmEnv, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const tarball = join(dir, JSON.parse(packOut)[0].filename);
  execFileSync('npm', ['init', '-y'], { cwd: dir, env: npmEnv, stdio: 'ignore' });
  execFileSync('npm', ['install', '--offline', '--no-save', '--ignore-scripts', tarball], { cwd: dir, env: npmEnv, stdio: 'ignore' });
  const npxCmd = 'npx --no-install claude-intercom hook';
  const env = { ...w.env(s0.pid), npm_config_update_notifier: 'false' };
  const variants = [
    { key: 'node', label: 'node empty.cjs', run: () => timeProcess('/bin/sh', ['-c', emptyCmd], { env, cwd: dir, input: POST_TOOL_USE }), check: (r) => r.stdout === '' },
    { key: 'hook0', label: 'installed hook command', run: () => timeProcess('/bin/sh', ['-c', hookCmd], { env, cwd: dir, input: POST_TOOL_USE }), check: (r) => r.stdout === '' },
    { key: 'npx', label: npxCmd, run: () => timeProcess('/bin/sh', ['-c', npxCmd], { env, cwd: dir, input: POST_TOOL_USE }), check: (r) => r.stdout === '' && r.stderr === '' },
  ];
  const samples = await interleave(variants, n, 1);
  log(`hook via npx: ${n} runs per variant, interleaved`);
  const ratio = median(samples.npx) / median(samples.node);
  return [
    {
      id: 'hook.npx',
      name: `Hook through npx (installed locally, ${n} runs; p50 / p90)`,
      value: `${fmt(median(samples.npx))} / ${fmt(percentile(samples.npx, 90))}`,
      ratio: round(ratio, 3),
      display: `${round(ratio, 2)}× node`,
      target: 'for the record',
      met: null,
      data: { npx: summary(samples.npx), node: summary(samples.node), hook: summary(samples.hook0), command: npxCmd },
    },
  ];
}
