/**
 * Two "machines" with the real Claude Code: two sandboxes (two HOMEs, two local stores, two machine
 * names), one Redis engine on loopback with an ACL user, the same repository (one `origin`) in each.
 * Each is set up by intercom's own installer with `--backend`. The sessions find each other with
 * `who`, and talk idle (woken by the watcher) and busy (after a running tool), across the engine.
 * Every wait is on a request reaching the mock; nothing sleeps in place of synchronisation (the
 * model's `sleep 1; echo` keeps B busy, a command auto mode runs without its server-side check).
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Engine, startEngine } from '../support/redis-engine.js';
import { Sandbox, withScreens } from './support/claude.js';
import type { ClaudeSession } from './support/claude.js';
import { assertBuilt, cli, framedMessages, install, sessionCode } from './support/intercom.js';
import { newText, newToolResults, startMockAnthropic } from './support/mock-anthropic.js';
import type { MockAnthropic, RecordedRequest, Reply } from './support/mock-anthropic.js';

type Rule = (req: RecordedRequest, text: string, results: string[]) => Reply | undefined;

describe('two machines on one team engine, real Claude Code', () => {
  let engine: Engine;
  let mock: MockAnthropic;
  const rules: Rule[] = [];
  let sA: Sandbox;
  let sB: Sandbox;
  let a: ClaudeSession;
  let b: ClaudeSession;
  let a2: ClaudeSession;
  let codeA2: string;
  let codeA: string;
  let codeB: string;
  const fromSession = (s: ClaudeSession) => (r: RecordedRequest) => r.kind === 'main' && r.sessionId === s.sessionId;
  const requestOf = (s: ClaudeSession, token: string, since: number, timeoutMs = 30_000): Promise<RecordedRequest> =>
    withScreens(
      mock.waitFor((r) => fromSession(s)(r) && newText(r).includes(token), { since, timeoutMs, label: `${s.name}'s request carrying ${token}` }),
      [a, b, a2],
    );
  const turnEnded = async (s: ClaudeSession, since: number): Promise<void> => {
    const last = await mock.waitFor((r) => fromSession(s)(r) && r.reply?.stopReason === 'end_turn', { since, label: `the end of ${s.name}'s turn` });
    await mock.waitResponded(last);
  };

  beforeAll(async () => {
    assertBuilt();
    engine = await startEngine();
    mock = await startMockAnthropic((req) => {
      const text = newText(req);
      const results = req.body ? newToolResults(req.body).map((r) => r.text) : [];
      for (const rule of rules) {
        const reply = rule(req, text, results);
        if (reply !== undefined) return reply;
      }
      return 'ok';
    });
    sA = new Sandbox({ apiUrl: mock.url, name: 'team-A' });
    sB = new Sandbox({ apiUrl: mock.url, name: 'team-B' });
    for (const s of [sA, sB]) {
      // The same repository, cloned on both machines.
      execFileSync('git', ['-C', s.project, 'remote', 'add', 'origin', 'git@github.com:org/app.git']);
      await install(s);
      await cli(s, ['install', '--yes', '--scope', 'user', '--backend', engine.url('team-a')]);
    }
    a = await sA.start('A', { env: { CLAUDE_INTERCOM_MACHINE: 'machine-a' } });
    b = await sB.start('B', { env: { CLAUDE_INTERCOM_MACHINE: 'machine-b' } });
    a2 = await sA.start('A2', { env: { CLAUDE_INTERCOM_MACHINE: 'machine-a' } }); // beside A, for the same-machine figure
    [codeA, codeB, codeA2] = await Promise.all([sessionCode(a), sessionCode(b), sessionCode(a2)]);
  });

  afterAll(async () => {
    await sA?.cleanup();
    await sB?.cleanup();
    await mock?.close();
    await engine?.stop();
  });

  it('idle: A finds B on the other machine with who, sends; idle B is woken, replies; idle A is woken', async () => {
    const isA = fromSession(a);
    const isB = fromSession(b);
    rules.push(
      (r, text) => (isA(r) && text.includes('ASK-B') ? { tools: [{ name: 'mcp__intercom__who', input: {} }] } : undefined),
      (r, _t, results) =>
        isA(r) && results.some((t) => t.includes(codeB) && t.includes('machine machine-b'))
          ? { tools: [{ name: 'mcp__intercom__send', input: { to: codeB, message: 'PING-X1: which machine are you on?' } }] }
          : undefined,
      (r, text) => {
        if (!isB(r) || !text.includes('PING-X1')) return undefined;
        const ping = framedMessages(text).find((m) => m.text.includes('PING-X1'));
        return { tools: [{ name: 'mcp__intercom__reply', input: { message_id: ping?.id ?? 'missing', message: 'PONG-X1: machine b' } }] };
      },
    );
    let since = mock.nextSeq;
    await b.submit('HELLO-B: say hi');
    await turnEnded(b, since);

    since = mock.nextSeq;
    await a.submit('ASK-B: find the session on the other machine and ask it');
    const afterWho = await requestOf(a, codeB, since);
    expect(newToolResults(afterWho.body!)[0]?.text).toMatch(new RegExp(`${codeB}  project project  machine machine-b`));
    const sendDone = await mock.waitResponded(afterWho);

    const wakeB = await requestOf(b, 'PING-X1', since);
    const pings = framedMessages(newText(wakeB)).filter((m) => m.text.includes('PING-X1'));
    expect(pings).toHaveLength(1);
    expect(pings[0]?.from).toBe(codeA);
    expect(newText(wakeB)).toMatch(/machine="machine-a"/);
    expect(newText(wakeB)).toMatch(/Another Claude session sent a message|claude-intercom delivered this|Stop hook/); // woken (inbox socket or watcher), not typed
    console.log(`[intercom] idle wake across machines: mock finished A's send tool_use -> B's request: ${(wakeB.receivedAt - sendDone).toFixed(0)} ms`);

    const wakeA = await requestOf(a, 'PONG-X1', since);
    const pong = framedMessages(newText(wakeA)).find((m) => m.text.includes('PONG-X1'));
    expect(pong?.from).toBe(codeB);
    expect(pong?.replyTo).toBe(pings[0]?.id);
    await turnEnded(a, wakeA.seq);
    await turnEnded(b, wakeB.seq);
  });

  it('busy: a message from the other machine reaches B right after its running tool, once', async () => {
    const isA = fromSession(a);
    const isB = fromSession(b);
    const step = (n: number): Reply => ({ tools: [{ name: 'Bash', input: { command: `sleep 1; echo stepped-${n}`, description: 'wait' } }] });
    rules.push(
      (r, text) => (isB(r) && text.includes('WORK-B') ? step(1) : undefined),
      (r, _t, results) => {
        const n = Number(/stepped-(\d)/.exec(results.join('\n'))?.[1] ?? 0);
        if (!isB(r) || n === 0) return undefined;
        return n < 5 ? step(n + 1) : 'work done';
      },
      (r, text) => (isA(r) && text.includes('TELL-B-BUSY') ? { tools: [{ name: 'mcp__intercom__send', input: { to: codeB, message: 'BUSY-X2: heads up from a' } }] } : undefined),
    );
    const since = mock.nextSeq;
    await b.submit('WORK-B: run the slow steps');
    const first = await requestOf(b, 'WORK-B', since);
    await mock.waitResponded(first);
    await a.submit('TELL-B-BUSY: tell B something');
    const delivered = await requestOf(b, 'BUSY-X2', since);
    expect(newToolResults(delivered.body!).some((t) => /stepped-\d/.test(t.text))).toBe(true);
    expect(framedMessages(newText(delivered)).filter((m) => m.text.includes('BUSY-X2')).map((m) => m.from)).toEqual([codeA]);
    await turnEnded(b, delivered.seq);
    await turnEnded(a, since);
    const carrying = mock.mainRequests(b.sessionId).filter((r) => newText(r).includes('BUSY-X2'));
    expect(carrying.map((r) => r.seq)).toEqual([delivered.seq]);
  });

  it('idle wake latency, the other machine against the same machine, in the same run (figures for BENCHMARKS.md)', async () => {
    const isA = fromSession(a);
    rules.push((r, text) => {
      const m = /LAT-(B|A2)-(\d+)/.exec(text);
      if (!isA(r) || !m) return undefined;
      return { tools: [{ name: 'mcp__intercom__send', input: { to: m[1] === 'B' ? codeB : codeA2, message: `WAKE-${m[1]}-${m[2]}` } }] };
    });
    const samples: Record<'B' | 'A2', number[]> = { B: [], A2: [] };
    for (let i = 0; i < 4; i++) {
      for (const [who, s] of [['B', b], ['A2', a2]] as const) {
        const since = mock.nextSeq;
        await a.submit(`LAT-${who}-${i}`);
        const sendReq = await mock.waitFor((r) => isA(r) && r.reply?.tools[0]?.name === 'mcp__intercom__send', { since, label: `A's send ${who} ${i}` });
        const sendDone = await mock.waitResponded(sendReq);
        const wake = await requestOf(s, `WAKE-${who}-${i}`, since);
        expect(framedMessages(newText(wake)).filter((m) => m.text === `WAKE-${who}-${i}`).map((m) => m.from)).toEqual([codeA]);
        samples[who].push(wake.receivedAt - sendDone);
        await turnEnded(s, wake.seq);
        await turnEnded(a, since);
      }
    }
    const med = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
    console.log(
      `[intercom] idle wake, sender's tool_use sent -> recipient's request: other machine ${samples.B.map((x) => x.toFixed(0)).join(', ')} ms (median ${med(samples.B).toFixed(0)}); ` +
        `same machine ${samples.A2.map((x) => x.toFixed(0)).join(', ')} ms (median ${med(samples.A2).toFixed(0)}); ratio ${(med(samples.B) / med(samples.A2)).toFixed(2)}`,
    );
  });
});
