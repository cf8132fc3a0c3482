/**
 * Install then uninstall against temp HOMEs holding fixture configs: every valid fixture comes back
 * byte for byte, our entries are exactly what hook-spec says, nobody else's entries move.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync, lstatSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HOOK_ENTRIES, MCP_SERVER_NAME, hookCommand, mcpServerEntry } from '../../../src/claude/hook-spec.js';
import { run as install } from '../../../src/commands/install.js';
import { run as uninstall } from '../../../src/commands/uninstall.js';
import { findOurHooks, Recognizer } from '../../../src/install/targets.js';
import { NODE, makeWorld, read, snapshot, type World } from '../../unit/install/support.js';

let worlds: World[] = [];
afterEach(() => {
  for (const w of worlds) w.cleanup();
  worlds = [];
});

function world(opts: Parameters<typeof makeWorld>[0] = {}): World {
  const w = makeWorld(opts);
  worlds.push(w);
  return w;
}

const deps = (w: World) => ({ packageRoot: w.pkg, nodePath: NODE });
const doInstall = (w: World, args: Record<string, unknown> = {}) => install(w.ctx, { yes: true, ...args }, deps(w));
const doUninstall = (w: World, args: Record<string, unknown> = {}) => uninstall(w.ctx, { yes: true, ...args }, deps(w));

function cliPath(w: World, version = '0.1.0'): string {
  return join(w.intercomHome, 'app', version, 'dist', 'cli.js');
}

function configs(w: World) {
  return new Map([...snapshot(w.home), ...[...snapshot(w.project)].map(([k, v]) => [`project/${k}`, v] as [string, string])]);
}

function json(path: string): Record<string, unknown> {
  return JSON.parse(read(path).replace(/^\uFEFF/, '')) as Record<string, unknown>;
}

/** Our hook entries in a settings file, exactly as hook-spec builds them. */
function expectOurHooks(settingsFile: string, cli: string) {
  const hooks = json(settingsFile).hooks;
  const ours = findOurHooks(hooks, new Recognizer([join(cli, '..', '..') + '/']));
  expect(ours).toHaveLength(HOOK_ENTRIES.length);
  for (const spec of HOOK_ENTRIES) {
    const hit = ours.filter((f) => f.event === spec.event && f.matcher === spec.matcher && f.value.command === hookCommand(NODE, cli, spec.kind));
    expect(hit, `${spec.event} ${spec.kind}`).toHaveLength(1);
    expect(hit[0]!.value.timeout).toBe(spec.timeout);
    expect(hit[0]!.value.asyncRewake).toBe(spec.asyncRewake);
  }
}

/** Something big like a real ~/.claude.json after months of use. */
function largeClaudeJson(): string {
  const projects: Record<string, unknown> = {};
  for (let i = 0; i < 3000; i++) {
    projects[`/home/me/src/project-${i}`] = {
      allowedTools: [],
      history: [{ display: `fix bug ${i}`, pastedContents: {} }],
      mcpServers: i % 50 === 0 ? { local: { command: 'x' } } : {},
      hasTrustDialogAccepted: i % 2 === 0,
      lastCost: i * 0.01,
    };
  }
  return `${JSON.stringify({ numStartups: 900, projects, mcpServers: { github: { command: 'gh-mcp' } } }, null, 2)}\n`;
}

const VALID = ['tabs', 'crlf', 'one-line', 'bom', 'empty', 'existing-hooks', 'other-servers', 'older-install'];

describe('install then uninstall restores every file byte for byte (user scope)', () => {
  for (const name of [...VALID, 'missing', 'large']) {
    it(name, async () => {
      const w = world(name === 'missing' || name === 'large' ? {} : { fixture: `valid/${name}` });
      if (name === 'large') writeFileSync(join(w.home, '.claude.json'), largeClaudeJson());
      const before = configs(w);

      expect(await doInstall(w)).toBe(0);
      const cli = cliPath(w);
      expect(json(join(w.home, '.claude.json')).mcpServers).toMatchObject({ [MCP_SERVER_NAME]: mcpServerEntry(NODE, cli) });
      expectOurHooks(join(w.home, '.claude', 'settings.json'), cli);
      expect(read(join(w.home, '.claude', 'skills', 'intercom', 'SKILL.md'))).toContain('name: intercom');
      expect(configs(w)).not.toEqual(before);

      const out = w.out().length;
      expect(await doInstall(w)).toBe(0);
      expect(w.out().slice(out)).toContain('Nothing to do');

      expect(await doUninstall(w)).toBe(0);
      expect(configs(w)).toEqual(before);
    });
  }

  it('project scope: nothing in the committed files; the server in local scope, hooks and the rule in settings.local.json', async () => {
    const w = world({ fixture: 'valid/project' });
    const before = configs(w);
    const committed = [join(w.project, '.mcp.json'), join(w.project, '.claude', 'settings.json')].map((f) => [f, read(f)]);
    expect(await doInstall(w, { scope: 'project' })).toBe(0);
    const cli = cliPath(w);
    // The files people commit are byte for byte what they were.
    for (const [f, text] of committed) expect(read(f!), f).toBe(text);
    // The server: local scope for the project, in the person's own ~/.claude.json (created 0600).
    const claudeJson = json(join(w.home, '.claude.json')) as { projects: Record<string, { mcpServers: unknown }>; mcpServers?: unknown };
    expect(claudeJson.projects[w.project]!.mcpServers).toEqual({ intercom: mcpServerEntry(NODE, cli) });
    expect(claudeJson.mcpServers).toBeUndefined();
    expect(statSync(join(w.home, '.claude.json')).mode & 0o777).toBe(0o600);
    // Hooks and the rule: the project's local settings (the person's own rule stays first).
    const local = join(w.project, '.claude', 'settings.local.json');
    expect(json(local).permissions).toEqual({ allow: ['Bash(ls)', 'mcp__intercom'] });
    expectOurHooks(local, cli);
    expect(existsSync(join(w.project, '.claude', 'skills', 'intercom', 'SKILL.md'))).toBe(true);
    expect(w.out()).toMatch(/Project scope keeps per-user paths out of the files you commit/);
    expect(await doUninstall(w, { scope: 'project' })).toBe(0);
    expect(configs(w)).toEqual(before);
  });

  it('project scope uninstall after Claude Code wrote to its project entry: only ours goes', async () => {
    const w = world();
    writeFileSync(join(w.home, '.claude.json'), `${JSON.stringify({ numStartups: 1, projects: { '/elsewhere': { hasTrustDialogAccepted: true } } }, null, 2)}\n`);
    expect(await doInstall(w, { scope: 'project' })).toBe(0);
    // Claude Code then records its own state for the project (trust, tools it allowed...).
    const state = json(join(w.home, '.claude.json')) as { projects: Record<string, Record<string, unknown>> };
    state.projects[w.project]!.hasTrustDialogAccepted = true;
    writeFileSync(join(w.home, '.claude.json'), `${JSON.stringify(state, null, 2)}\n`);
    expect(await doUninstall(w, { scope: 'project' })).toBe(0);
    expect(json(join(w.home, '.claude.json'))).toEqual({ numStartups: 1, projects: { '/elsewhere': { hasTrustDialogAccepted: true }, [w.project]: { hasTrustDialogAccepted: true } } });
  });

  it('uninstall in the wrong scope names the install that exists and the command for it', async () => {
    const w = world();
    expect(await doInstall(w, { scope: 'project' })).toBe(0);
    const mark = w.out().length;
    expect(await doUninstall(w)).toBe(0);
    const out = w.out().slice(mark);
    expect(out).toContain('Nothing to remove: no intercom entries found in user scope');
    // No `claude-intercom` on this PATH: the command is spelled as it runs from here.
    const self = `${process.execPath} ${join(w.pkg, 'dist', 'cli.js')}`;
    expect(out).toContain(`Note: Installed in the project scope of ${w.project}: ${self} uninstall --scope project`);
    const away = { ...w, ctx: { ...w.ctx, cwd: w.root } };
    const mark2 = w.out().length;
    expect(await doUninstall(away, { scope: 'project' })).toBe(0);
    expect(w.out().slice(mark2)).toContain(`Note: Installed in the project scope of ${w.project}: cd ${JSON.stringify(w.project)} && ${self} uninstall --scope project`);
  });

  it('uninstall says what it leaves in the intercom home', async () => {
    const w = world();
    expect(await doInstall(w)).toBe(0);
    mkdirSync(join(w.intercomHome, 'log'), { recursive: true });
    const mark = w.out().length;
    expect(await doUninstall(w)).toBe(0);
    const out = w.out().slice(mark);
    expect(out).toMatch(new RegExp(`Left in ${w.intercomHome.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: backups, log \\(copies of your config files from before each change; the message log\\)\\. To delete it too: rm -rf `));
  });

  it('project scope keys on the git root, not on the folder the command ran in', async () => {
    const w = world();
    mkdirSync(join(w.project, '.git'));
    mkdirSync(join(w.project, 'src', 'deep'), { recursive: true });
    const before = configs(w);
    const sub = { ...w, ctx: { ...w.ctx, cwd: join(w.project, 'src', 'deep') } };
    expect(await doInstall(sub, { scope: 'project' })).toBe(0);
    const claudeJson = json(join(w.home, '.claude.json')) as { projects: Record<string, { mcpServers: unknown }> };
    expect(Object.keys(claudeJson.projects)).toEqual([w.project]);
    expect(existsSync(join(w.project, '.claude', 'settings.local.json'))).toBe(true);
    expect(existsSync(join(w.project, 'src', 'deep', '.claude'))).toBe(false);
    // Uninstall from the root finds the same install.
    expect(await doUninstall(w, { scope: 'project' })).toBe(0);
    expect(configs(w)).toEqual(before);
  });

  it('project scope in an empty project creates the files and removes them (and their folders) again', async () => {
    const w = world();
    const before = configs(w);
    expect(await doInstall(w, { scope: 'project' })).toBe(0);
    expect(existsSync(join(w.project, '.mcp.json'))).toBe(false);
    expect(existsSync(join(w.project, '.claude', 'settings.json'))).toBe(false);
    expect(json(join(w.project, '.claude', 'settings.local.json')).hooks).toBeDefined();
    expect(await doUninstall(w, { scope: 'project' })).toBe(0);
    expect(configs(w)).toEqual(before);
  });

  it('an older project install (in .mcp.json and .claude/settings.json) is moved out of the committed files', async () => {
    const w = world({ fixture: 'valid/project' });
    const mcpJson = join(w.project, '.mcp.json');
    const settings = join(w.project, '.claude', 'settings.json');
    const committed = [mcpJson, settings].map((f) => [f, read(f)]);
    // What 0.1.0 wrote: the server and the hooks in the committed files, with an install record.
    const oldCli = join(w.intercomHome, 'app', '0.0.9', 'dist', 'cli.js');
    const oldEntries = { mcpServers: { docs: { command: 'docs-mcp', args: [] }, intercom: mcpServerEntry(NODE, oldCli) } };
    writeFileSync(mcpJson, `${JSON.stringify(oldEntries, null, 2)}\n`);
    const oldSettings = json(settings) as Record<string, unknown>;
    const hooks: Record<string, unknown[]> = {};
    for (const spec of HOOK_ENTRIES) (hooks[spec.event] ??= []).push({ ...(spec.matcher ? { matcher: spec.matcher } : {}), hooks: [{ type: 'command', command: hookCommand(NODE, oldCli, spec.kind), timeout: spec.timeout }] });
    writeFileSync(settings, `${JSON.stringify({ ...oldSettings, enabledMcpjsonServers: ['docs', 'intercom'], hooks }, null, 2)}\n`);
    mkdirSync(w.intercomHome, { recursive: true, mode: 0o700 });
    writeFileSync(
      join(w.intercomHome, 'install-manifest.json'),
      JSON.stringify({
        schema: 1,
        installs: {
          [`project:${w.project}`]: {
            scope: 'project', configDir: join(w.home, '.claude'), projectDir: w.project, version: '0.0.9', appDir: join(w.intercomHome, 'app', '0.0.9'), parts: ['mcp', 'hooks'], installedAt: 'x', updatedAt: 'x',
            files: { [settings]: { created: false, afterSha256: null, createdKeys: [['hooks'], ...Object.keys(hooks).map((e) => ['hooks', e]), ['enabledMcpjsonServers', 'intercom']] }, [mcpJson]: { created: false, afterSha256: null, createdKeys: [] } },
            createdDirs: [],
          },
        },
      }),
    );
    expect(await doInstall(w, { scope: 'project' })).toBe(0);
    // Ours are gone from the committed files: they read exactly as before the old install.
    for (const [f, text] of committed) expect(JSON.parse(read(f!)), f).toEqual(JSON.parse(text!));
    expectOurHooks(join(w.project, '.claude', 'settings.local.json'), cliPath(w));
  });
});

describe('removal by edits alone (no pre-install copy to restore from) is the inverse of install', () => {
  for (const name of ['tabs', 'crlf', 'one-line', 'bom', 'existing-hooks', 'other-servers', 'large']) {
    it(name, async () => {
      const w = world(name === 'large' ? {} : { fixture: `valid/${name}` });
      if (name === 'large') writeFileSync(join(w.home, '.claude.json'), largeClaudeJson());
      const before = configs(w);
      expect(await doInstall(w)).toBe(0);
      rmSync(join(w.intercomHome, 'backups'), { recursive: true, force: true });
      expect(await doUninstall(w)).toBe(0);
      expect(configs(w)).toEqual(before);
    });
  }
});

describe('keeping formatting and other people’s entries', () => {
  it('tabs stay tabs, CRLF stays CRLF, a BOM stays, one-line stays one line', async () => {
    const tabs = world({ fixture: 'valid/tabs' });
    await doInstall(tabs);
    expect(read(join(tabs.home, '.claude', 'settings.json'))).toMatch(/^\{\n\t"model": "opus",\n\t"permissions": \{\n\t\t"allow"[\s\S]*\n\t"hooks": \{\n\t\t"SessionStart": \[/);

    const crlf = world({ fixture: 'valid/crlf' });
    await doInstall(crlf);
    for (const f of [join(crlf.home, '.claude.json'), join(crlf.home, '.claude', 'settings.json')]) {
      expect(read(f).replace(/\r\n/g, ''), f).not.toContain('\n');
    }
    expect(read(join(crlf.home, '.claude.json'))).toContain('},\r\n        "intercom": {\r\n            "type": "stdio",\r\n');
    expect(read(join(crlf.home, '.claude', 'settings.json'))).toContain('},\r\n            {\r\n                "hooks": [\r\n');
    expect(read(join(crlf.home, '.claude', 'settings.json')).endsWith('}')).toBe(true);

    const bom = world({ fixture: 'valid/bom' });
    await doInstall(bom);
    expect(read(join(bom.home, '.claude.json')).startsWith('\uFEFF{\n  "numStartups": 1,\n  "mcpServers"')).toBe(true);

    const one = world({ fixture: 'valid/one-line' });
    await doInstall(one);
    const oneLine = read(join(one.home, '.claude.json'));
    expect(oneLine).not.toContain('\n');
    expect(oneLine.startsWith('{"numStartups":3,"projects":{"/w":{"hasTrustDialogAccepted":true}},"mcpServers":{"fs":{"command":"fs-mcp","args":["/tmp"]},"intercom":{')).toBe(true);
  });

  it('other hooks on the same events, in the same matcher groups, stay exactly as they were', async () => {
    const w = world({ fixture: 'valid/existing-hooks' });
    const original = json(join(w.home, '.claude', 'settings.json')) as { hooks: Record<string, unknown[]> };
    await doInstall(w);
    const after = json(join(w.home, '.claude', 'settings.json')) as { hooks: Record<string, unknown[]>; [k: string]: unknown };
    for (const [event, groups] of Object.entries(original.hooks)) {
      expect(after.hooks[event]!.slice(0, groups.length), event).toEqual(groups);
    }
    expect(Object.keys(after)).toEqual(['hooks', 'permissions', '$schema']);
    expect(Object.keys(after.hooks)).toEqual(['PostToolUse', 'SessionStart', 'Stop', 'Notification', 'PostToolUseFailure', 'PreToolUse']);
  });

  it('an older install is replaced, not duplicated: no npx, no millisecond timeouts, shared groups keep the other hook', async () => {
    const w = world({ fixture: 'valid/older-install' });
    await doInstall(w);
    const settingsText = read(join(w.home, '.claude', 'settings.json'));
    expect(settingsText).not.toContain('npx');
    expect(settingsText).not.toContain('/opt/old');
    // The old catch-all PreToolUse entry is gone; ours matches only the file-editing tools.
    const pre = (json(join(w.home, '.claude', 'settings.json')) as { hooks: Record<string, Array<{ matcher?: string }>> }).hooks.PreToolUse;
    expect(pre?.map((g) => g.matcher)).toEqual(['Write|Edit|MultiEdit|NotebookEdit']);
    const s = json(join(w.home, '.claude', 'settings.json')) as { hooks: Record<string, Array<{ hooks: unknown[] }>> };
    expect(s.hooks.PostToolUse![0]).toEqual({ matcher: '*', hooks: [{ type: 'command', command: 'log-tool' }] });
    expectOurHooks(join(w.home, '.claude', 'settings.json'), cliPath(w));
    const servers = json(join(w.home, '.claude.json')).mcpServers as Record<string, unknown>;
    expect(servers.intercom).toEqual(mcpServerEntry(NODE, cliPath(w)));
    expect(servers.other).toEqual({ command: 'other-mcp' });
    expect(Object.keys(servers)).toEqual(['intercom', 'other']);
  });

  it('an install that still had a UserPromptSubmit hook (0.1.0 before it was dropped) loses it on upgrade', async () => {
    const w = world();
    await doInstall(w);
    const path = join(w.home, '.claude', 'settings.json');
    const withUps = json(path) as { hooks: Record<string, unknown[]> };
    withUps.hooks.UserPromptSubmit = [{ hooks: [{ type: 'command', command: hookCommand(NODE, cliPath(w), 'hook'), timeout: 10 }] }];
    writeFileSync(path, `${JSON.stringify(withUps, null, 2)}\n`);
    await doInstall(w);
    const after = json(path) as { hooks: Record<string, unknown[]> };
    expect(after.hooks).not.toHaveProperty('UserPromptSubmit');
    expectOurHooks(path, cliPath(w));
  });

  it('uninstall with no record (an old install) removes every entry of ours and nothing else', async () => {
    const w = world({ fixture: 'valid/older-install' });
    expect(await doUninstall(w)).toBe(0);
    const s = json(join(w.home, '.claude', 'settings.json'));
    expect(s).toEqual({ hooks: { PostToolUse: [{ matcher: '*', hooks: [{ type: 'command', command: 'log-tool' }] }] } });
    expect(json(join(w.home, '.claude.json')).mcpServers).toEqual({ other: { command: 'other-mcp' } });
  });

  it('upgrading to a new version replaces our entries in place of adding copies; uninstall still restores', async () => {
    const w = world({ fixture: 'valid/existing-hooks' });
    const before = configs(w);
    await doInstall(w);
    const { fakePackage } = await import('../../unit/install/support.js');
    const pkg2 = fakePackage(join(w.root, 'pkg2'), '0.2.0');
    expect(await install(w.ctx, { yes: true }, { packageRoot: pkg2, nodePath: NODE })).toBe(0);
    expectOurHooks(join(w.home, '.claude', 'settings.json'), cliPath(w, '0.2.0'));
    expect(read(join(w.home, '.claude', 'settings.json'))).not.toContain('/app/0.1.0/');
    expect(await uninstall(w.ctx, { yes: true }, { packageRoot: pkg2, nodePath: NODE })).toBe(0);
    expect(configs(w)).toEqual(before);
  });
});

describe('changes made by others', () => {
  it('re-applies onto a change made between reading and writing, keeping it', async () => {
    const w = world({ fixture: 'valid/other-servers' });
    const file = join(w.home, '.claude.json');
    let fired = 0;
    const code = await install(w.ctx, { yes: true }, {
      ...deps(w),
      seams: {
        beforeCommit: (path, attempt) => {
          if (path === file && attempt === 1) {
            fired++;
            // What Claude Code does: rewrite the whole file with a new value.
            const data = json(file);
            data.numStartups = 8;
            writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
          }
        },
      },
    });
    expect(code).toBe(0);
    expect(fired).toBe(1);
    const after = json(file);
    expect(after.numStartups).toBe(8);
    expect((after.mcpServers as Record<string, unknown>).intercom).toEqual(mcpServerEntry(NODE, cliPath(w)));
    expect(w.out()).toContain('re-applied onto a change made meanwhile');
  });

  it('never overwrites a file that keeps changing: gives up and leaves the other change', async () => {
    const w = world({ fixture: 'valid/tabs' });
    const file = join(w.home, '.claude.json');
    let n = 0;
    const code = await install(w.ctx, { yes: true }, {
      ...deps(w),
      seams: {
        beforeCommit: (path) => {
          if (path === file) writeFileSync(file, `{"numStartups": ${++n}}\n`);
        },
      },
    });
    expect(code).toBe(1);
    expect(read(file)).toBe(`{"numStartups": ${n}}\n`);
    expect(n).toBe(5);
    expect(w.out()).toContain('changed 5 times while intercom was writing it');
  });

  it('stops if the file became invalid meanwhile, and does not write into it', async () => {
    const w = world({ fixture: 'valid/tabs' });
    const file = join(w.home, '.claude', 'settings.json');
    const broken = '{\n  // someone added a comment\n  "model": "opus"\n}\n';
    const code = await install(w.ctx, { yes: true }, {
      ...deps(w),
      seams: { beforeCommit: (path, attempt) => void (path === file && attempt === 1 && writeFileSync(file, broken)) },
    });
    expect(code).toBe(1);
    expect(read(file)).toBe(broken);
    expect(w.out()).toContain(`${file}:2:3`);
  });

  it('uninstall after Claude Code rewrote ~/.claude.json removes only our entry and keeps the rest', async () => {
    const w = world({ fixture: 'valid/other-servers' });
    await doInstall(w);
    const file = join(w.home, '.claude.json');
    const data = json(file);
    data.numStartups = 99;
    data.tipsHistory = { x: 1 };
    writeFileSync(file, JSON.stringify(data, null, 2));
    expect(await doUninstall(w)).toBe(0);
    const after = json(file);
    expect(after.numStartups).toBe(99);
    expect(after.tipsHistory).toEqual({ x: 1 });
    expect(Object.keys(after.mcpServers as object)).toEqual(['github', 'remote']);
  });

  it('keeps an edited skill on uninstall, and says so', async () => {
    const w = world();
    await doInstall(w);
    const skill = join(w.home, '.claude', 'skills', 'intercom', 'SKILL.md');
    writeFileSync(skill, `${read(skill)}\nMy own note.\n`);
    expect(await doUninstall(w)).toBe(0);
    expect(read(skill)).toContain('My own note.');
    expect(w.out()).toContain('was edited since install');
    expect(existsSync(join(w.home, '.claude.json'))).toBe(false);
  });

  it('does not overwrite a different SKILL.md that is already there', async () => {
    const w = world();
    const skill = join(w.home, '.claude', 'skills', 'intercom', 'SKILL.md');
    mkdirSync(join(skill, '..'), { recursive: true });
    writeFileSync(skill, 'mine\n');
    await doInstall(w);
    expect(read(skill)).toBe('mine\n');
    expect(w.out()).toContain('differs from the skill intercom installs');
  });
});

describe('bad config files are refused and left untouched', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['comment', '.claude/settings.json', /settings\.json:2:3: found a comment \(JSON has none\)\. Claude Code ignores this whole settings file/],
    ['trailing-comma', '.claude.json', /\.claude\.json:3:18: found a trailing comma before '\}'\. Claude Code treats a \.claude\.json like this as corrupted/],
    ['malformed', '.claude/settings.json', /settings\.json:5:1: found a syntax error/],
    ['not-an-object', '.claude/settings.json', /settings\.json:1:1: the file is valid JSON but not an object/],
    ['hooks-wrong-type', '.claude/settings.json', /settings\.json:2:12: "hooks" should be an object/],
  ];
  for (const [name, file, message] of cases) {
    it(name, async () => {
      const w = world({ fixture: `bad/${name}` });
      const before = configs(w);
      await expect(doInstall(w)).rejects.toThrow(message);
      await expect(doInstall(w, { dryRun: true })).rejects.toThrow(join(w.home, file));
      expect(configs(w)).toEqual(before);
      expect(existsSync(w.intercomHome)).toBe(false);
      // Uninstall refuses the same file (or, with nothing of ours in it, has nothing to do) and writes nothing either.
      if (name === 'hooks-wrong-type') expect(await doUninstall(w)).toBe(0);
      else await expect(doUninstall(w)).rejects.toThrow(message);
      expect(configs(w)).toEqual(before);
    });
  }

  it('read-only file', async () => {
    const w = world({ fixture: 'bad/read-only' });
    chmodSync(join(w.home, '.claude', 'settings.json'), 0o444);
    const before = configs(w);
    await expect(doInstall(w)).rejects.toThrow(/settings\.json is read-only \(mode 444\); nothing was written/);
    expect(configs(w)).toEqual(before);
    expect(existsSync(w.intercomHome)).toBe(false);
  });

  it('--json reports the refusal with the fix', async () => {
    const w = world({ fixture: 'bad/comment' });
    expect(await doInstall(w, { json: true })).toBe(1);
    const out = JSON.parse(w.out()) as { ok: boolean; problems: Array<{ message: string; fix: string }> };
    expect(out.ok).toBe(false);
    expect(out.problems[0]!.fix).toMatch(/Remove the comment at line 2, column 3/);
  });
});

describe('the details', () => {
  it('--dry-run prints the diff of every file and writes nothing', async () => {
    const w = world({ fixture: 'valid/tabs' });
    const before = configs(w);
    expect(await doInstall(w, { dryRun: true, yes: false })).toBe(0);
    expect(configs(w)).toEqual(before);
    expect(existsSync(w.intercomHome)).toBe(false);
    const out = w.out();
    expect(out).toContain(`+++ b${join(w.home, '.claude.json')}`);
    expect(out).toContain('+\t"mcpServers": {');
    expect(out).toContain(`+++ b${join(w.home, '.claude', 'skills', 'intercom', 'SKILL.md')}`);
    expect(out).toContain('Dry run: nothing was written.');
  });

  it('backs up each file before changing it, under the intercom home, and says where', async () => {
    const w = world({ fixture: 'valid/tabs' });
    const original = read(join(w.home, '.claude.json'));
    await doInstall(w);
    const dir = join(w.intercomHome, 'backups', '2025-01-02T03-04-05-000Z');
    const files = readdirSync(dir);
    expect(files.filter((f) => f.startsWith('.claude.json.'))).toHaveLength(1);
    expect(read(join(dir, files.find((f) => f.startsWith('.claude.json.'))!))).toBe(original);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(w.out()).toMatch(/Updated ~\/\.claude\.json \(backup: .*backups\/2025-01-02T03-04-05-000Z\/\.claude\.json\./);
  });

  it('keeps the file mode, and writes through a symlink instead of replacing it', async () => {
    const w = world({ fixture: 'valid/tabs' });
    chmodSync(join(w.home, '.claude.json'), 0o640);
    const dotfiles = join(w.root, 'dotfiles');
    mkdirSync(dotfiles);
    const real = join(dotfiles, 'settings.json');
    writeFileSync(real, read(join(w.home, '.claude', 'settings.json')));
    rmSync(join(w.home, '.claude', 'settings.json'));
    symlinkSync(real, join(w.home, '.claude', 'settings.json'));
    await doInstall(w);
    expect(statSync(join(w.home, '.claude.json')).mode & 0o777).toBe(0o640);
    expect(lstatSync(join(w.home, '.claude', 'settings.json')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(w.home, '.claude', 'settings.json'))).toBe(real);
    expect(read(real)).toContain('"hooks"');
  });

  it('copies the program to <intercom home>/app/<version> (0700) once, and again only when it differs', async () => {
    const w = world();
    await doInstall(w);
    const app = join(w.intercomHome, 'app', '0.1.0');
    expect(read(join(app, 'dist', 'cli.js'))).toContain('0.1.0');
    expect(read(join(app, 'templates', 'skill', 'SKILL.md'))).toContain('name: intercom');
    expect(existsSync(join(app, 'package.json'))).toBe(true);
    for (const d of [w.intercomHome, join(w.intercomHome, 'app'), app, join(app, 'dist')]) expect(statSync(d).mode & 0o777, d).toBe(0o700);
    expect(readdirSync(join(w.intercomHome, 'app'))).toEqual(['0.1.0']);

    writeFileSync(join(w.pkg, 'dist', 'chunk-abc.js'), 'export const x = 2;\n');
    const mark = w.out().length;
    expect(await doInstall(w)).toBe(0);
    expect(w.out().slice(mark)).toContain('replace the installed copy of 0.1.0');
    expect(read(join(app, 'dist', 'chunk-abc.js'))).toBe('export const x = 2;\n');
    expect(readdirSync(join(w.intercomHome, 'app'))).toEqual(['0.1.0']);

    await doUninstall(w);
    expect(existsSync(join(w.intercomHome, 'app'))).toBe(false);
  });

  it('honours CLAUDE_CONFIG_DIR: .claude.json, settings and skill all live inside it', async () => {
    const w = world({ env: {} });
    const configDir = join(w.root, 'cfg');
    w.ctx.env.CLAUDE_CONFIG_DIR = configDir;
    await doInstall(w);
    expect(json(join(configDir, '.claude.json')).mcpServers).toHaveProperty('intercom');
    expectOurHooks(join(configDir, 'settings.json'), cliPath(w));
    expect(existsSync(join(configDir, 'skills', 'intercom', 'SKILL.md'))).toBe(true);
    expect(existsSync(join(w.home, '.claude.json'))).toBe(false);
    expect(existsSync(join(w.home, '.claude'))).toBe(false);
    await doUninstall(w);
    expect(existsSync(configDir)).toBe(false);
  });

  it('quotes paths with spaces in hook commands', async () => {
    const w = world();
    w.ctx.env.CLAUDE_INTERCOM_HOME = join(w.root, 'my intercom');
    await install(w.ctx, { yes: true }, { packageRoot: w.pkg, nodePath: '/opt/my node/bin/node' });
    const cli = join(w.root, 'my intercom', 'app', '0.1.0', 'dist', 'cli.js');
    const text = read(join(w.home, '.claude', 'settings.json'));
    const command = hookCommand('/opt/my node/bin/node', cli, 'hook');
    expect(command.startsWith(`exec '/opt/my node/bin/node' '${join(w.root, 'my intercom', 'app', '0.1.0', 'dist')}/`)).toBe(true);
    expect(text).toContain(JSON.stringify(command));
    expect(json(join(w.home, '.claude.json')).mcpServers).toEqual({ intercom: { type: 'stdio', command: '/opt/my node/bin/node', args: [cli, 'serve'], env: {} } });
  });

  it('installs only the chosen parts', async () => {
    const w = world();
    await doInstall(w, { hooks: false, skill: false, allow: false });
    expect(json(join(w.home, '.claude.json')).mcpServers).toHaveProperty('intercom');
    expect(existsSync(join(w.home, '.claude', 'settings.json'))).toBe(false);
    expect(existsSync(join(w.home, '.claude', 'skills'))).toBe(false);
    await doInstall(w, { mcp: false, hooks: false, allow: false });
    expect(existsSync(join(w.home, '.claude', 'skills', 'intercom', 'SKILL.md'))).toBe(true);
    expect(existsSync(join(w.home, '.claude', 'settings.json'))).toBe(false);
    // The permission rule alone: settings.json gets permissions.allow ["mcp__intercom"] and nothing else.
    await doInstall(w, { mcp: false, hooks: false, skill: false });
    expect(json(join(w.home, '.claude', 'settings.json'))).toEqual({ permissions: { allow: ['mcp__intercom'] } });
    await expect(doInstall(w, { mcp: false, hooks: false, skill: false, allow: false })).rejects.toThrow('every part was turned off');
  });

  it('--json prints a machine-readable result', async () => {
    const w = world({ fixture: 'valid/tabs' });
    expect(await doInstall(w, { json: true })).toBe(0);
    const out = JSON.parse(w.out()) as { ok: boolean; changes: Array<{ path: string; action: string; diff: string }>; written: Array<{ path: string; backup?: string }> };
    expect(out.ok).toBe(true);
    expect(out.changes.map((c) => c.action)).toEqual(['modify', 'modify', 'create']);
    expect(out.written.find((x) => x.path === join(w.home, '.claude.json'))!.backup).toMatch(/backups/);
  });

  it('without a terminal and without --yes, says how to run it and writes nothing', async () => {
    const w = world({ fixture: 'valid/tabs' });
    const before = configs(w);
    await expect(install(w.ctx, {}, deps(w))).rejects.toThrow('No terminal to ask in');
    await expect(uninstall(w.ctx, {}, deps(w))).rejects.toThrow('No terminal to ask in');
    expect(configs(w)).toEqual(before);
    expect(existsSync(w.intercomHome)).toBe(false);
  });
});
