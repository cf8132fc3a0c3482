/**
 * The built binary as a person runs it, with a temp HOME: install, the installed hook command,
 * doctor with its live self-test, uninstall. The package is built into a temp folder (the same
 * tsup config as `npm run build`), so a concurrent rebuild of dist/ cannot pull the rug.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOOK_ENTRIES } from '../../../src/claude/hook-spec.js';
import { REPO_ROOT, read, snapshot } from '../../unit/install/support.js';

let root: string;
let pkg: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'ci-binary-'));
  pkg = join(root, 'pkg');
  mkdirSync(pkg);
  execFileSync(join(REPO_ROOT, 'node_modules', '.bin', 'tsup'), ['--out-dir', join(pkg, 'dist')], { cwd: REPO_ROOT, stdio: 'pipe' });
  cpSync(join(REPO_ROOT, 'package.json'), join(pkg, 'package.json'));
  cpSync(join(REPO_ROOT, 'templates'), join(pkg, 'templates'), { recursive: true });
}, 180_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

function home(name: string): { home: string; project: string; env: NodeJS.ProcessEnv } {
  const h = join(root, name, 'home');
  const project = join(root, name, 'project');
  mkdirSync(h, { recursive: true });
  mkdirSync(project, { recursive: true });
  const env: NodeJS.ProcessEnv = { PATH: `${join(REPO_ROOT, 'node_modules', '.bin')}:/usr/bin:/bin`, HOME: h, USER: 'tester' };
  return { home: h, project, env };
}

function cli(args: string[], w: { project: string; env: NodeJS.ProcessEnv }, input?: string) {
  const r = spawnSync(process.execPath, [join(pkg, 'dist', 'cli.js'), ...args], { cwd: w.project, env: w.env, encoding: 'utf8', input: input ?? '', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the built binary', () => {
  it('installs, runs the installed hook fast, passes doctor with a live self-test, and uninstalls to the same bytes', () => {
    const w = home('full');
    writeFileSync(join(w.home, '.claude.json'), '{\n  "numStartups": 4,\n  "projects": {}\n}\n');
    mkdirSync(join(w.home, '.claude'));
    writeFileSync(join(w.home, '.claude', 'settings.json'), '{\n\t"model": "opus"\n}');
    const before = snapshot(w.home);

    const dry = cli(['install', '--dry-run'], w);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('Dry run: nothing was written.');
    expect(snapshot(w.home)).toEqual(before);

    const inst = cli(['install', '--yes'], w);
    expect(inst.stderr).toBe('');
    expect(inst.code).toBe(0);
    const app = join(w.home, '.claude-intercom', 'app', '0.1.0');
    const settings = JSON.parse(read(join(w.home, '.claude', 'settings.json'))) as { hooks: Record<string, Array<{ hooks: Array<{ command?: string }> }>> };
    // The `hook` command (PostToolUse may be an mcp_tool hook, when the claude on PATH knows the type).
    const hookCmd = Object.values(settings.hooks).flat().flatMap((g) => g.hooks).map((h) => h.command ?? '').find((c) => c.endsWith(' hook'))!;
    expect(hookCmd.startsWith(`exec ${process.execPath} ${app}/dist/`)).toBe(true);
    expect(Object.keys(settings.hooks).sort()).toEqual([...new Set(HOOK_ENTRIES.map((e) => e.event))].sort());

    // The installed hook command, run the way Claude Code runs it, answers quickly.
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      const r = spawnSync('/bin/sh', ['-c', hookCmd], {
        cwd: w.project,
        env: { ...w.env, CLAUDE_PID: String(process.pid) },
        input: JSON.stringify({ session_id: 's', transcript_path: '', cwd: w.project, hook_event_name: 'PostToolUse', tool_name: 'Bash' }),
        encoding: 'utf8',
      });
      times.push(performance.now() - t0);
      expect(r.status).toBe(0);
    }
    times.sort((a, b) => a - b);
    console.log(`installed hook command (no session): median ${times[2]!.toFixed(0)} ms, max ${times[4]!.toFixed(0)} ms`);
    expect(times[2]!).toBeLessThan(1000);

    const doc = cli(['doctor', '--json'], w);
    const report = JSON.parse(doc.stdout) as { ok: boolean; checks: Array<{ id: string; status: string; detail: string }> };
    const notOk = report.checks.filter((c) => c.status !== 'ok');
    expect(notOk).toEqual([]);
    expect(doc.code).toBe(0);
    const self = report.checks.find((c) => c.id === 'self-test')!;
    expect(self.detail).toMatch(/the watcher woke \(exit 2\) \d+ ms after the message was stored/);
    console.log(`doctor self-test: ${self.detail}`);

    const again = cli(['install', '--yes'], w);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Nothing to do');

    const un = cli(['uninstall', '--yes'], w);
    expect(un.code).toBe(0);
    const after = new Map([...snapshot(w.home)].filter(([k]) => !k.startsWith('.claude-intercom')));
    expect(after).toEqual(before);
  });

  it('without a terminal and without --yes: exit 2 and how to run it', () => {
    const w = home('no-tty');
    const r = cli(['install'], w);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('No terminal to ask in');
    expect(r.stderr).toContain('--yes');
    expect(snapshot(w.home).size).toBe(0);
  });

  it('refuses a settings.json with a comment (exit 1) and doctor names it', () => {
    const w = home('bad');
    mkdirSync(join(w.home, '.claude'));
    const text = '{\n  // mine\n  "model": "opus"\n}\n';
    writeFileSync(join(w.home, '.claude', 'settings.json'), text);
    const r = cli(['install', '--yes'], w);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${join(w.home, '.claude', 'settings.json')}:2:3: found a comment`);
    expect(read(join(w.home, '.claude', 'settings.json'))).toBe(text);
    const d = cli(['doctor'], w);
    expect(d.code).toBe(1);
    expect(d.stdout).toMatch(/FAILURE +Config files Claude Code reads: .*settings\.json:2:3: found a comment/);
    expect(d.stdout).toContain('FAILURE  Installed entries: No intercom entries');
  });
});
