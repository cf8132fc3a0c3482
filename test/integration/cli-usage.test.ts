/**
 * The command line as a person meets it (issue 13): usage errors, help, --json without consent,
 * `serve` in a terminal, an old Node.js, and long messages in `log`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { codeOf, startSession } from '../support/mcp.js';
import { spawnCli, withTimeout } from '../support/processes.js';
import { CLI, tempDir } from '../support/temp.js';

function setup() {
  const root = tempDir('ci-usage-');
  const proj = join(root, 'repo');
  const home = join(root, 'home');
  mkdirSync(join(proj, '.git'), { recursive: true });
  mkdirSync(home);
  return { root, proj, home, env: { CLAUDE_INTERCOM_HOME: join(root, 'store'), USER: 'ada', HOME: home } };
}

const run = (args: string[], env: Record<string, string>) => withTimeout(spawnCli(args, env).exited, 20_000, args.join(' '));

/** Every file under `dir` (relative paths), to prove a refused command wrote nothing. */
function tree(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true }).map((e) => join(e.parentPath, e.name).slice(dir.length));
}

describe('usage errors: one message, one hint, exit 2', () => {
  const cases: Array<[string[], RegExp]> = [
    [['send'], /^claude-intercom: send needs a recipient and a message\.$/],
    [['send', 'ab12'], /^claude-intercom: send needs a message after the recipient\.$/],
    [['who', 'foo'], /^claude-intercom: Unknown argument: foo\.$/],
    [['who', '--bogus'], /^claude-intercom: Unknown argument: bogus\.$/],
    [['frobnicate'], /^claude-intercom: Unknown command "frobnicate"\.$/],
    [['sendd', 'x'], /^claude-intercom: Unknown command "sendd"\. Did you mean `send`\?$/],
    [['--bogus'], /^claude-intercom: Unknown argument: bogus\.$/],
    [['install', '--scope', 'x'], /^claude-intercom: --scope must be one of "user", "project", not "x"\.$/],
    [['uninstall', '--scope', 'nope'], /^claude-intercom: --scope must be one of "user", "project", not "nope"\.$/],
    [['log', '--limit', 'abc'], /^claude-intercom: Invalid options: --limit: .*\.$/],
    [['log', 'extra'], /^claude-intercom: Unknown argument: extra\.$/],
    [['doctor', 'now'], /^claude-intercom: Unknown argument: now\.$/],
  ];
  for (const [args, first] of cases) {
    it(`claude-intercom ${args.join(' ')}`, async () => {
      const { env, root } = setup();
      const r = await run(args, env);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(first);
      expect(lines[1]).toMatch(/^ {2}\S/);
      expect(r.stderr).not.toMatch(/"code":|invalid_type|Run `claude-intercom --help`[\s\S]*Run `claude-intercom/);
      expect(tree(join(root, 'store'))).toEqual([]);
    });
  }

  it('hints name the command that runs here: the exact one without `claude-intercom` on PATH, the name with it', async () => {
    const { env, root } = setup();
    const bare = await run(['frobnicate'], { ...env, PATH: '/usr/bin:/bin' });
    expect(bare.stderr.split('\n')[1]).toBe(`  Run \`${process.execPath} ${CLI} --help\` for the commands.`);
    const bin = join(root, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'claude-intercom'), '#!/bin/sh\n', { mode: 0o755 });
    const named = await run(['frobnicate'], { ...env, PATH: `${bin}:/usr/bin:/bin` });
    expect(named.stderr.split('\n')[1]).toBe('  Run `claude-intercom --help` for the commands.');
  });

  it('a bare claude-intercom prints the help (exit 0): people first, Claude Code\'s commands marked', async () => {
    const { env } = setup();
    const r = await run([], env);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const commands = r.stdout.slice(r.stdout.indexOf('Commands:'));
    const order = ['who', 'send', 'log', 'install', 'uninstall', 'doctor', 'serve', 'hook', 'watch'].map((c) => commands.search(new RegExp(`claude-intercom ${c}\\b`)));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    for (const c of ['serve', 'hook', 'watch']) expect(r.stdout).toMatch(new RegExp(`claude-intercom ${c}\\s+\\[run by Claude Code\\]`));
    for (const c of ['who', 'send', 'log', 'install', 'uninstall', 'doctor']) expect(r.stdout).not.toMatch(new RegExp(`claude-intercom ${c}\\b[^\\n]*\\[run by Claude Code\\]`));
    expect((await run(['--help'], env)).stdout).toBe(r.stdout);
  });

  it('send --help does not call the text required with a default of []', async () => {
    const { env } = setup();
    const r = await run(['send', '--help'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('claude-intercom send <to> <message...>');
    expect(r.stdout).not.toMatch(/\[required\]|\[default: \[\]\]/);
  });
});

describe('--json is not consent', () => {
  for (const command of ['install', 'uninstall']) {
    it(`${command} --json without --yes writes nothing, says why, exit 2`, async () => {
      const { env, home, root } = setup();
      if (command === 'uninstall') {
        expect((await run(['install', '--yes', '--no-bin'], env)).code).toBe(0);
      }
      const before = tree(home).map((p) => [p, existsSync(join(home, p)) && !p.endsWith('/') ? safeRead(join(home, p)) : ''] as const);
      const storeBefore = tree(join(root, 'store')).length;
      const r = await run([command, '--json'], env);
      expect(r.code).toBe(2);
      const out = JSON.parse(r.stdout) as { ok: boolean; error: string; written: unknown[]; changes: unknown[] };
      expect(out.ok).toBe(false);
      expect(out.error).toMatch(/--json does not mean yes.*--yes/);
      expect(out.written).toEqual([]);
      expect(out.changes.length).toBeGreaterThan(0);
      expect(tree(home).map((p) => [p, existsSync(join(home, p)) && !p.endsWith('/') ? safeRead(join(home, p)) : ''] as const)).toEqual(before);
      expect(tree(join(root, 'store')).length).toBe(storeBefore);
    });
  }
});

describe('--json with --yes', () => {
  it('writes, and says what it wrote', async () => {
    const { env, home } = setup();
    const r = await run(['install', '--json', '--yes', '--no-bin'], env);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { ok: boolean; written: Array<{ path: string }> };
    expect(out.ok).toBe(true);
    expect(out.written.map((w) => w.path)).toContain(join(home, '.claude', 'settings.json'));
    expect(existsSync(join(home, '.claude', 'settings.json'))).toBe(true);
    const un = await run(['uninstall', '--json', '--yes'], env);
    expect(un.code).toBe(0);
    expect(existsSync(join(home, '.claude', 'settings.json'))).toBe(false);
  });
});

function safeRead(p: string): string {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return '<dir>';
  }
}

describe('small things', () => {
  it('serve run by hand in a terminal explains and registers nothing', () => {
    const { env, root } = setup();
    // `script` gives the command a real terminal on stdin, as a person's shell would.
    const r = spawnSync('script', ['-qec', `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} serve`, '/dev/null'], {
      env: { PATH: process.env.PATH ?? '', ...env },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(r.status).toBe(2);
    expect(r.stdout).toMatch(/`serve` is the MCP server that Claude Code starts/);
    expect(r.stdout).toContain(`To see the sessions: ${process.execPath} ${CLI} who.`);
    expect(existsSync(join(root, 'store', 'sessions')) ? readdirSync(join(root, 'store', 'sessions')) : []).toEqual([]);
  });

  it('too old a Node.js: one clear error before anything runs', () => {
    const { env, root } = setup();
    const preload = join(root, 'old-node.mjs');
    writeFileSync(preload, "Object.defineProperty(process.versions, 'node', { value: '18.19.0' });\n");
    const r = spawnSync(process.execPath, ['--import', preload, CLI, 'who'], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^claude-intercom needs Node\.js 20\.12\.0 or newer; this is Node\.js 18\.19\.0 \(/);
    expect(r.stdout).toBe('');
    expect(existsSync(join(root, 'store'))).toBe(false);
  });

  it('log cuts a long message with a marker in human output, keeps it whole in --json and --full', async () => {
    const { env, proj } = setup();
    const b = await startSession(env, proj);
    const long = `${'word '.repeat(3000)}END`;
    expect((await run(['send', codeOf(b), long], env)).code).toBe(0);
    const human = await run(['log'], env);
    const line = human.stdout.trimEnd().split('\n').at(-1)!;
    expect(line).not.toContain('END');
    expect(line).toMatch(/\[…cut: 14603 more characters; `log --full` or `log --json` shows it whole\]$/);
    expect(line.length).toBeLessThan(600);
    const json = await run(['log', '--json'], env);
    expect((JSON.parse(json.stdout.trim().split('\n').at(-1)!) as { text: string }).text).toBe(long);
    expect((await run(['log', '--full'], env)).stdout).toContain('word END');
  });

  it('send from inside a Claude Code session (its Bash tool) speaks as that session, not as a person', async () => {
    const { env, proj } = setup();
    const a = await startSession(env, proj);
    const b = await startSession(env, proj);
    const sessions = JSON.parse((await run(['who', '--all', '--json'], env)).stdout) as Array<{ code: string; pid: number }>;
    const pidA = sessions.find((s) => s.code === codeOf(a))!.pid;
    const r = await run(['send', codeOf(b), 'from', 'a', 'bash', 'tool', '--json'], { ...env, CLAUDECODE: '1', CLAUDE_PID: String(pidA) });
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { from: string }).from).toBe(codeOf(a));
    const person = await run(['send', codeOf(b), 'from', 'ada', '--json'], env);
    expect((JSON.parse(person.stdout) as { from: string }).from).toBe('human:ada');
  });

  it('doctor on an empty HOME does not claim "One entry" or "0 present … none"', async () => {
    const { env } = setup();
    const r = await run(['doctor', '--json', '--no-self-test'], env);
    const checks = (JSON.parse(r.stdout) as { checks: Array<{ id: string; detail: string }> }).checks;
    const detail = (id: string) => checks.find((c) => c.id === id)!.detail;
    expect(detail('config-syntax')).toBe('None of them exists yet (Claude Code and install create them).');
    expect(detail('mcp-shadowing')).toBe('No intercom MCP server entry to check.');
  });

  it('*.tgz from npm pack is git-ignored', () => {
    const root = join(CLI, '..', '..');
    const out = execFileSync('git', ['check-ignore', 'claude-intercom-0.1.0.tgz'], { cwd: root, encoding: 'utf8' });
    expect(out.trim()).toBe('claude-intercom-0.1.0.tgz');
  });
});
