/**
 * Facts about the real Claude Code that claude-intercom depends on, checked on the pinned binary
 * with tiny probe hooks and a probe MCP server (no intercom code involved). If one of these fails
 * after a Claude Code upgrade, the design of `hook`/`watch`/`serve` needs another look.
 *
 * One interactive session serves most checks, in order (each `it` continues the same
 * conversation); `claude -p` gets its own sandbox.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, Sandbox, withScreens } from './support/claude.js';
import type { ClaudeSession } from './support/claude.js';
import { readJsonFiles, waitForJsonFiles } from './support/files.js';
import { allText, newText, newToolResults, startMockAnthropic } from './support/mock-anthropic.js';
import type { MockAnthropic, RecordedRequest } from './support/mock-anthropic.js';
import { isAlive } from './support/procs.js';

const HOOK = join(REPO_ROOT, 'test/e2e/support/probe-hook.mjs');
const MCP = join(REPO_ROOT, 'test/e2e/support/probe-mcp-server.mjs');
const WEEK = 604_800; // our watcher's timeout, in seconds

interface HookRecord {
  label: string;
  pid: number;
  ppid: number;
  env: Record<string, string>;
  input: Record<string, unknown> | null;
  startedAt: number;
}

/** A settings.json hook entry running probe-hook.mjs. */
function probe(outDir: string, label: string, actions: string[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
  return { type: 'command', command: [process.execPath, HOOK, outDir, label, ...actions].map(q).join(' '), ...extra };
}

const records = (dir: string, label: string): HookRecord[] => readJsonFiles<HookRecord>(dir, (n) => n.startsWith(`${label}.`) && n.endsWith('.json'));
const waitRecords = (dir: string, label: string, count = 1): Promise<HookRecord[]> =>
  waitForJsonFiles<HookRecord>(dir, (n) => n.startsWith(`${label}.`) && n.endsWith('.json'), 30_000, (f) => f.length >= count);

describe('Claude Code, interactive: hooks and MCP servers', () => {
  let mock: MockAnthropic;
  let sbx: Sandbox;
  let session: ClaudeSession;
  let out: string;
  const mine = (r: RecordedRequest): boolean => r.kind === 'main' && r.sessionId === session.sessionId;

  beforeAll(async () => {
    // The scripted model: one prompt walks through a Bash call, an MCP call and a failing Bash call.
    mock = await startMockAnthropic((req) => {
      const text = newText(req);
      const results = req.body ? newToolResults(req.body) : [];
      if (text.includes('RUN-TOOLS')) return { tools: [{ name: 'Bash', input: { command: 'echo bash-ran', description: 'echo' } }] };
      if (results.some((r) => r.text.includes('bash-ran'))) return { tools: [{ name: 'mcp__probe__echo', input: { text: 'mcp-ran' } }] };
      if (results.some((r) => r.text.includes('echo: mcp-ran')))
        return { tools: [{ name: 'Bash', input: { command: 'exit 3', description: 'fail on purpose' } }] };
      return 'ok';
    });
    sbx = new Sandbox({ apiUrl: mock.url, name: 'facts' });
    out = join(sbx.root, 'out');
    mkdirSync(out);
    sbx.writeUserSettings({
      // Auto mode (the default) sends some Bash commands to a server-side check that fails behind
      // the mock, with a blocking dialog: switch it off and allow what the probes run.
      permissions: { disableAutoMode: 'disable', allow: ['mcp__probe', 'Bash'] },
      hooks: {
        SessionStart: [
          { hooks: [probe(out, 'ss-plain', ['stdout=CTX-SESSIONSTART-PLAIN'])] },
          { hooks: [probe(out, 'ss-rewake', [`await=${join(out, 'go-ss')}`, 'stderr=WAKE-FROM-SESSIONSTART', 'exit=2'], { asyncRewake: true, timeout: WEEK })] },
        ],
        UserPromptSubmit: [
          { hooks: [probe(out, 'ups-plain', ['stdout=CTX-USERPROMPT-PLAIN'])] },
          { hooks: [probe(out, 'ups-slow', ['sleep=10'], { timeout: 2 })] },
        ],
        PreToolUse: [{ matcher: '*', hooks: [probe(out, 'pre-plain', ['stdout=CTX-PRETOOL-PLAIN'])] }],
        PostToolUse: [{ matcher: '*', hooks: [probe(out, 'post-json', ['context=PostToolUse:CTX-POSTTOOL-JSON'])] }],
        PostToolUseFailure: [{ matcher: '*', hooks: [probe(out, 'postfail-json', ['context=PostToolUseFailure:CTX-POSTFAIL-JSON'])] }],
        Stop: [
          { hooks: [probe(out, 'stop-rewake', [`await=${join(out, 'go-stop')}`, 'stderr=WAKE-FROM-STOP', 'exit=2'], { asyncRewake: true, timeout: WEEK })] },
        ],
      },
    });
    sbx.writeClaudeJson({
      mcpServers: { probe: { type: 'stdio', command: process.execPath, args: [MCP, join(out, 'mcp-server.info')], env: {} } },
    });
    session = await sbx.start('facts');
  });

  afterAll(async () => {
    await sbx?.cleanup();
    await mock?.close();
  });

  it('gives hooks CLAUDE_PID = the claude process, and starts MCP servers as its direct children', async () => {
    const [ss] = await waitRecords(out, 'ss-plain');
    expect(ss!.env.CLAUDE_PID).toBe(String(session.pid));
    const [server] = await waitForJsonFiles<{ pid: number; ppid: number; env: Record<string, string> }>(out, (n) => n === 'mcp-server.info', 30_000);
    expect(server!.ppid).toBe(session.pid);
    expect(server!.env.CLAUDE_PID).toBeUndefined();
  });

  it('keeps a SessionStart asyncRewake hook with a one-week timeout alive, and its exit 2 wakes the idle session', async () => {
    const [hook] = await waitRecords(out, 'ss-rewake');
    // A timeout that overflowed a timer would have killed it at once; give it a few seconds.
    await new Promise((r) => setTimeout(r, 3_000));
    expect(isAlive(hook!.pid)).toBe(true);
    expect(records(out, 'ss-rewake')).toHaveLength(1);
    expect(mock.mainRequests()).toHaveLength(0); // nobody typed; nothing woke it yet

    const since = mock.nextSeq;
    writeFileSync(join(out, 'go-ss'), '');
    const wake = await mock.waitFor((r) => mine(r) && newText(r).includes('WAKE-FROM-SESSIONSTART'), { since, timeoutMs: 15_000, label: 'the SessionStart rewake' });
    console.log(`[facts] SessionStart rewake, new content of the woken request:\n${newText(wake)}`);
    expect(newText(wake)).toMatch(/SessionStart/);
    // SessionStart plain stdout reached the model too (in the same, first request).
    expect(allText(wake.body!)).toContain('CTX-SESSIONSTART-PLAIN');
    // A rewake turn runs UserPromptSubmit hooks too, with the notification as the prompt.
    const ups = records(out, 'ups-plain');
    expect(ups.map((u) => String(u.input?.prompt ?? ''))).toEqual([expect.stringContaining('WAKE-FROM-SESSIONSTART')]);
    console.log(`[facts] UserPromptSubmit input for the rewake turn: ${JSON.stringify(ups[0]?.input)}`);
  });

  it('shows UserPromptSubmit stdout and PostToolUse/PostToolUseFailure additionalContext to the model, never PreToolUse stdout', async () => {
    const since = mock.nextSeq;
    await session.submit('RUN-TOOLS please');
    const prompt = await mock.waitFor((r) => mine(r) && newText(r).includes('RUN-TOOLS'), { since, label: 'the prompt' });
    expect(newText(prompt)).toContain('CTX-USERPROMPT-PLAIN');

    const afterBash = await mock.waitFor((r) => mine(r) && newText(r).includes('bash-ran'), { since, label: 'the Bash result' });
    expect(newText(afterBash)).toContain('CTX-POSTTOOL-JSON');
    const afterMcp = await mock.waitFor((r) => mine(r) && newText(r).includes('echo: mcp-ran'), { since, label: 'the MCP result' });
    // The `*` matcher matches MCP tools, and a deferred MCP tool called by name runs.
    expect(newText(afterMcp)).toContain('CTX-POSTTOOL-JSON');
    const afterFail = await withScreens(
      mock.waitFor((r) => mine(r) && newText(r).includes('CTX-POSTFAIL-JSON'), { since, timeoutMs: 15_000, label: 'the failed Bash result' }),
      [session],
    );
    expect(newToolResults(afterFail.body!).some((t) => t.isError)).toBe(true);

    // The PreToolUse hook did run (three times), yet its stdout is in no request.
    expect(records(out, 'pre-plain').map((r) => r.input?.tool_name)).toEqual(expect.arrayContaining(['Bash', 'mcp__probe__echo']));
    for (const r of mock.mainRequests(session.sessionId)) expect(allText(r.body!)).not.toContain('CTX-PRETOOL-PLAIN');
    console.log(`[facts] PostToolUse context as seen by the model: ${JSON.stringify(newText(afterBash).split('\n').filter((l) => l.includes('CTX-POSTTOOL')))}`);
  });

  it('reads hook `timeout` in seconds', async () => {
    const [slow] = records(out, 'ups-slow');
    expect(slow).toBeDefined();
    const term = await waitForJsonFiles<{ at: number }>(out, (n) => n === `ups-slow.${slow!.pid}.term`, 15_000);
    const killedAfter = term[0]!.at - slow!.startedAt;
    console.log(`[facts] a hook with "timeout": 2 got SIGTERM after ${killedAfter} ms`);
    expect(killedAfter).toBeGreaterThan(1_500);
    expect(killedAfter).toBeLessThan(5_000);
  });

  it('wakes the idle session when an asyncRewake Stop hook (one-week timeout) exits 2, with its stderr', async () => {
    // The first Stop hook started after the SessionStart rewake's turn, seconds ago.
    const stops = await waitRecords(out, 'stop-rewake', 2);
    const oldest = stops.reduce((a, b) => (a.startedAt < b.startedAt ? a : b));
    // Let it live a few seconds (a timeout that overflowed a timer would have killed it at once).
    const age = Date.now() - oldest.startedAt;
    if (age < 3_000) await new Promise((r) => setTimeout(r, 3_000 - age));
    expect(isAlive(oldest.pid)).toBe(true);
    expect(stops.every((s) => s.env.CLAUDE_PID === String(session.pid))).toBe(true);

    const since = mock.nextSeq;
    writeFileSync(join(out, 'go-stop'), '');
    const wake = await mock.waitFor((r) => mine(r) && newText(r).includes('WAKE-FROM-STOP'), { since, timeoutMs: 15_000, label: 'the Stop rewake' });
    console.log(`[facts] Stop rewake, new content of the woken request:\n${newText(wake)}`);
    expect(newText(wake)).toMatch(/Stop hook/);
    const winner = stops.find((s) => existsSync(join(out, `go-stop.claimed-by-${s.pid}`)));
    const [end] = readJsonFiles<{ at: number }>(out, (n) => n === `stop-rewake.${winner?.pid}.end`);
    // The woken turn first runs the UserPromptSubmit hooks, the slow one (killed at 2 s) included:
    // their run time adds to every wake.
    const afterExit = wake.receivedWallAt - end!.at;
    console.log(`[facts] the woken request reached the mock ${afterExit} ms after the Stop hook exited 2 (a 2 s UserPromptSubmit hook ran in between)`);
    expect(afterExit).toBeGreaterThan(1_500);
  });
});

describe('Claude Code, print mode (-p)', () => {
  let mock: MockAnthropic;
  let sbx: Sandbox;

  beforeAll(async () => {
    mock = await startMockAnthropic(() => 'print-mode answer');
    sbx = new Sandbox({ apiUrl: mock.url, name: 'facts-p' });
  });

  afterAll(async () => {
    await sbx?.cleanup();
    await mock?.close();
  });

  it('waits for asyncRewake Stop hooks before exiting, and gives hooks CLAUDE_PID', async () => {
    const out = join(sbx.root, 'out');
    mkdirSync(out);
    sbx.writeUserSettings({
      hooks: {
        SessionStart: [{ hooks: [probe(out, 'ss', [])] }],
        Stop: [{ hooks: [probe(out, 'stop-async', ['sleep=3'], { asyncRewake: true, timeout: 60 })] }],
      },
    });
    const run = await sbx.print('hello');
    console.log(`[facts] claude -p with a 3 s asyncRewake Stop hook took ${run.ms.toFixed(0)} ms`);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('print-mode answer');
    const [stop] = records(out, 'stop-async');
    expect(stop).toBeDefined();
    // The hook finished (it was not killed) and claude -p did not exit before it.
    const ended = readJsonFiles<{ at: number }>(out, (n) => n === `stop-async.${stop!.pid}.end`);
    expect(ended).toHaveLength(1);
    expect(run.ms).toBeGreaterThan(3_000);
    const [ss] = records(out, 'ss');
    expect(ss!.env.CLAUDE_CODE_ENTRYPOINT).toBe('sdk-cli');
    expect(ss!.env.CLAUDE_PID).toBe(String(run.pid));
  });
});
