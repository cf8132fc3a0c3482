/**
 * Coordination against the real Claude Code: sessions in one git repository (and a second
 * worktree of it), set up by intercom's own installer, editing files through a scripted model.
 * The model's edits are real Write/Edit tool calls; the hooks decide. Waits are on requests
 * reaching the mock, never sleeps. At most two Claude Code sessions run at once.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { editMcpToolEntries } from '../../src/claude/hook-spec.js';
import { Coordination } from '../../src/core/coordination.js';
import { processStart } from '../../src/os/proc.js';
import { FsStore } from '../../src/store/fs/fs-store.js';
import { Sandbox, withScreens } from './support/claude.js';
import type { ClaudeSession } from './support/claude.js';
import { assertBuilt, cli, install, sessionCode } from './support/intercom.js';
import { newText, newToolResults, startMockAnthropic } from './support/mock-anthropic.js';
import type { MockAnthropic, RecordedRequest, Reply } from './support/mock-anthropic.js';

type ToolResult = { toolUseId: string; text: string; isError: boolean };
/** One step of a scripted turn: sees the tool results (and the request) of the previous step. */
type Step = (results: ToolResult[], req: RecordedRequest) => Reply;

/** A mock that plays one scripted turn per session at a time: each main request takes the next step. */
async function turnMock() {
  const active = new Map<string, { steps: Step[]; cursor: number }>();
  const mock = await startMockAnthropic((req) => {
    const script = req.kind === 'main' && req.sessionId ? active.get(req.sessionId) : undefined;
    if (!script || script.cursor >= script.steps.length) return 'ok';
    const results = req.body ? newToolResults(req.body) : [];
    return script.steps[script.cursor++]!(results, req);
  });
  /** Type `prompt` into `s` and play `steps`; resolves when the turn has ended. */
  const turn = async (s: ClaudeSession, prompt: string, steps: Step[], others: ClaudeSession[] = []): Promise<void> => {
    active.set(s.sessionId, { steps, cursor: 0 });
    const since = mock.nextSeq;
    await s.submit(prompt);
    const last = await withScreens(
      mock.waitFor((r) => r.kind === 'main' && r.sessionId === s.sessionId && r.reply?.stopReason === 'end_turn', { since, timeoutMs: 60_000, label: `the end of ${s.name}'s turn` }),
      [s, ...others],
    );
    await mock.waitResponded(last);
    const script = active.get(s.sessionId)!;
    expect(script.cursor, `${s.name} played every step`).toBe(steps.length);
    active.delete(s.sessionId);
  };
  return { mock, turn, active };
}

const tool = (name: string, input: Record<string, unknown>): Reply => ({ tools: [{ name, input }] });

function git(cwd: string, ...args: string[]): void {
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd, stdio: 'ignore' });
}

function gitBranch(cwd: string): string {
  return execFileSync('git', ['rev-parse', '--abbrev-ref', 'HEAD'], { cwd, encoding: 'utf8' }).trim();
}

interface WhoEntry {
  code: string;
  cwd: string;
  status: { text: string } | null;
  recentFiles: Array<{ relPath: string; tool: string; branch?: string }>;
  reservations: Array<{ patterns: string[]; reason?: string }>;
}

describe('two sessions in one repository, with the installed hooks', () => {
  let mock: MockAnthropic;
  let turn: Awaited<ReturnType<typeof turnMock>>['turn'];
  let sbx: Sandbox;
  let project: string;
  let wt: string;
  let a: ClaudeSession;
  let codeA: string;

  beforeAll(async () => {
    assertBuilt();
    ({ mock, turn } = await turnMock());
    sbx = new Sandbox({ apiUrl: mock.url, name: 'coord' });
    project = realpathSync(sbx.project);
    writeFileSync(join(project, 'README.md'), 'repo\n');
    git(project, 'add', '.');
    git(project, 'commit', '-qm', 'first');
    wt = join(realpathSync(sbx.root), 'wt');
    git(project, 'worktree', 'add', '-q', '-b', 'feature', wt);
    sbx.writeClaudeJson({ projects: { [sbx.project]: { hasTrustDialogAccepted: true }, [wt]: { hasTrustDialogAccepted: true } } });
    await install(sbx, ['Read', 'Write', 'Edit']);
    a = await sbx.start('A');
    codeA = await sessionCode(a);
  });

  afterAll(async () => {
    await sbx?.cleanup();
    await mock?.close();
  });

  const who = async (): Promise<WhoEntry[]> => JSON.parse(await cli(sbx, ['who', '--json'])) as WhoEntry[];

  it('refuses B\'s first edit of A\'s file before it changes, names A, lets the retry through; an untouched file and a reserved folder', async () => {
    const aFile = join(project, 'src', 'a.ts');
    mkdirSync(join(project, 'src'));
    await turn(a, 'A-WRITE: write src/a.ts', [
      () => tool('mcp__intercom__status', { text: 'A-STATUS rewriting a.ts' }),
      (r) => (expect(r[0]?.text).toContain('Status set'), tool('Write', { file_path: aFile, content: 'export const a = 1; // by A\n' })),
      (r) => (expect(r[0]?.isError).toBe(false), 'A done'),
    ]);
    expect(readFileSync(aFile, 'utf8')).toContain('by A');
    const whoA = (await who()).find((s) => s.code === codeA)!;
    expect(whoA.status?.text).toBe('A-STATUS rewriting a.ts');
    expect(whoA.recentFiles[0]).toMatchObject({ relPath: 'src/a.ts', tool: 'Write', branch: gitBranch(project) });

    const b = await sbx.start('B');
    const codeB = await sessionCode(b);
    let denial: ToolResult | undefined;
    let atDenial = '';
    let retry: ToolResult | undefined;
    let untouched: ToolResult | undefined;
    const edit = { file_path: aFile, old_string: 'by A', new_string: 'by B' };
    await turn(
      b,
      'B-EDIT: change src/a.ts',
      [
        () => tool('Read', { file_path: aFile }),
        () => tool('Edit', edit),
        (r) => ((denial = r[0]), (atDenial = readFileSync(aFile, 'utf8')), tool('Edit', edit)),
        (r) => ((retry = r[0]), tool('Write', { file_path: join(project, 'src', 'b.ts'), content: 'by B\n' })),
        (r) => ((untouched = r[0]), 'B done'),
      ],
      [a],
    );
    console.log(`[coordination] what B's model reads when its first Edit is refused:\n${denial?.text}`);
    expect(denial?.isError).toBe(true);
    expect(denial?.text).toContain(`session ${codeA} changed src/a.ts`);
    expect(denial?.text).toContain('(Write)');
    expect(denial?.text).toContain('"A-STATUS rewriting a.ts"');
    expect(denial?.text).toContain('retry the same edit to go ahead');
    expect(atDenial).toContain('by A'); // refused before the file changed
    expect(retry?.isError, retry?.text).toBe(false);
    expect(readFileSync(aFile, 'utf8')).toContain('by B');
    expect(untouched?.isError, untouched?.text).toBe(false);
    expect(untouched?.text).not.toContain('claude-intercom');

    // A reserves docs/**; B's first write into docs/ is refused.
    await turn(a, 'A-RESERVE: reserve the docs', [() => tool('mcp__intercom__reserve', { paths: ['docs/**'], reason: 'A-RESERVE new guide' }), (r) => (expect(r[0]?.text).toContain('Reserved docs/**'), 'A done')], [b]);
    let reserved: ToolResult | undefined;
    const guide = join(project, 'docs', 'guide.md');
    await turn(b, 'B-DOCS: write the guide', [() => tool('Write', { file_path: guide, content: 'guide\n' }), (r) => ((reserved = r[0]), 'B done')], [a]);
    expect(reserved?.isError).toBe(true);
    expect(reserved?.text).toContain(`session ${codeA} has reserved docs/** (covering docs/guide.md)`);
    expect(reserved?.text).toContain('"A-RESERVE new guide"');
    expect(existsSync(guide)).toBe(false);

    const all = await who();
    expect(all.find((s) => s.code === codeA)!.reservations).toEqual([expect.objectContaining({ patterns: ['docs/**'], reason: 'A-RESERVE new guide' })]);
    expect(all.find((s) => s.code === codeB)!.recentFiles.map((f) => f.relPath)).toEqual(['src/b.ts', 'src/a.ts']);
    await b.exit();
  });

  it('a second worktree of the repository gets a notice, not a refusal, and is the same project for who', async () => {
    const c = await sbx.start('C', { cwd: wt });
    const codeC = await sessionCode(c);
    expect((await who()).map((s) => s.code)).toEqual(expect.arrayContaining([codeA, codeC]));
    mkdirSync(join(wt, 'src'), { recursive: true });
    let written: ToolResult | undefined;
    let after = '';
    await turn(c, 'C-WRITE: write src/a.ts here', [() => tool('Write', { file_path: join(wt, 'src', 'a.ts'), content: 'by C\n' }), (r, req) => ((written = r[0]), (after = newText(req)), 'C done')], [a]);
    expect(written?.isError, written?.text).toBe(false);
    expect(readFileSync(join(wt, 'src', 'a.ts'), 'utf8')).toBe('by C\n');
    expect(after).toContain(`session ${codeA} is editing src/a.ts in another worktree of this repository (${project}`);
    expect(after).toContain('expect a merge conflict');
    await c.exit();
  });

  it('after A exits, nothing of A is left: its file and its reservation stop no one', async () => {
    await a.exit();
    const d = await sbx.start('D');
    const codeD = await sessionCode(d);
    expect((await who()).map((s) => s.code)).toEqual([codeD]);
    const aFile = join(project, 'src', 'a.ts');
    const results: ToolResult[] = [];
    await turn(d, 'D-EDIT: edit a.ts and write a doc', [
      () => tool('Read', { file_path: aFile }),
      () => tool('Edit', { file_path: aFile, old_string: 'by B', new_string: 'by D' }),
      (r) => (results.push(r[0]!), tool('Write', { file_path: join(project, 'docs', 'x.md'), content: 'x\n' })),
      (r) => (results.push(r[0]!), 'D done'),
    ]);
    for (const r of results) {
      expect(r.isError, r.text).toBe(false);
      expect(r.text).not.toContain('claude-intercom');
    }
    expect(readFileSync(aFile, 'utf8')).toContain('by D');
  });
});

describe('the edit hooks as mcp_tool hooks (no process per edit), claude -p', () => {
  let mock: MockAnthropic;
  let active: Awaited<ReturnType<typeof turnMock>>['active'];
  let sbx: Sandbox;

  beforeAll(async () => {
    assertBuilt();
    ({ mock, active } = await turnMock());
    sbx = new Sandbox({ apiUrl: mock.url, name: 'coord-mcp' });
    await install(sbx, ['Read', 'Write', 'Edit']);
    // The installed command entry on PreToolUse is swapped for the mcp_tool variant, written as
    // hook-spec.ts describes it; PostToolUse on edits gets the mcp_tool entry too.
    const path = join(sbx.home, '.claude', 'settings.json');
    const settings = JSON.parse(readFileSync(path, 'utf8')) as { hooks: Record<string, unknown[]> };
    const [pre, post] = editMcpToolEntries();
    settings.hooks.PreToolUse = [{ matcher: pre!.matcher, hooks: [pre!.hook] }];
    // Only the mcp_tool entry on PostToolUse, so that the edit recorded below can only have come through it.
    settings.hooks.PostToolUse = [{ matcher: post!.matcher, hooks: [post!.hook] }];
    writeFileSync(path, JSON.stringify(settings, null, 2));
  });

  afterAll(async () => {
    await sbx?.cleanup();
    await mock?.close();
  });

  it('denies the first Write with the reason, lets the retry through, and records the edit', async () => {
    const project = realpathSync(sbx.project);
    const file = join(project, 'a.ts');
    // Another live session that edited a.ts a moment ago.
    const store = FsStore.open(sbx.intercomHome);
    const { spawn } = await import('node:child_process');
    const peerProc = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1 << 30)'], { stdio: 'ignore', env: { ...process.env, CLAUDE_INTERCOM_E2E_SANDBOX: sbx.root } });
    const peer = store.register({ pid: peerProc.pid!, pidStart: processStart(peerProc.pid!)!, serverPid: peerProc.pid!, projectRoot: project, projectName: 'project', cwd: project, startedAt: Date.now() });
    const coordination = new Coordination(store);
    await coordination.setStatus(peer, 'PEER-STATUS on a.ts');
    await coordination.recordEdit(peer.code, file, project, 'Edit');

    const sessionId = randomUUID();
    let denial: ToolResult | undefined;
    let existedAtDenial = true;
    let retry: ToolResult | undefined;
    let whoText = '';
    active.set(sessionId, {
      cursor: 0,
      steps: [
        () => tool('Write', { file_path: file, content: 'by P\n' }),
        (r) => ((denial = r[0]), (existedAtDenial = existsSync(file)), tool('Write', { file_path: file, content: 'by P\n' })),
        (r) => ((retry = r[0]), tool('mcp__intercom__who', {})),
        (r) => ((whoText = r[0]?.text ?? ''), 'done'),
      ],
    });
    const run = await sbx.print('P-WRITE: write a.ts', { args: ['--session-id', sessionId] });
    expect(run.code, run.stderr).toBe(0);
    expect(denial?.isError).toBe(true);
    expect(denial?.text).toContain(`session ${peer.code} changed a.ts`);
    expect(denial?.text).toContain('"PEER-STATUS on a.ts"');
    expect(existedAtDenial).toBe(false);
    expect(retry?.isError, retry?.text).toBe(false);
    expect(readFileSync(file, 'utf8')).toBe('by P\n');
    // PostToolUse through the mcp_tool hook recorded the Write for this session (`${tool_name}`, `${tool_input.file_path}`).
    expect(whoText).toMatch(/\(you\)[^\n]*\n(?:  [^\n]*\n)*  recent files: a\.ts \(Write, \d+s ago\)/);
    peerProc.kill('SIGKILL');
  });
});
