// The edit guard as a command hook: `hook.cjs hook` on PreToolUse of a Write that nobody else
// touched, against `node` on an empty file, interleaved run by run; once with a store holding only
// the editing session, once with 50 other live sessions, 1,000 activity records (20 each, other
// files of the same repository), 50 reservations and 50 status lines. Also PostToolUse of a Write
// (the hook that records the edit and delivers messages) for the record.
import { execFileSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import { interleave } from './hook.mjs';
import { median, percentile, round, summary } from '../lib/stats.mjs';
import { fakeClaude, timeProcess } from '../lib/procs.mjs';
import { makeWorld, shq, writeEmptyScript } from '../lib/world.mjs';

const CROWD = 50;
const RECORDS_EACH = 20;

function editInput(event, project, file) {
  return JSON.stringify({
    session_id: '3f1c2a9e-0000-4000-8000-bench0000000',
    transcript_path: '/tmp/bench.jsonl',
    cwd: project,
    hook_event_name: event,
    tool_name: 'Write',
    tool_input: { file_path: join(project, file), content: 'export const x = 1;\n' },
    ...(event === 'PostToolUse' ? { tool_response: { type: 'create', filePath: join(project, file) } } : {}),
  });
}

/** A world whose project is a git repository; with `crowd` other sessions that edit and hold other files. */
function guardWorld(ctx, name, crowd) {
  const w = makeWorld(ctx.root, name, ctx.api);
  execFileSync('git', ['init', '-q', '-b', 'main', w.project], { stdio: 'ignore' });
  const project = realpathSync(w.project);
  const gitCommonDir = join(project, '.git');
  const now = Date.now();
  for (let i = 0; i < crowd; i++) {
    const s = w.session();
    for (let j = 0; j < RECORDS_EACH; j++) {
      const relPath = `part${i}/file${j}.ts`;
      w.store.recordActivity(s.code, { path: join(project, relPath), worktree: project, relPath, gitCommonDir, branch: 'main', tool: 'Edit', at: now - j * 1000 });
    }
    w.store.setReservations(s.code, [{ patterns: [`part${i}/**`], worktree: project, gitCommonDir, reason: `part ${i}`, since: now, expiresAt: now + 3_600_000 }]);
    w.store.setStatus(s.code, { text: `working on part ${i}`, at: now });
  }
  const view = w.store.coordination(now);
  const records = view.reduce((n, v) => n + v.activity.length, 0);
  if (view.length !== crowd || records !== crowd * RECORDS_EACH) throw new Error(`${name}: ${view.length} sessions and ${records} records in place`);
  return { w, project };
}

export async function run(ctx) {
  const { api, app, root, quick, log } = ctx;
  const empty = writeEmptyScript(root);
  const hookCmd = api.hookCommand(process.execPath, app.cli, 'hook');
  const emptyCmd = `exec ${shq(process.execPath)} ${shq(empty)}`;
  const lone = guardWorld(ctx, 'guard-lone', 0);
  const crowd = guardWorld(ctx, 'guard-crowd', CROWD);
  const me = lone.w.session();
  const meCrowd = crowd.w.session();

  // Not timed: the guard really reads the crowd (a file one of them edited is refused).
  const probe = crowd.w.session(fakeClaude());
  const refused = await timeProcess('/bin/sh', ['-c', hookCmd], { env: crowd.w.env(probe.pid), input: editInput('PreToolUse', crowd.project, 'part7/file3.ts') });
  if (!refused.stdout.includes('"permissionDecision":"deny"')) throw new Error(`the guard did not refuse an edit of a crowd file: ${refused.stdout} ${refused.stderr}`);

  let i = 0;
  const fresh = () => `new/f${i++}.ts`; // never edited by anyone: no conflict
  const sh = (cmd, env, input) => timeProcess('/bin/sh', ['-c', cmd], { env, input });
  const variants = [
    { key: 'node', label: 'node empty.cjs', run: () => sh(emptyCmd, lone.w.env(me.pid), editInput('PreToolUse', lone.project, fresh())), check: (r) => r.stdout === '' },
    { key: 'pre', label: 'PreToolUse Write, no conflict, 1 session', run: () => sh(hookCmd, lone.w.env(me.pid), editInput('PreToolUse', lone.project, fresh())), check: (r) => r.stdout === '' },
    { key: 'pre50', label: `PreToolUse Write, no conflict, ${CROWD} other sessions / ${CROWD * RECORDS_EACH} records`, run: () => sh(hookCmd, crowd.w.env(meCrowd.pid), editInput('PreToolUse', crowd.project, fresh())), check: (r) => r.stdout === '' },
    { key: 'post', label: 'PostToolUse Write (records it), 1 session', run: () => sh(hookCmd, lone.w.env(me.pid), editInput('PostToolUse', lone.project, fresh())), check: (r) => r.stdout === '' },
  ];
  const n = quick ? 15 : 100;
  const samples = await interleave(variants, n, 3);
  log(`edit-guard: ${n} runs per variant, interleaved`);

  const node = median(samples.node);
  const pre = median(samples.pre);
  const rows = [];
  for (const v of variants) {
    const p50 = median(samples[v.key]);
    const ratio = p50 / node;
    const target = v.key === 'pre' ? 1.15 : v.key === 'pre50' ? 1.15 * 1.3 : undefined;
    rows.push({
      id: `edit-guard.${v.key}`,
      name: `Edit hook: ${v.label} (p50 / p90)`,
      value: `${p50.toFixed(1)} ms / ${percentile(samples[v.key], 90).toFixed(1)} ms`,
      ...(v.key === 'node' ? {} : { ratio: round(ratio, 3) }),
      target: target ? `≤ ${round(target, 2)}× node` : v.key === 'node' ? 'baseline' : '—',
      met: target ? ratio <= target : null,
      data: summary(samples[v.key]),
      display: v.key === 'node' ? undefined : `${round(ratio, 2)}× node`,
    });
  }
  const crowdRatio = (median(samples.pre50) - node) / Math.max(0.1, pre - node);
  rows.push({
    id: 'edit-guard.crowd',
    name: `Edit hook: added over node with ${CROWD} sessions / ${CROWD * RECORDS_EACH} records, vs with 1 session`,
    value: `${(median(samples.pre50) - node).toFixed(1)} ms vs ${(pre - node).toFixed(1)} ms`,
    ratio: round(crowdRatio, 2),
    display: `${round(median(samples.pre50) / pre, 3)}× the hook's time`,
    target: '≤ 1.3× the hook\'s time',
    met: median(samples.pre50) / pre <= 1.3,
    data: {},
  });
  return { rows, data: { samplesPerVariant: n, hookCommand: hookCmd } };
}
