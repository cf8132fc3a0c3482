/**
 * claude-intercom against the real Claude Code: two interactive sessions in one project, run
 * under one tmux server, set up by intercom's own installer, talking through a scripted model.
 * The model's Bash commands (`sleep`, `echo`) are ones Claude Code's auto mode runs without its
 * server-side check. Every wait is on a request reaching the mock (or a process ending); nothing sleeps in
 * place of synchronisation.
 *
 * The interactive tests share sessions A and B and run in order: each continues where the last
 * one left them, and the watcher count is checked after all their turns.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REWAKE_MESSAGE, REWAKE_SUMMARY } from '../../src/claude/hook-spec.js';
import { Sandbox, withScreens } from './support/claude.js';
import type { ClaudeSession } from './support/claude.js';
import { assertBuilt, cli, framedMessages, install, sentMessageId, sessionCode, whoAll, whoCodes } from './support/intercom.js';
import { newText, newToolResults, startMockAnthropic } from './support/mock-anthropic.js';
import type { MockAnthropic, RecordedRequest, Reply } from './support/mock-anthropic.js';
import { isAlive, parentPid, waitForExit } from './support/procs.js';

/** One step of the scripted model: a reply, or undefined to let the next rule decide. */
type Rule = (req: RecordedRequest, text: string, results: string[]) => Reply | undefined;

/** A mock whose model follows the rules added so far (first match wins; default: end the turn). */
async function scriptedMock(): Promise<{ mock: MockAnthropic; rules: Rule[] }> {
  const rules: Rule[] = [];
  const mock = await startMockAnthropic((req) => {
    const text = newText(req);
    const results = req.body ? newToolResults(req.body).map((r) => r.text) : [];
    for (const rule of rules) {
      const reply = rule(req, text, results);
      if (reply !== undefined) return reply;
    }
    return 'ok';
  });
  return { mock, rules };
}


/** Main requests of one session whose new content (not the replayed history) includes `token`. */
function carrying(mock: MockAnthropic, s: ClaudeSession, token: string): RecordedRequest[] {
  return mock.mainRequests(s.sessionId).filter((r) => newText(r).includes(token));
}

/** Turns a session has finished: replies that ended the turn. */
function turnsOf(mock: MockAnthropic, s: ClaudeSession): number {
  return mock.mainRequests(s.sessionId).filter((r) => r.reply?.stopReason === 'end_turn').length;
}

/** Resolve once the turn that `req` is part of has ended (a reply without tool calls was sent). */
async function turnEnded(mock: MockAnthropic, s: ClaudeSession, since: number): Promise<void> {
  const last = await mock.waitFor((r) => r.kind === 'main' && r.sessionId === s.sessionId && r.reply?.stopReason === 'end_turn', {
    since,
    label: `the end of ${s.name}'s turn`,
  });
  await mock.waitResponded(last);
}

/** Check `test` every 100 ms until it holds (for process counts: no event exists for them). */
async function eventually(test: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!test()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('claude -p with intercom installed', () => {
  let mock: MockAnthropic;
  const sandboxes: Sandbox[] = [];

  beforeAll(async () => {
    assertBuilt();
    const scripted = await scriptedMock();
    mock = scripted.mock;
    // The same work with and without intercom: one intercom tool call (an error without it), one Bash call.
    scripted.rules.push(
      (_req, text) => (text.includes('PRINT-RUN') ? { tools: [{ name: 'mcp__intercom__who', input: {} }] } : undefined),
      (req) =>
        req.reply === undefined && req.body && newToolResults(req.body).some((t) => t.text.includes('You are') || t.isError)
          ? { tools: [{ name: 'Bash', input: { command: 'echo print-ran', description: 'echo' } }] }
          : undefined,
    );
  });

  afterAll(async () => {
    for (const s of sandboxes) await s.cleanup();
    await mock?.close();
  });

  it('finishes in about the same time as without it', async () => {
    const plain = new Sandbox({ apiUrl: mock.url, name: 'print-plain' });
    const withIntercom = new Sandbox({ apiUrl: mock.url, name: 'print-intercom' });
    sandboxes.push(plain, withIntercom);
    await install(withIntercom);

    const times: { plain: number[]; intercom: number[] } = { plain: [], intercom: [] };
    for (let round = 0; round < 2; round++) {
      for (const [kind, sbx] of [['plain', plain], ['intercom', withIntercom]] as const) {
        const since = mock.nextSeq;
        const run = await sbx.print('PRINT-RUN: run one tool');
        expect(run.code, run.stderr).toBe(0);
        expect(run.stdout).toContain('ok');
        times[kind].push(run.ms);
        // Both runs did the whole script; with intercom, its server answered as this session.
        const requests = mock.mainRequests().filter((r) => r.seq >= since);
        expect(requests.some((r) => newText(r).includes('print-ran'))).toBe(true);
        const whoResult = requests.map((r) => newToolResults(r.body!)[0]).find((t) => t !== undefined);
        if (kind === 'intercom') expect(whoResult?.text).toMatch(/^You are [a-z0-9]{4}\./);
      }
    }
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    console.log(
      `[intercom] claude -p: without intercom ${times.plain.map((t) => t.toFixed(0)).join(', ')} ms; ` +
        `with intercom ${times.intercom.map((t) => t.toFixed(0)).join(', ')} ms`,
    );
    expect(mean(times.intercom)).toBeLessThan(mean(times.plain) + 3_000);
  });
});

describe('claude -p, the mcp_tool hook without the mcp__intercom permission rule', () => {
  let mock: MockAnthropic;
  let sbx: Sandbox;

  beforeAll(async () => {
    assertBuilt();
    const scripted = await scriptedMock();
    mock = scripted.mock;
    sbx = new Sandbox({ apiUrl: mock.url, name: 'print-noallow' });
    await cli(sbx, ['install', '--yes', '--scope', 'user', '--no-allow']);
    const file = join(sbx.home, '.claude', 'settings.json');
    const settings = JSON.parse(readFileSync(file, 'utf8')) as { permissions?: { allow?: string[] } };
    expect(settings.permissions?.allow ?? []).not.toContain('mcp__intercom');
    settings.permissions = { ...settings.permissions, allow: [...(settings.permissions?.allow ?? []), 'Bash'] };
    writeFileSync(file, JSON.stringify(settings, null, 2) + '\n');
    scripted.rules.push(
      (_req, text) =>
        text.includes('PRINT-NOALLOW')
          ? { tools: [{ name: 'Bash', input: { command: `node -e "setTimeout(()=>{}, 3000)"; echo noallow-done`, description: 'wait' } }] }
          : undefined,
      (_req, text) => (text.includes('noallow-done') ? 'done' : undefined),
    );
  });

  afterAll(async () => {
    await sbx?.cleanup();
    await mock?.close();
  });

  it('still runs: Claude Code asks no permission for a hook calling our tool', async () => {
    const since = mock.nextSeq;
    const run = sbx.print('PRINT-NOALLOW: wait a little');
    const first = await mock.waitFor((r) => r.kind === 'main' && newText(r).includes('PRINT-NOALLOW'), { since, label: 'the -p prompt' });
    await mock.waitResponded(first);
    let sessions = await whoAll(sbx);
    const deadline = performance.now() + 10_000;
    while (!sessions[0]?.delivery && performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      sessions = await whoAll(sbx);
    }
    await cli(sbx, ['send', sessions[0]!.code, 'NOALLOW-MSG-1 during the tool']);
    const after = await mock.waitFor((r) => r.kind === 'main' && newText(r).includes('noallow-done'), { since, label: 'the request after the tool' });
    console.log(`[intercom] mcp_tool hook without the allow rule, request after the tool:\n${newText(after).slice(0, 1200)}`);
    expect(newText(after)).toMatch(/PostToolUse:Bash hook additional context:[\s\S]*NOALLOW-MSG-1 during the tool/);
    expect((await run).code).toBe(0);
  });
});

describe('claude -p, busy: the PostToolUse mcp_tool hook', () => {
  let mock: MockAnthropic;
  let sbx: Sandbox;

  beforeAll(async () => {
    assertBuilt();
    const scripted = await scriptedMock();
    mock = scripted.mock;
    sbx = new Sandbox({ apiUrl: mock.url, name: 'print-busy' });
    await install(sbx, ['Bash']);
    scripted.rules.push(
      (_req, text) =>
        text.includes('PRINT-BUSY')
          ? { tools: [{ name: 'Bash', input: { command: `node -e "setTimeout(()=>{}, 3000)"; echo busy-done`, description: 'wait' } }] }
          : undefined,
      (_req, text) => (text.includes('busy-done') ? 'done' : undefined),
    );
  });

  afterAll(async () => {
    await sbx?.cleanup();
    await mock?.close();
  });

  it('hands a message that arrived during a tool to the model right after it, through serve (no hook process)', async () => {
    const since = mock.nextSeq;
    const run = sbx.print('PRINT-BUSY: wait a little');
    const first = await mock.waitFor((r) => r.kind === 'main' && newText(r).includes('PRINT-BUSY'), { since, label: 'the -p prompt' });
    await mock.waitResponded(first); // the Bash call is running now
    // Its serve registers it and records the path once Claude Code has initialized it (no event to wait on from here).
    let sessions = await whoAll(sbx);
    const deadline = performance.now() + 10_000;
    while (!sessions[0]?.delivery && performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      sessions = await whoAll(sbx);
    }
    const session = sessions[0];
    expect(sessions, JSON.stringify(sessions)).toHaveLength(1);
    expect(session).toMatchObject({ delivery: { path: 'hooks', reason: expect.stringContaining('print mode') } });
    await cli(sbx, ['send', session!.code, 'PRINT-MSG-1 during the tool']);
    const after = await mock.waitFor((r) => r.kind === 'main' && newText(r).includes('busy-done'), { since, label: 'the request after the tool' });
    expect(newText(after)).toMatch(/PostToolUse:Bash hook additional context:[\s\S]*PRINT-MSG-1 during the tool/);
    const done = await run;
    expect(done.code, done.stderr).toBe(0);
    // Only the SessionStart hook and the Stop watcher ran as processes; the PostToolUse hook ran in serve.
    expect(readFileSync(join(sbx.home, '.claude', 'settings.json'), 'utf8')).toMatch(/"PostToolUse": \[\s*\{\s*"matcher": "\*",\s*"hooks": \[\s*\{\s*"type": "mcp_tool"/);
  });
});

/**
 * How a woken or busy session received a message, per delivery path: `socket` (the default on
 * this Claude Code: serve posts into the session's inbox socket) or `hooks` (the fallback, forced
 * here by `crossSessionInbound: "refuse"`, under which Claude Code would drop a posted message).
 */
const PATHS = {
  socket: {
    settings: {},
    idleWake: /^Another Claude session sent a message:\n\[claude-intercom\] /m,
    busy: /(Another Claude session sent a message while you were working|PostToolUse:Bash hook additional context)[\s\S]*BUSY-B2/,
    watchersWhenIdle: 0,
  },
  hooks: {
    settings: { crossSessionInbound: 'refuse' },
    idleWake: new RegExp(escapeRegExp(REWAKE_MESSAGE)),
    busy: new RegExp(`(PostToolUse:Bash hook additional context|${escapeRegExp(REWAKE_MESSAGE)})[\\s\\S]*BUSY-B2`),
    watchersWhenIdle: 1,
  },
} as const;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

for (const path of ['socket', 'hooks'] as const)
describe(`two interactive sessions in one project, delivery path: ${path}`, () => {
  const expected = PATHS[path];
  let mock: MockAnthropic;
  let rules: Rule[];
  let sbx: Sandbox;
  let a: ClaudeSession;
  let b: ClaudeSession;
  let codeA: string;
  let codeB: string;
  const fromSession = (s: ClaudeSession) => (r: RecordedRequest) => r.kind === 'main' && r.sessionId === s.sessionId;
  /** Wait for a request of `s` whose new content includes `token`; on failure show both screens. */
  const requestOf = (s: ClaudeSession, token: string, since: number, timeoutMs = 30_000): Promise<RecordedRequest> =>
    withScreens(
      mock.waitFor((r) => fromSession(s)(r) && newText(r).includes(token), { since, timeoutMs, label: `${s.name}'s request carrying ${token}` }),
      [a, b],
    );

  beforeAll(async () => {
    assertBuilt();
    ({ mock, rules } = await scriptedMock());
    sbx = new Sandbox({ apiUrl: mock.url, name: `pair-${path}` });
    await install(sbx);
    // This Claude Code knows mcp_tool hooks: the busy path runs in serve, no process per tool call.
    const installed = readFileSync(join(sbx.home, '.claude', 'settings.json'), 'utf8');
    expect(installed).toContain('"type": "mcp_tool"');
    if (Object.keys(expected.settings).length > 0) {
      const file = join(sbx.home, '.claude', 'settings.json');
      writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), ...expected.settings }, null, 2) + '\n');
    }
    a = await sbx.start('A');
    b = await sbx.start('B');
    [codeA, codeB] = await Promise.all([sessionCode(a), sessionCode(b)]);
  });

  afterAll(async () => {
    await sbx?.cleanup();
    await mock?.close();
  });

  it('(a) A asks who is there and sends to idle B; B is woken, replies, and idle A is woken with the answer', async () => {
    const isA = fromSession(a);
    const isB = fromSession(b);
    rules.push(
      (r, text) => (isA(r) && text.includes('ASK-B') ? { tools: [{ name: 'mcp__intercom__who', input: {} }] } : undefined),
      (r, _t, results) =>
        isA(r) && results.some((t) => t.includes(codeB) && t.includes(codeA))
          ? { tools: [{ name: 'mcp__intercom__send', input: { to: codeB, message: 'PING-A1: what are you working on?' } }] }
          : undefined,
      (r, text) => {
        if (!isB(r) || !text.includes('PING-A1')) return undefined;
        const ping = framedMessages(text).find((m) => m.text.includes('PING-A1'));
        return { tools: [{ name: 'mcp__intercom__reply', input: { message_id: ping?.id ?? 'missing', message: 'PONG-B1: the parser' } }] };
      },
    );

    // B finishes a turn first, so it waits at the prompt with its Stop watcher running.
    let since = mock.nextSeq;
    await b.submit('HELLO-B: say hi');
    await turnEnded(mock, b, since);

    since = mock.nextSeq;
    await a.submit('ASK-B: find the other session and ask it');
    const afterWho = await requestOf(a, codeB, since);
    expect(whoCodes(newToolResults(afterWho.body!)[0]?.text ?? '')).toEqual(expect.arrayContaining([codeA, codeB]));
    expect(afterWho.reply?.tools[0]?.name).toBe('mcp__intercom__send');
    const sendDone = await mock.waitResponded(afterWho);

    // B: nobody types; its watcher wakes it with the message.
    const wakeB = await requestOf(b, 'PING-A1', since);
    const pings = framedMessages(newText(wakeB)).filter((m) => m.text.includes('PING-A1'));
    expect(pings).toHaveLength(1); // the rewake also runs UserPromptSubmit hooks: no second copy from there
    const ping = pings[0];
    expect(ping?.from).toBe(codeA);
    console.log(`[intercom] what the woken B reads (new content):\n${newText(wakeB).slice(-2500)}`);
    expect(newText(wakeB)).toMatch(expected.idleWake); // woken through this path, not a typed prompt
    expect(newText(wakeB)).not.toContain('Stop hook blocking error');
    expect(newText(wakeB)).not.toContain('HELLO-B');
    // The person at B's pane sees who wrote what, not "Stop hook feedback".
    await mock.waitResponded(wakeB);
    const pane = path === 'socket'
      ? await b.waitForScreen((s) => s.includes(`[claude-intercom] ${codeA}`) && s.includes('PING-A1'), 10_000, 'the sender and text in the pane')
      : await b.waitForScreen((s) => s.includes(REWAKE_SUMMARY), 10_000, 'the rewake summary in the pane');
    expect(pane).not.toContain('Stop hook feedback');
    console.log(`[intercom] ${path}: B's pane after the wake:\n${pane.split('\n').filter((l) => l.trim() !== '').slice(-14).join('\n')}`);
    expect((await whoAll(sbx)).find((s) => s.code === codeB)?.delivery).toMatchObject({ path });
    const sent = await requestOf(a, 'Sent message', since);
    expect(sentMessageId(newToolResults(sent.body!)[0]?.text ?? '')).toBe(ping?.id);
    console.log(`[intercom] idle wake: mock finished sending A's send tool_use -> B's request: ${(wakeB.receivedAt - sendDone).toFixed(0)} ms`);

    // A ended its turn after sending; B's reply wakes it the same way.
    const wakeA = await requestOf(a, 'PONG-B1', since);
    const pong = framedMessages(newText(wakeA)).find((m) => m.text.includes('PONG-B1'));
    expect(pong?.from).toBe(codeB);
    expect(pong?.replyTo).toBe(ping?.id);
    expect(newText(wakeA)).toMatch(expected.idleWake);
    await turnEnded(mock, a, wakeA.seq);
    await turnEnded(mock, b, wakeB.seq);
  });

  it('(b) delivers to a busy B right after its running tool, within the turn, and never again for that message', async () => {
    const isA = fromSession(a);
    const isB = fromSession(b);
    const sleepStep = (n: number): Reply => ({ tools: [{ name: 'Bash', input: { command: `sleep 1; echo slept-${n}`, description: 'wait' } }] });
    rules.push(
      (r, text) => (isB(r) && text.includes('WORK-B') ? sleepStep(1) : undefined),
      (r, _t, results) => {
        const n = Number(/slept-(\d)/.exec(results.join('\n'))?.[1] ?? 0);
        if (!isB(r) || n === 0) return undefined;
        return n < 5 ? sleepStep(n + 1) : 'work done';
      },
      (r, text) => (isA(r) && text.includes('TELL-B-BUSY') ? { tools: [{ name: 'mcp__intercom__send', input: { to: codeB, message: 'BUSY-B2: heads up' } }] } : undefined),
      (r, text) => (isA(r) && text.includes('TELL-B-LATER') ? { tools: [{ name: 'mcp__intercom__send', input: { to: codeB, message: 'LATER-B2: one more' } }] } : undefined),
    );

    const since = mock.nextSeq;
    await b.submit('WORK-B: run the slow steps');
    const first = await requestOf(b, 'WORK-B', since);
    await mock.waitResponded(first); // B is now running its first `sleep 1`
    await a.submit('TELL-B-BUSY: tell B something');

    const delivered = await requestOf(b, 'BUSY-B2', since);
    expect(newToolResults(delivered.body!).some((t) => /slept-\d/.test(t.text))).toBe(true); // right after a tool
    // Whichever claimed it first: the PostToolUse hook (as additional context), or the watcher left
    // from B's last Stop (Claude Code then adds its notification to this same request).
    expect(newText(delivered)).toMatch(expected.busy);
    const how = /PostToolUse:Bash hook additional context/.test(newText(delivered)) ? 'the PostToolUse mcp_tool hook' : path === 'socket' ? 'the inbox socket' : 'the watcher';
    await mock.waitResponded(delivered);
    // The person sees it too: the text (socket), who wrote it (PostToolUse systemMessage), or the
    // watcher's label (a wake's summary is fixed in the settings, so it cannot name the sender).
    const busyPane = await b.waitForScreen(
      (s) => s.includes('BUSY-B2') || s.includes(`claude-intercom: ${codeA}`) || (how === 'the watcher' && s.split(REWAKE_SUMMARY).length > 2),
      10_000,
      'the busy message in the pane',
    );
    expect(busyPane).not.toContain('Stop hook feedback');
    console.log(`[intercom] ${path}: busy delivery through ${how}; B's pane:\n${busyPane.split('\n').filter((l) => l.trim() !== '').slice(-12).join('\n')}`);
    expect(framedMessages(newText(delivered)).filter((m) => m.text.includes('BUSY-B2')).map((m) => m.from)).toEqual([codeA]);
    await turnEnded(mock, b, delivered.seq);
    await turnEnded(mock, a, since);

    // Both idle now. A later message wakes B; nothing in between may carry the old one again.
    const later = mock.nextSeq;
    await a.submit('TELL-B-LATER: one more');
    const wake = await requestOf(b, 'LATER-B2', later);
    expect(newText(wake)).not.toContain('BUSY-B2');
    expect(carrying(mock, b, 'BUSY-B2').map((r) => r.seq)).toEqual([delivered.seq]);
    await turnEnded(mock, b, wake.seq);
    await turnEnded(mock, a, later);
  });

  it('(e) sessions started from one tmux server never get each other\'s messages', async () => {
    expect(parentPid(a.pid)).toBe(parentPid(b.pid)); // the premise: the same parent process
    const since = mock.nextSeq;
    await cli(sbx, ['send', codeA, 'ONLY-FOR-A5']);
    const wakeA = await requestOf(a, 'ONLY-FOR-A5', since);
    await cli(sbx, ['send', codeB, 'ONLY-FOR-B5']);
    const wakeB = await requestOf(b, 'ONLY-FOR-B5', since);
    expect(newText(wakeB)).not.toContain('ONLY-FOR-A5');
    expect(newText(wakeA)).not.toContain('ONLY-FOR-B5');
    await Promise.all([turnEnded(mock, a, wakeA.seq), turnEnded(mock, b, wakeB.seq)]);
    expect(carrying(mock, b, 'ONLY-FOR-A5')).toEqual([]);
    expect(carrying(mock, a, 'ONLY-FOR-B5')).toEqual([]);
  });

  it('(d) after five or more turns, each session has exactly one watcher on the hooks path, none on the socket path', async () => {
    const before = new Map<ClaudeSession, Set<number>>();
    for (const s of [a, b]) {
      while (turnsOf(mock, s) < 6) {
        before.set(s, new Set(s.watchers().map((w) => w.pid)));
        const since = mock.nextSeq;
        await s.submit(`IDLE-TURN ${turnsOf(mock, s)}`);
        await turnEnded(mock, s, since);
      }
    }
    // Each Stop starts a new watcher: on the hooks path the previous one leaves, so wait for the
    // one started by the last Stop to be the only one; on the socket path it leaves at once.
    const settled = (s: ClaudeSession) => {
      const ws = s.watchers();
      return expected.watchersWhenIdle === 0 ? ws.length === 0 : ws.length === 1 && !before.get(s)!.has(ws[0]!.pid);
    };
    for (const s of [a, b]) {
      await eventually(() => settled(s), 10_000, `${s.name} to have ${expected.watchersWhenIdle} new watcher(s) (has ${s.watchers().length})`).catch((err: Error) => {
        const procs = sbx.processes().map((p) => `${p.pid} ppid=${p.ppid} CLAUDE_PID=${p.env.CLAUDE_PID ?? '-'} ${p.argv.join(' ')}`);
        throw new Error(`${err.message}; sandbox processes:\n${procs.join('\n')}`);
      });
    }
    console.log(`[intercom] ${path}: turns: A ${turnsOf(mock, a)}, B ${turnsOf(mock, b)}; watchers: A ${a.watchers().length}, B ${b.watchers().length}`);
    if (expected.watchersWhenIdle === 1) {
      expect(a.watchers().map((w) => w.env.CLAUDE_PID)).toEqual([String(a.pid)]);
      expect(b.watchers().map((w) => w.env.CLAUDE_PID)).toEqual([String(b.pid)]);
    } else {
      // The watcher each Stop starts saw that serve posts for its session and left without ever
      // taking the lease (a late one may still be starting: it leaves the same way).
      for (const code of [codeA, codeB]) expect(existsSync(join(sbx.intercomHome, 'inbox', code, 'watcher.json'))).toBe(false);
    }
  });

  it('(f) after kill -9 of a Claude Code process, its watcher (if any) exits promptly and `who` drops it', async () => {
    const [watcher] = b.watchers();
    if (expected.watchersWhenIdle === 1) expect(watcher).toBeDefined();
    process.kill(b.pid, 'SIGKILL');
    if (watcher) {
      const ms = await waitForExit(watcher.pid, 15_000);
      console.log(`[intercom] watcher exited ${ms.toFixed(0)} ms after kill -9 of its claude`);
      expect(ms).toBeLessThan(7_000);
    } else {
      await waitForExit(b.pid, 15_000);
    }
    expect(isAlive(a.pid)).toBe(true);
    if (expected.watchersWhenIdle === 1) expect(a.watchers()).toHaveLength(1); // A is untouched
    expect((await whoAll(sbx)).map((s) => s.code)).toEqual([codeA]);
  });

  it('(g) after /exit, the session leaves: its watcher (if any) ends and `who` no longer lists it', async () => {
    await eventually(() => a.watchers().length === expected.watchersWhenIdle, 10_000, `A to have ${expected.watchersWhenIdle} watcher(s)`);
    const [watcher] = a.watchers();
    const start = performance.now();
    const watcherGone = watcher ? waitForExit(watcher.pid, 20_000) : Promise.resolve(0);
    await a.exit(20_000);
    const claudeMs = performance.now() - start;
    const watcherMs = await watcherGone;
    console.log(`[intercom] /exit: watcher gone after ${watcherMs.toFixed(0)} ms, claude after ${claudeMs.toFixed(0)} ms`);
    expect((await whoAll(sbx)).map((s) => s.code)).not.toContain(codeA);
  });
});
