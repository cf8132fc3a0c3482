import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { processStart } from '../../src/os/proc.js';
import { FsStore } from '../../src/store/fs/fs-store.js';
import { codeOf, startSession } from '../support/mcp.js';
import { CLI, fakeClaude, tempDir } from '../support/temp.js';

function git(cwd: string, ...args: string[]): void {
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd, stdio: 'ignore' });
}

function repo() {
  const root = realpathSync(tempDir('ci-coord-'));
  const dir = join(root, 'repo');
  mkdirSync(join(dir, 'src'), { recursive: true });
  git(root, 'init', '-q', '-b', 'main', dir);
  writeFileSync(join(dir, 'src', 'a.ts'), 'a\n');
  return { root, dir, home: join(root, 'store') };
}

/** The installed hook's hot entry (dist/hook.cjs), as Claude Code runs it: JSON on stdin, CLAUDE_PID in env. */
function runHook(home: string, claudePid: number, input: Record<string, unknown>): Promise<{ code: number | null; stdout: string }> {
  const child = spawn(process.execPath, [CLI.replace(/cli\.js$/, 'hook.cjs'), 'hook'], {
    env: { PATH: process.env.PATH ?? '', CLAUDE_INTERCOM_HOME: home, CLAUDE_PID: String(claudePid) },
  });
  let stdout = '';
  child.stdout.on('data', (d) => (stdout += String(d)));
  child.stdin.end(JSON.stringify(input));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout })));
}

const pre = (tool: string, file_path: string, cwd: string) => ({ hook_event_name: 'PreToolUse', tool_name: tool, tool_input: { file_path }, cwd });
const post = (tool: string, file_path: string, cwd: string) => ({ hook_event_name: 'PostToolUse', tool_name: tool, tool_input: { file_path }, tool_response: {}, cwd });

function denial(stdout: string): string | undefined {
  if (stdout.trim() === '') return undefined;
  const out = JSON.parse(stdout) as { hookSpecificOutput: { hookEventName: string; permissionDecision?: string; permissionDecisionReason?: string } };
  expect(out.hookSpecificOutput.hookEventName).toBe('PreToolUse');
  expect(out.hookSpecificOutput.permissionDecision).toBe('deny');
  return out.hookSpecificOutput.permissionDecisionReason;
}

describe('the edit hooks through the built hook binary', () => {
  it('records A\'s edit after it, refuses B\'s first edit of that file only, lets the retry through with no output', async () => {
    const r = repo();
    const store = FsStore.open(r.home);
    const [ca, cb] = [fakeClaude(), fakeClaude()];
    const reg = (pid: number) => store.register({ pid, pidStart: processStart(pid)!, serverPid: process.pid, projectRoot: r.dir, projectName: 'repo', cwd: r.dir, startedAt: Date.now() });
    const a = reg(ca.pid);
    reg(cb.pid);
    const file = join(r.dir, 'src', 'a.ts');

    const recorded = await runHook(r.home, ca.pid, post('Write', file, r.dir));
    expect(recorded).toEqual({ code: 0, stdout: '' });
    expect(store.coordination(Date.now()).find((v) => v.session.code === a.code)!.activity.map((x) => [x.relPath, x.tool, x.branch])).toEqual([['src/a.ts', 'Write', 'main']]);

    const first = await runHook(r.home, cb.pid, pre('Edit', file, r.dir));
    expect(first.code).toBe(0);
    expect(denial(first.stdout)).toMatch(new RegExp(`session ${a.code} changed src/a\\.ts \\d+s ago \\(Write\\) on branch main`));
    expect(await runHook(r.home, cb.pid, pre('Edit', file, r.dir))).toEqual({ code: 0, stdout: '' });
    // Nothing touched by anyone, another tool, odd spellings of other files: nothing at all.
    for (const input of [
      pre('Edit', join(r.dir, 'src', 'b.ts'), r.dir),
      pre('Bash', file, r.dir),
      pre('Write', `${file}.orig`, r.dir),
      pre('Write', join(r.dir, 'SRC', 'a.ts'), r.dir),
      pre('Write', `${r.dir}/${'deep/'.repeat(900)}a.ts`, r.dir),
      pre('Write', '', r.dir),
      { hook_event_name: 'PreToolUse', tool_name: 'Write', tool_input: 'not an object' },
      { hook_event_name: 'PreToolUse', tool_name: 'Edit', tool_input: { file_path: ['/etc/passwd'] } },
    ]) {
      const c = fakeClaude();
      reg(c.pid);
      expect(await runHook(r.home, c.pid, input), JSON.stringify(input).slice(0, 100)).toEqual({ code: 0, stdout: '' });
    }
    // The same file through a symlinked folder is the same file.
    symlinkSync(join(r.dir, 'src'), join(r.root, 'alias'));
    const c = fakeClaude();
    reg(c.pid);
    expect(denial((await runHook(r.home, c.pid, pre('Write', join(r.root, 'alias', 'a.ts'), r.root))).stdout)).toContain(`session ${a.code}`);
  });

  it('an internal error is never a denial: exit 0, no output, a line in the debug log', async () => {
    const r = repo();
    const store = FsStore.open(r.home);
    const [ca, cb] = [fakeClaude(), fakeClaude()];
    const reg = (pid: number) => store.register({ pid, pidStart: processStart(pid)!, serverPid: process.pid, projectRoot: r.dir, projectName: 'repo', cwd: r.dir, startedAt: Date.now() });
    reg(ca.pid);
    const b = reg(cb.pid);
    const file = join(r.dir, 'src', 'a.ts');
    await runHook(r.home, ca.pid, post('Edit', file, r.dir));
    // B's warn-once marks cannot be written (a file where their folder should be): the hook cannot warn once.
    mkdirSync(join(r.home, 'coord', b.code), { recursive: true });
    writeFileSync(join(r.home, 'coord', b.code, 'warned'), 'in the way');
    expect(await runHook(r.home, cb.pid, pre('Edit', file, r.dir))).toEqual({ code: 0, stdout: '' });
    expect(readFileSync(join(r.home, 'debug.log'), 'utf8')).toMatch(/hook: Error: ENOTDIR/);
    rmSync(join(r.home, 'coord', b.code, 'warned'));
    expect(denial((await runHook(r.home, cb.pid, pre('Edit', file, r.dir))).stdout)).toBeDefined();
  });
});

describe('reserve, release, status, who and the edit_hook tool through a real MCP client', () => {
  it('B sees A\'s status, files and reservations; is refused once in a reserved folder; nothing of A is left after it ends', async () => {
    const r = repo();
    const env = { CLAUDE_INTERCOM_HOME: r.home };
    const a = await startSession(env, r.dir);
    const b = await startSession(env, r.dir);
    const ca = codeOf(a);
    expect(codeOf(b)).not.toBe(ca);
    expect(a.instructions).toContain('`reserve` them');
    const tools = (await a.client.listTools()).tools.map((t) => t.name);
    expect(tools).toEqual(expect.arrayContaining(['reserve', 'release', 'status', 'edit_hook']));

    expect((await a.call('status', { text: 'rewriting the docs' })).text).toBe('Status set: "rewriting the docs".');
    const reserved = await a.call('reserve', { paths: ['docs/**'], minutes: 20, reason: 'new guide' });
    expect(reserved).toMatchObject({ isError: false });
    expect(reserved.text).toContain(`Reserved docs/** in ${r.dir} until`);
    expect((await a.call('edit_hook', { event: 'PostToolUse', tool: 'Write', file_path: join(r.dir, 'src', 'a.ts') })).text).toBe('');
    const bad = await a.call('reserve', { paths: ['../elsewhere'] });
    expect(bad.isError).toBe(true);
    expect(bad.text).toContain('goes up with ".."');

    const who = (await b.call('who')).text;
    expect(who).toContain(`${ca}  project repo`);
    expect(who).toContain('status: "rewriting the docs"');
    expect(who).toMatch(/recent files: src\/a\.ts \(Write, \d+s ago\)/);
    expect(who).toContain('reserved: docs/** until');
    expect(who).toContain('("new guide")');

    const json = JSON.parse(execFileSync(process.execPath, [CLI, 'who', '--json'], { cwd: r.dir, env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' })) as Array<Record<string, unknown>>;
    const ja = json.find((s) => s.code === ca)!;
    expect(ja.status).toMatchObject({ text: 'rewriting the docs' });
    expect(ja.recentFiles).toEqual([expect.objectContaining({ path: join(r.dir, 'src', 'a.ts'), relPath: 'src/a.ts', tool: 'Write', branch: 'main' })]);
    expect(ja.reservations).toEqual([expect.objectContaining({ patterns: ['docs/**'], reason: 'new guide', worktree: r.dir })]);

    const guard = (args: Record<string, unknown>) => b.call('edit_hook', { event: 'PreToolUse', tool: 'Write', ...args });
    const first = await guard({ file_path: join(r.dir, 'docs', 'guide.md') });
    expect(first.isError).toBe(false);
    expect(denial(first.text)).toContain(`session ${ca} has reserved docs/** (covering docs/guide.md)`);
    expect((await guard({ file_path: join(r.dir, 'docs', 'guide.md') })).text).toBe('');
    expect(denial((await guard({ file_path: join(r.dir, 'src', 'a.ts') })).text)).toContain('"rewriting the docs"');
    // What Claude Code substitutes for a field the tool input lacks: an empty string.
    expect((await guard({ file_path: '', notebook_path: join(r.dir, 'src', 'b.ipynb') })).text).toBe('');
    expect((await b.call('release')).text).toBe('Nothing of that was reserved by you.');

    // A ends (close resolves once its Claude Code stand-in has exited): its records go with it.
    await a.close();
    expect((await b.call('who')).text).not.toContain(ca);
    const c = await startSession(env, r.dir);
    expect((await c.call('edit_hook', { event: 'PreToolUse', tool: 'Edit', file_path: join(r.dir, 'src', 'a.ts') })).text).toBe('');
    expect((await c.call('edit_hook', { event: 'PreToolUse', tool: 'Write', file_path: join(r.dir, 'docs', 'x.md') })).text).toBe('');
  });
});
