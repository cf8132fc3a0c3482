/**
 * Facts about Claude Code's per-session inbox socket and the asyncRewake label fields, checked on
 * the pinned binary with probe hooks and the probe MCP server (no intercom code involved). The
 * socket path of claude-intercom (`src/claude/inbox-socket.ts`) and the readable fallback label
 * (`rewakeSummary`/`rewakeMessage` in `src/claude/hook-spec.ts`) depend on each of these.
 */
import { connect } from 'node:net';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, Sandbox, withScreens } from './support/claude.js';
import type { ClaudeSession } from './support/claude.js';
import { waitForJsonFiles } from './support/files.js';
import { newText, newToolResults, startMockAnthropic } from './support/mock-anthropic.js';
import type { MockAnthropic, RecordedRequest } from './support/mock-anthropic.js';

const HOOK = join(REPO_ROOT, 'test/e2e/support/probe-hook.mjs');
const MCP = join(REPO_ROOT, 'test/e2e/support/probe-mcp-server.mjs');

interface HookRecord {
  label: string;
  pid: number;
  env: Record<string, string>;
  input: Record<string, unknown> | null;
  startedAt: number;
}

function probe(outDir: string, label: string, actions: string[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
  return { type: 'command', command: [process.execPath, HOOK, outDir, label, ...actions].map(q).join(' '), ...extra };
}

/** Post one user line into a session's inbox socket, the way Claude Code documents it. */
function post(socketPath: string, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const line = JSON.stringify({ type: 'user', message: { role: 'user', content: text } }) + '\n';
    const sock = connect(socketPath);
    sock.once('error', reject);
    sock.once('connect', () => sock.end(line, () => resolve()));
  });
}

describe('Claude Code 2.1.332: the session inbox socket and the rewake label', () => {
  let mock: MockAnthropic;
  let sbx: Sandbox;
  let session: ClaudeSession;
  let out: string;
  let socketPath: string;
  const mine = (r: RecordedRequest): boolean => r.kind === 'main' && r.sessionId === session.sessionId;

  beforeAll(async () => {
    mock = await startMockAnthropic((req) => {
      const text = newText(req);
      const results = req.body ? newToolResults(req.body) : [];
      if (text.includes('RUN-SLOW'))
        return { tools: [{ name: 'Bash', input: { command: 'node -e "setTimeout(()=>{}, 4000)"; echo slow-done', description: 'wait' } }] };
      if (results.some((r) => r.text.includes('slow-done'))) return 'slow finished';
      return 'ok';
    });
    sbx = new Sandbox({ apiUrl: mock.url, name: 'sockfacts' });
    out = join(sbx.root, 'out');
    mkdirSync(out);
    sbx.writeUserSettings({
      permissions: { disableAutoMode: 'disable', allow: ['mcp__probe', 'Bash'] },
      hooks: {
        UserPromptSubmit: [{ hooks: [probe(out, 'ups', [])] }],
        // What intercom's PostToolUse hook prints when it hands messages over: context for the
        // model, a systemMessage for the person.
        PostToolUse: [
          {
            matcher: 'Bash',
            hooks: [
              probe(out, 'post', [
                `stdout=${JSON.stringify({ systemMessage: 'claude-intercom: k3x9 (web): SYSMSG-FOR-THE-PERSON', hookSpecificOutput: { hookEventName: 'PostToolUse', additionalContext: 'CTX-FOR-THE-MODEL' } })}`,
              ]),
            ],
          },
        ],
        Stop: [
          {
            hooks: [
              probe(out, 'stop-rewake', [`await=${join(out, 'go-stop')}`, 'stderr=WAKE-LABELLED', 'exit=2'], {
                asyncRewake: true,
                timeout: 600,
                rewakeSummary: 'intercom: a message from k3x9',
                rewakeMessage: 'PREFIX-FROM-REWAKEMESSAGE:',
              }),
            ],
          },
        ],
      },
    });
    sbx.writeClaudeJson({
      mcpServers: { probe: { type: 'stdio', command: process.execPath, args: [MCP, join(out, 'mcp-server.info')], env: {} } },
    });
    session = await sbx.start('sock');
  });

  afterAll(async () => {
    await sbx?.cleanup();
    await mock?.close();
  });

  it('gives MCP servers CLAUDE_CODE_MESSAGING_SOCKET (a 0600 socket of the claude process) and a token', async () => {
    const [server] = await waitForJsonFiles<{ env: Record<string, string> }>(out, (n) => n === 'mcp-server.info', 30_000);
    socketPath = server!.env.CLAUDE_CODE_MESSAGING_SOCKET ?? '';
    console.log(`[socket-facts] MCP server env: CLAUDE_CODE_MESSAGING_SOCKET=${socketPath} TOKEN=${server!.env.CLAUDE_CODE_MESSAGING_TOKEN ? '(32 hex)' : '(none)'}`);
    expect(socketPath).toMatch(new RegExp(`/${session.pid}\\.sock$`));
    expect(server!.env.CLAUDE_CODE_MESSAGING_TOKEN).toMatch(/^[0-9a-f]{32}$/);
    const st = statSync(socketPath);
    expect(st.isSocket()).toBe(true);
    expect(st.mode & 0o777).toBe(0o600);
  });

  it('starts a turn in the idle session for a posted line, framed as from another session, and shows it in the pane', async () => {
    let since = mock.nextSeq;
    await session.submit('hello');
    const first = await mock.waitFor((r) => mine(r) && newText(r).includes('hello'), { since });
    await mock.waitResponded(first);
    await session.waitForScreen((s) => s.includes('ok'), 10_000, 'the first answer');

    since = mock.nextSeq;
    const t0 = performance.now();
    await post(socketPath, 'SOCKET-IDLE-1 first line\nsecond line <b>&amp;</b>');
    const wake = await withScreens(
      mock.waitFor((r) => mine(r) && newText(r).includes('SOCKET-IDLE-1'), { since, timeoutMs: 15_000, label: 'the socket wake' }),
      [session],
    );
    console.log(`[socket-facts] idle: socket write -> request ${(wake.receivedAt - t0).toFixed(0)} ms; new content:\n${newText(wake)}`);
    const last = wake.body!.messages.at(-1)!;
    console.log(`[socket-facts] last message role=${last.role} content=${JSON.stringify(last.content).slice(0, 600)}`);
    expect(newText(wake)).toContain('Another Claude session sent a message:');
    expect(newText(wake)).toContain('SOCKET-IDLE-1 first line\nsecond line <b>&amp;</b>');
    await mock.waitResponded(wake);
    const screen = await session.waitForScreen((s) => s.includes('SOCKET-IDLE-1'), 10_000, 'the posted text in the pane');
    console.log(`[socket-facts] pane after the socket wake:\n${screen}`);
    // The session's UserPromptSubmit hooks run with the posted text as the prompt.
    const ups = await waitForJsonFiles<HookRecord>(out, (n) => n.startsWith('ups.') && n.endsWith('.json'), 10_000, (f) =>
      f.some((u) => String(u.input?.prompt ?? '').includes('SOCKET-IDLE-1')),
    );
    console.log(`[socket-facts] UserPromptSubmit input: ${JSON.stringify(ups.find((u) => String(u.input?.prompt ?? '').includes('SOCKET-IDLE-1'))?.input)}`);
  });

  it('delivers a line posted while a tool runs right after that tool, within the turn', async () => {
    const since = mock.nextSeq;
    await session.submit('RUN-SLOW now');
    const started = await mock.waitFor((r) => mine(r) && newText(r).includes('RUN-SLOW'), { since });
    await mock.waitResponded(started);
    await post(socketPath, 'SOCKET-BUSY-2 while you work');
    const delivered = await withScreens(
      mock.waitFor((r) => mine(r) && newText(r).includes('SOCKET-BUSY-2'), { since, timeoutMs: 20_000, label: 'the busy delivery' }),
      [session],
    );
    console.log(`[socket-facts] busy: new content:\n${newText(delivered)}`);
    const last = delivered.body!.messages.at(-1)!;
    console.log(`[socket-facts] busy: last message role=${last.role} content=${JSON.stringify(last.content).slice(0, 800)}`);
    expect(newToolResults(delivered.body!).some((t) => t.text.includes('slow-done'))).toBe(true);
    // The PostToolUse hook's additionalContext reached the model, its systemMessage did not.
    expect(newText(delivered)).toContain('PostToolUse:Bash hook additional context: CTX-FOR-THE-MODEL');
    expect(newText(delivered)).not.toContain('SYSMSG-FOR-THE-PERSON');
    await mock.waitResponded(delivered);
    await session.waitForScreen((s) => s.includes('claude-intercom: k3x9 (web): SYSMSG-FOR-THE-PERSON'), 10_000, "the hook's systemMessage in the pane");
    const screen = await session.waitForScreen((s) => s.includes('SOCKET-BUSY-2'), 10_000, 'the busy text in the pane');
    console.log(`[socket-facts] pane after the busy delivery:\n${screen}`);
  });

  it('labels an asyncRewake wake with rewakeSummary in the pane and rewakeMessage in the model text', async () => {
    const stops = await waitForJsonFiles<HookRecord>(out, (n) => n.startsWith('stop-rewake.') && n.endsWith('.json'), 30_000);
    expect(stops.length).toBeGreaterThan(0);
    const since = mock.nextSeq;
    writeFileSync(join(out, 'go-stop'), '');
    const wake = await withScreens(
      mock.waitFor((r) => mine(r) && newText(r).includes('WAKE-LABELLED'), { since, timeoutMs: 15_000, label: 'the labelled rewake' }),
      [session],
    );
    console.log(`[socket-facts] labelled rewake, new content:\n${newText(wake)}`);
    expect(newText(wake)).toContain('PREFIX-FROM-REWAKEMESSAGE: WAKE-LABELLED');
    expect(newText(wake)).not.toContain('Stop hook blocking error');
    await mock.waitResponded(wake);
    const screen = await session.waitForScreen((s) => s.includes('intercom: a message from k3x9'), 10_000, 'the rewake summary in the pane');
    console.log(`[socket-facts] pane after the labelled rewake:\n${screen}`);
    expect(screen).not.toContain('Stop hook feedback');
  });
});
