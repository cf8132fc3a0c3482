// 4. A large inbox: 10,000 unread messages. `peek` through a real MCP client against the built
// `serve`, the hook (interleaved with empty node), and `who`.
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { median, percentile, round, summary } from '../lib/stats.mjs';
import { timeProcess, trackPid } from '../lib/procs.mjs';
import { makeWorld, shq, writeEmptyScript } from '../lib/world.mjs';
import { deliveredCount, interleave } from './hook.mjs';

const N = 10_000;
const POST_TOOL_USE = JSON.stringify({ session_id: 'bench', hook_event_name: 'PostToolUse', tool_name: 'Bash', tool_input: { command: 'ls' }, tool_response: { stdout: '' } });

export async function run(ctx) {
  const { api, app, root, quick, log } = ctx;
  const w = makeWorld(root, 'large', api);
  const empty = writeEmptyScript(root);

  // The session: `serve` under a fake Claude Code parent, driven by the SDK's stdio client.
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [join(import.meta.dirname, '../../test/support/fake-parent.mjs'), process.execPath, app.cli, 'serve'],
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? root, CLAUDE_INTERCOM_HOME: w.home },
    cwd: w.project,
    stderr: 'pipe',
  });
  const client = new Client({ name: 'bench', version: '1.0.0' });
  let untrack = () => {};
  try {
    await client.connect(transport);
    untrack = trackPid(transport.pid);
    const code = /You are Claude Code session ([a-z0-9]{4})/.exec(client.getInstructions() ?? '')?.[1];
    if (!code) throw new Error('serve gave no session code');
    const claudePid = transport.pid; // the fake parent is the session's Claude Code process
    const peek = async () => {
      const t = performance.now();
      const res = await client.callTool({ name: 'peek', arguments: {} });
      const ms = performance.now() - t;
      const text = res.content.map((c) => c.text ?? '').join('\n');
      return { ms, text, isError: res.isError === true };
    };

    // Peek on a small inbox first, for scale.
    w.fill(code, 10);
    const small = [];
    for (let i = 0; i < (quick ? 3 : 10); i++) {
      w.unclaim(code);
      const r = await peek();
      if (!r.text.startsWith('10 unacknowledged')) throw new Error(`peek (10): ${r.text.slice(0, 200)}`);
      small.push(r.ms);
    }
    w.store.ackAll(code);

    const tFill = performance.now();
    w.fillFast(code, N);
    log(`large inbox: ${N} messages written in ${((performance.now() - tFill) / 1000).toFixed(1)} s`);

    const peeks = [];
    let bytes = 0;
    for (let i = 0; i < (quick ? 3 : 10); i++) {
      w.unclaim(code);
      if (w.count(code) !== N) throw new Error(`expected ${N} unread before peek, have ${w.count(code)}`);
      const r = await peek();
      if (r.isError || !r.text.startsWith(`${N} unacknowledged`)) throw new Error(`peek: ${r.text.slice(0, 200)}`);
      peeks.push(r.ms);
      bytes = Buffer.byteLength(r.text);
    }
    w.unclaim(code);
    log(`large inbox: ${peeks.length} peeks`);

    // The hook and `who` against this store, interleaved with empty node.
    const hookCmd = api.hookCommand(process.execPath, app.cli, 'hook');
    const emptyCmd = `${shq(process.execPath)} ${shq(empty)}`;
    const whoCmd = `${shq(process.execPath)} ${shq(app.cli)} who --all`;
    const env = w.env(claudePid);
    const sh = (cmd) => timeProcess('/bin/sh', ['-c', cmd], { env, cwd: w.project, input: POST_TOOL_USE });
    const variants = [
      { key: 'node', label: 'node empty.cjs', run: () => sh(emptyCmd), check: (r) => r.stdout === '' },
      {
        key: 'hook',
        label: `hook, ${N} unread`,
        before: () => {
          if (w.count(code) !== N) throw new Error(`expected ${N} unread before the hook, have ${w.count(code)}`);
        },
        run: () => sh(hookCmd),
        check: (r) => deliveredCount(r.stdout) === 20 && r.stdout.includes('More messages'),
        after: () => w.unclaim(code),
      },
      { key: 'who', label: 'who --all', run: () => sh(whoCmd), check: (r) => r.stdout.includes(code) },
    ];
    if (ctx.candidate) {
      const candCmd = api.hookCommand(process.execPath, ctx.candidate.cli, 'hook');
      variants.push({ ...variants[1], key: 'cand', label: `${variants[1].label} [--compare build]`, run: () => sh(candCmd) });
    }
    const n = quick ? 10 : 60;
    const s = await interleave(variants, n, 2);
    log(`large inbox: hook and who, ${n} runs each, interleaved`);
    const base = median(s.node);
    const hookRatio = median(s.hook) / base;
    const dp = summary(peeks);
    return {
      rows: [
        { id: 'large.peek', name: `Large inbox (${N.toLocaleString('en')} unread): peek over MCP (p50 / max, ${peeks.length} runs; ${bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${(bytes / 1e3).toFixed(0)} kB`} of text)`, value: `${dp.p50.toFixed(0)} ms / ${dp.max.toFixed(0)} ms`, target: '≤ 200 ms', met: dp.p50 <= 200, data: { ...dp, bytes } },
        { id: 'large.peekSmall', name: 'peek over MCP, 10 unread (p50), for scale', value: `${median(small).toFixed(1)} ms`, target: '—', met: null, data: summary(small) },
        { id: 'large.hook', name: `Large inbox: hook (p50 / p90)`, value: `${median(s.hook).toFixed(1)} ms / ${percentile(s.hook, 90).toFixed(1)} ms`, display: `${round(hookRatio, 2)}× node (${median(s.node).toFixed(1)} ms)`, ratio: round(hookRatio, 3), target: '≤ 1.3× node', met: hookRatio <= 1.3, data: { hook: summary(s.hook), node: summary(s.node) } },
        ...(s.cand
          ? [{ id: 'large.hookCandidate', name: 'Large inbox: hook of the --compare build (p50 / p90)', value: `${median(s.cand).toFixed(1)} ms / ${percentile(s.cand, 90).toFixed(1)} ms`, display: `${round(median(s.cand) / base, 2)}× node`, ratio: round(median(s.cand) / base, 3), target: '≤ 1.3× node', met: median(s.cand) / base <= 1.3, data: summary(s.cand) }]
          : []),
        ...(s.misses.hook ? [{ id: 'large.hookMisses', name: 'Large inbox: hook runs that delivered nothing (rerun)', value: String(s.misses.hook), target: '0', met: false }] : []),
        { id: 'large.who', name: 'Large inbox: `claude-intercom who --all` (p50 / p90)', value: `${median(s.who).toFixed(1)} ms / ${percentile(s.who, 90).toFixed(1)} ms`, display: `${round(median(s.who) / base, 2)}× node`, ratio: round(median(s.who) / base, 3), target: '—', met: null, data: summary(s.who) },
      ],
      data: { messages: N },
    };
  } finally {
    await client.close().catch(() => undefined);
    untrack();
  }
}
