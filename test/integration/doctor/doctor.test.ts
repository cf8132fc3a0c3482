/**
 * Doctor against broken set-ups in temp HOMEs: each fault is named, with its fix, and a failure
 * makes the exit code non-zero. Claude Code's version comes from a fake `claude` on PATH.
 */
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HOOK_ENTRIES, hookCommand } from '../../../src/claude/hook-spec.js';
import { processStart } from '../../../src/os/proc.js';
import { run as doctor } from '../../../src/commands/doctor.js';
import { run as install } from '../../../src/commands/install.js';
import type { CheckResult, DoctorDeps } from '../../../src/doctor/types.js';
import { FsStore } from '../../../src/store/fs/fs-store.js';
import { makeWorld, type World } from '../../unit/install/support.js';

let worlds: World[] = [];
afterEach(() => {
  for (const w of worlds) w.cleanup();
  worlds = [];
});

/**
 * A world with a fake `claude` first on PATH (or none at all), and a `claude-intercom` command on
 * PATH (unless `withCommand` is false: an npx install with nowhere to put the launcher).
 */
function world(claudeVersion: string | null = '2.1.332', withCommand = true): World {
  const w = makeWorld();
  worlds.push(w);
  const bin = join(w.root, 'bin');
  mkdirSync(bin);
  if (claudeVersion !== null) {
    writeFileSync(join(bin, 'claude'), `#!/bin/sh\necho "${claudeVersion} (Claude Code)"\n`);
    chmodSync(join(bin, 'claude'), 0o755);
  }
  if (withCommand) {
    writeFileSync(join(bin, 'claude-intercom'), '#!/bin/sh\nexit 0\n');
    chmodSync(join(bin, 'claude-intercom'), 0o755);
  }
  // Only our bin and the system's: no `claude` from anywhere else.
  w.ctx.env.PATH = `${bin}:/usr/bin:/bin`;
  return w;
}

const NODE = process.execPath;

async function installed(w: World, args: Record<string, unknown> = {}): Promise<void> {
  expect(await install(w.ctx, { yes: true, ...args }, { packageRoot: w.pkg, nodePath: NODE })).toBe(0);
}

async function check(w: World, deps: DoctorDeps = {}): Promise<{ code: number; checks: Map<string, CheckResult>; ok: boolean }> {
  const mark = w.out().length;
  const code = await doctor(w.ctx, { json: true }, { selfTest: false, ...deps });
  const out = JSON.parse(w.out().slice(mark)) as { ok: boolean; checks: CheckResult[] };
  return { code, ok: out.ok, checks: new Map(out.checks.map((c) => [c.id, c])) };
}

function settingsPath(w: World): string {
  return join(w.home, '.claude', 'settings.json');
}

function writeJson(path: string, value: unknown): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

describe('doctor', () => {
  it('a healthy install: every check ok, exit 0', async () => {
    const w = world();
    await installed(w);
    const r = await check(w);
    expect([...r.checks.values()].filter((c) => c.status !== 'ok')).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.checks.get('claude-code')!.detail).toContain('2.1.332');
    expect(r.checks.get('installed')!.detail).toBe(`user scope: MCP server, ${HOOK_ENTRIES.length} hooks, skill`);
    expect(r.checks.get('entry-paths')!.detail).toContain('the server starts');
  });

  it('prints one line per check for people', async () => {
    const w = world();
    await installed(w);
    const mark = w.out().length;
    expect(await doctor(w.ctx, {}, { selfTest: false })).toBe(0);
    const text = w.out().slice(mark);
    expect(text).toMatch(/^ok {7}Node\.js: Node\.js /m);
    expect(text).toContain('0 warnings, 0 failures');
  });

  it('nothing installed: a failure with the command that fixes it', async () => {
    const w = world();
    const r = await check(w);
    expect(r.code).toBe(1);
    expect(r.ok).toBe(false);
    expect(r.checks.get('installed')).toMatchObject({ status: 'failure', fix: 'Run: claude-intercom install' });
  });

  it('old Node.js, old Claude Code, no Claude Code', async () => {
    const w = world('2.0.9');
    await installed(w);
    const r = await check(w, { nodeVersion: '20.11.1' });
    expect(r.checks.get('node')).toMatchObject({ status: 'failure' });
    expect(r.checks.get('node')!.detail).toContain('20.11.1 is older than 20.12.0');
    expect(r.checks.get('claude-code')).toMatchObject({ status: 'failure' });
    expect(r.checks.get('claude-code')!.fix).toContain('claude update');
    const none = world(null);
    await installed(none);
    expect((await check(none)).checks.get('claude-code')).toMatchObject({ status: 'warning', detail: 'No `claude` on PATH.' });
  });

  it('a settings.json Claude Code would ignore: file, line, column and what Claude Code does', async () => {
    const w = world();
    await installed(w);
    writeFileSync(settingsPath(w), '{\n  "hooks": {},\n  "model": "opus",\n}\n');
    const r = await check(w);
    const c = r.checks.get('config-syntax')!;
    expect(c.status).toBe('failure');
    expect(c.detail).toContain(`${settingsPath(w)}:3:18: found a trailing comma before '}'. Claude Code ignores this whole settings file`);
    expect(c.fix).toContain('Remove the comma at line 3, column 18');
    expect(r.code).toBe(1);
  });

  it('timeouts in milliseconds, a watcher without asyncRewake or timeout, a left-over event', async () => {
    const w = world();
    await installed(w);
    const cli = join(w.intercomHome, 'app', '0.1.0', 'dist', 'cli.js');
    writeJson(settingsPath(w), {
      hooks: {
        PostToolUse: [{ matcher: '*', hooks: [{ type: 'command', command: hookCommand(NODE, cli, 'hook'), timeout: 5000 }] }],
        Stop: [{ hooks: [{ type: 'command', command: hookCommand(NODE, cli, 'watch') }] }],
        UserPromptSubmit: [{ hooks: [{ type: 'command', command: hookCommand(NODE, cli, 'hook'), timeout: 10 }] }],
      },
    });
    const c = (await check(w)).checks.get('hook-timeouts')!;
    expect(c.status).toBe('failure');
    expect(c.detail).toContain('PostToolUse hook: timeout 5000 looks like milliseconds');
    expect(c.detail).toContain('Stop watch: no timeout, so Claude Code kills it after 600 s');
    expect(c.detail).toContain('Stop watch: "asyncRewake": true is missing');
    expect(c.detail).toContain('intercom has no hook on UserPromptSubmit any more');
    expect(c.fix).toBe('Run: claude-intercom install --yes  (it rewrites our hook entries from the spec)');
  });

  it('a prototype install (npx in hooks and in the MCP entry)', async () => {
    const w = world();
    writeJson(join(w.home, '.claude.json'), { mcpServers: { intercom: { command: 'npx', args: ['-y', 'claude-intercom', 'serve'] } } });
    writeJson(settingsPath(w), { hooks: { Stop: [{ hooks: [{ type: 'command', command: 'npx -y claude-intercom watch', timeout: 5000 }] }] } });
    const r = await check(w);
    const c = r.checks.get('prototype')!;
    expect(c.status).toBe('failure');
    expect(c.detail).toContain('Stop: npx -y claude-intercom watch');
    expect(c.detail).toContain('mcpServers.intercom: npx -y claude-intercom serve');
    expect(r.checks.get('entry-paths')!.detail).toContain('runs `npx`, not an absolute Node.js path');
  });

  it('entries pointing at a Node.js or a program that is gone', async () => {
    const w = world();
    await install(w.ctx, { yes: true }, { packageRoot: w.pkg, nodePath: join(w.root, 'gone', 'node') });
    const r = await check(w);
    expect(r.checks.get('entry-paths')!.status).toBe('failure');
    expect(r.checks.get('entry-paths')!.detail).toContain(`Node.js ${join(w.root, 'gone', 'node')} does not exist`);

    const v = world();
    await installed(v);
    rmSync(join(v.intercomHome, 'app'), { recursive: true });
    const c = (await check(v)).checks.get('entry-paths')!;
    expect(c.status).toBe('failure');
    expect(c.detail).toContain(`${join(v.intercomHome, 'app', '0.1.0', 'dist', 'cli.js')} does not exist`);
    expect(c.fix).toContain('claude-intercom install --yes');
  });

  it('a program that does not run is named with its output', async () => {
    const w = world();
    await installed(w);
    writeFileSync(join(w.intercomHome, 'app', '0.1.0', 'dist', 'cli.js'), 'console.error("boom"); process.exit(3);\n');
    const c = (await check(w)).checks.get('entry-paths')!;
    expect(c.status).toBe('failure');
    expect(c.detail).toContain('--version failed (exit 3): boom');
  });

  it('a server shadowed by ~/.mcp.json, overridden in a project, disabled', async () => {
    const w = world();
    await installed(w);
    writeJson(join(w.home, '.mcp.json'), { mcpServers: { intercom: { command: 'x' } } });
    const claudeJson = JSON.parse(await import('node:fs').then((fs) => fs.readFileSync(join(w.home, '.claude.json'), 'utf8'))) as Record<string, unknown>;
    claudeJson.projects = { '/work/app': { mcpServers: { intercom: { command: 'y' } } }, '/work/other': { disabledMcpServers: ['intercom'] } };
    writeJson(join(w.home, '.claude.json'), claudeJson);
    const r = await check(w);
    const c = r.checks.get('mcp-shadowing')!;
    expect(c.status).toBe('failure');
    expect(c.detail).toContain('~/.mcp.json has an "intercom" server. That file is not global');
    expect(c.detail).toContain('local-scope "intercom" server for /work/app besides the user-scope one');
    expect(c.detail).toContain('projects["/work/other"].disabledMcpServers contains "intercom"');
    expect(c.fix).toContain('cd "/work/app" && claude-intercom uninstall --scope project');
    expect(r.code).toBe(1);
  });

  it('both scopes installed: the server twice and every hook running twice', async () => {
    const w = world();
    await installed(w);
    await installed(w, { scope: 'project' });
    const r = await check(w);
    const shadow = r.checks.get('mcp-shadowing')!;
    expect(shadow.status).toBe('warning');
    expect(shadow.detail).toContain(`local-scope "intercom" server for ${w.project} besides the user-scope one`);
    expect(r.checks.get('installed')!.detail).toContain('every event runs them twice');
    expect(r.code).toBe(0);
  });

  it("an older project install's entries in the committed files: named, with the command that moves them", async () => {
    const w = world();
    await installed(w, { scope: 'project' });
    // What 0.1.0 wrote: the server in .mcp.json (unapproved here), the hooks in .claude/settings.json.
    const fs = await import('node:fs');
    const local = join(w.project, '.claude', 'settings.local.json');
    const claudeJson = JSON.parse(fs.readFileSync(join(w.home, '.claude.json'), 'utf8')) as { projects: Record<string, { mcpServers: Record<string, unknown> }> };
    writeJson(join(w.project, '.mcp.json'), { mcpServers: claudeJson.projects[w.project]!.mcpServers });
    fs.renameSync(local, join(w.project, '.claude', 'settings.json'));
    delete (claudeJson.projects[w.project] as Record<string, unknown>).mcpServers;
    writeJson(join(w.home, '.claude.json'), claudeJson);
    const r = await check(w);
    const inst = r.checks.get('installed')!;
    expect(inst.status).toBe('warning');
    expect(inst.detail).toContain(`${w.project}/.mcp.json is a file people commit, and it holds intercom entries with your own paths`);
    expect(inst.detail).toContain(`${w.project}/.claude/settings.json is a file people commit`);
    expect(inst.fix).toContain('claude-intercom install --yes --scope project');
    expect(r.checks.get('mcp-shadowing')!.detail).toContain('has "intercom" but nothing approves it');
  });

  it('outside the project of a project-scope install: says where it is, not "nothing installed"', async () => {
    const w = world();
    await installed(w, { scope: 'project' });
    const elsewhere = join(w.root, 'elsewhere');
    mkdirSync(elsewhere);
    const away = { ...w, ctx: { ...w.ctx, cwd: elsewhere } };
    const r = await check(away);
    const c = r.checks.get('installed')!;
    expect(c.status).toBe('warning');
    expect(c.detail).toContain(`Installed elsewhere: project scope in ${w.project}.`);
    expect(c.fix).toContain(`cd ${w.project} && claude-intercom doctor`);
  });

  it('without `claude-intercom` on PATH every fix names the command that runs here', async () => {
    const w = world('2.1.332', false);
    const c = (await check(w)).checks.get('installed')!;
    expect(c.status).toBe('failure');
    expect(c.fix).toMatch(new RegExp(`^Run: ${NODE} /\\S+/dist/cli\\.js install$`));
    expect(c.fix).not.toMatch(/(^|\s)claude-intercom install/);
  });

  describe('the Claude Code plugin', () => {
    /** Enable `intercom@claude-intercom` as `claude plugin install` does, from a folder with or without dist/. */
    function withPlugin(w: World, opts: { built?: boolean } = {}): string {
      const dir = join(w.home, '.claude', 'plugins', 'cache', 'claude-intercom', 'intercom', '0.1.0');
      mkdirSync(join(dir, 'dist'), { recursive: true });
      if (opts.built !== false) writeFileSync(join(dir, 'dist', 'hook.cjs'), '');
      writeJson(join(w.home, '.claude', 'plugins', 'installed_plugins.json'), { version: 2, plugins: { 'intercom@claude-intercom': [{ scope: 'user', installPath: dir, version: '0.1.0' }] } });
      const settings = join(w.home, '.claude', 'settings.json');
      let current: Record<string, unknown> = {};
      try {
        current = JSON.parse(readFileSync(settings, 'utf8')) as Record<string, unknown>;
      } catch {
        /* none yet */
      }
      writeJson(settings, { ...current, enabledPlugins: { 'intercom@claude-intercom': true } });
      return dir;
    }

    it('alone: recognised; installed ok; the permission rule it needs is the plugin one', async () => {
      const w = world();
      withPlugin(w);
      const r = await check(w);
      expect(r.checks.get('plugin')).toMatchObject({ status: 'ok', detail: 'intercom@claude-intercom 0.1.0 enabled in ~/.claude/settings.json, from ~/.claude/plugins/cache/claude-intercom/intercom/0.1.0' });
      expect(r.checks.get('installed')).toMatchObject({ status: 'ok' });
      const allowed = r.checks.get('tools-allowed')!;
      expect(allowed.status).toBe('warning');
      expect(allowed.fix).toContain('Add "mcp__plugin_intercom_intercom" to permissions.allow');
    });

    it('beside `claude-intercom install` entries: a warning that every hook runs twice, with the command to keep one', async () => {
      const w = world();
      await installed(w);
      withPlugin(w);
      const c = (await check(w)).checks.get('plugin')!;
      expect(c.status).toBe('warning');
      expect(c.detail).toContain('`claude-intercom install` entries are active in the user scope besides the plugin: every hook runs twice');
      expect(c.fix).toBe('Keep one: claude-intercom uninstall --yes  (keeps the plugin), or: claude plugin uninstall intercom@claude-intercom');
    });

    it('from a folder without dist/, or with too old a `node` on PATH: a failure that says why', async () => {
      const w = world();
      withPlugin(w, { built: false });
      const broken = (await check(w)).checks.get('plugin')!;
      expect(broken.status).toBe('failure');
      expect(broken.detail).toContain('has no dist/');
      const v = world();
      withPlugin(v);
      writeFileSync(join(v.root, 'bin', 'node'), '#!/bin/sh\necho v18.19.0\n');
      chmodSync(join(v.root, 'bin', 'node'), 0o755);
      const old = (await check(v)).checks.get('plugin')!;
      expect(old.status).toBe('failure');
      expect(old.detail).toContain('`node` on PATH is 18.19.0, older than 20.12.0');
    });
  });

  it('a partial install is a warning naming what is missing', async () => {
    const w = world();
    await installed(w, { hooks: false });
    const c = (await check(w)).checks.get('installed')!;
    expect(c.status).toBe('warning');
    expect(c.detail).toContain('missing the SessionStart hook hook, the SessionStart watch hook');
  });

  it('intercom tools not allowed, or denied: a warning, a failure, each with the fix', async () => {
    const w = world();
    await installed(w, { allow: false });
    const missing = (await check(w)).checks.get('tools-allowed')!;
    expect(missing.status).toBe('warning');
    expect(missing.detail).toContain('cannot answer it while nobody is at the keyboard');
    expect(missing.fix).toContain('claude-intercom install --yes');
    await installed(w);
    expect((await check(w)).checks.get('tools-allowed')!.status).toBe('ok');
    const settings = JSON.parse(readFileSync(settingsPath(w), 'utf8')) as { permissions: { allow: string[]; deny?: string[] } };
    settings.permissions.deny = ['mcp__intercom__send'];
    writeJson(settingsPath(w), settings);
    const denied = await check(w);
    expect(denied.checks.get('tools-allowed')!.status).toBe('failure');
    expect(denied.code).not.toBe(0);
  });

  it('a store open to others, and one owned by nobody we know', async () => {
    const w = world();
    await installed(w);
    chmodSync(w.intercomHome, 0o755);
    const c = (await check(w)).checks.get('store')!;
    expect(c.status).toBe('failure');
    expect(c.detail).toContain('open to other users (mode 755)');
    expect(c.fix).toContain('chmod -R go-rwx');
  });

  it('live sessions and stale records', async () => {
    const w = world();
    await installed(w);
    const store = FsStore.open(w.intercomHome);
    const base = { serverPid: process.pid, projectRoot: w.project, projectName: 'project', cwd: w.project, startedAt: Date.now() };
    const live = store.register({ ...base, pid: process.pid, pidStart: processStart(process.pid)! });
    store.register({ ...base, pid: process.ppid, pidStart: 'not-its-start-time' });
    const c = (await check(w)).checks.get('sessions')!;
    expect(c.status).toBe('ok');
    expect(c.detail).toContain(`1 live: ${live.code} (project, pid ${process.pid})`);
    expect(c.detail).toContain('removed 1 stale record');
  });

  it('a self-test on a program that cannot serve fails and says where', async () => {
    const w = world();
    await installed(w);
    const r = await check(w, { selfTest: true, selfTestTimeoutMs: 5000 });
    const c = r.checks.get('self-test')!;
    expect(c.status).toBe('failure');
    expect(c.detail).toMatch(/^Failed while starting serve: /);
    expect(r.code).toBe(1);
  });
});
