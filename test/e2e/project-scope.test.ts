/**
 * A project-scope install against the real Claude Code (issue 13): the person who installed it has
 * intercom in that project, in the git root and in a subfolder; a teammate who clones the project
 * (everything that is not git-ignored) and has no intercom starts Claude Code in it with no hook
 * errors and no trace of intercom's per-user paths.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_JS, Sandbox, withScreens } from './support/claude.js';
import type { ClaudeSession } from './support/claude.js';
import { assertBuilt, cli, framedMessages } from './support/intercom.js';
import { newText, newToolResults, startMockAnthropic } from './support/mock-anthropic.js';
import type { MockAnthropic } from './support/mock-anthropic.js';

describe('project scope', () => {
  let mock: MockAnthropic;
  let owner: Sandbox;
  let mate: Sandbox;
  let other: Sandbox;
  let screen: ClaudeSession | undefined;

  beforeAll(async () => {
    assertBuilt();
    mock = await startMockAnthropic((req) => {
      const text = newText(req);
      const results = req.body ? newToolResults(req.body) : [];
      // The owner's runs: call intercom's who, then (after a person's message is sent) one Bash call.
      if (text.includes('OWNER-RUN')) return { tools: [{ name: 'mcp__intercom__who', input: {} }] };
      const who = results.find((r) => /^You are ([a-z0-9]{4})\./.test(r.text));
      if (who) {
        const code = /^You are ([a-z0-9]{4})\./.exec(who.text)![1]!;
        // A person sends while the session is busy: the PostToolUse hook (from settings.local.json)
        // must hand it over after the next tool.
        execFileSync(process.execPath, [CLI_JS, 'send', code, `PERSON-NOTE-${code}`], {
          cwd: owner.project,
          env: { PATH: process.env.PATH ?? '', HOME: owner.home, CLAUDE_INTERCOM_HOME: owner.intercomHome, USER: 'ada' },
        });
        return { tools: [{ name: 'Bash', input: { command: 'echo owner-bash', description: 'echo' } }] };
      }
      if (text.includes('MATE-RUN')) return { tools: [{ name: 'Bash', input: { command: 'echo mate-bash', description: 'echo' } }] };
      return 'ok';
    });
    owner = new Sandbox({ apiUrl: mock.url, name: 'proj-owner' });
    mkdirSync(join(owner.project, 'sub'));
    writeFileSync(join(owner.project, 'README.md'), '# a project\n');
    const out = await cli(owner, ['install', '--yes', '--scope', 'project', '--no-bin']);
    expect(out).toContain('Project scope keeps per-user paths out of the files you commit');
  });

  afterAll(async () => {
    await owner?.cleanup();
    await mate?.cleanup();
    await other?.cleanup();
    await mock?.close();
  });

  it('gives the person who installed it intercom in the project: the server (local scope) and the hooks (settings.local.json)', async () => {
    for (const cwd of [owner.project, join(owner.project, 'sub')]) {
      const since = mock.nextSeq;
      const run = await owner.print('OWNER-RUN: who is there', { cwd });
      expect(run.code, run.stderr).toBe(0);
      const requests = mock.mainRequests().filter((r) => r.seq >= since);
      const who = requests.flatMap((r) => (r.body ? newToolResults(r.body) : [])).find((t) => /^You are [a-z0-9]{4}\./.test(t.text));
      expect(who, `${cwd}: the intercom server answered`).toBeDefined();
      const code = /^You are ([a-z0-9]{4})\./.exec(who!.text)![1]!;
      const delivered = requests.find((r) => newText(r).includes(`PERSON-NOTE-${code}`));
      expect(delivered, `${cwd}: the PostToolUse hook delivered the person's message`).toBeDefined();
      const framed = framedMessages(newText(delivered!));
      expect(framed.map((m) => m.from)).toEqual(['human:ada']);
      expect(newText(delivered!)).toContain('a person at this machine');
    }
  });

  it("a teammate's clone holds none of the owner's paths, and Claude Code starts in it without hook errors", async () => {
    // What gets committed: everything not git-ignored. The installer said to ignore settings.local.json.
    writeFileSync(join(owner.project, '.gitignore'), '.claude/settings.local.json\n');
    const git = (args: string[], cwd: string) => execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } });
    git(['add', '-A'], owner.project);
    git(['commit', '-qm', 'project with intercom installed for one person'], owner.project);
    const committed = git(['ls-files'], owner.project).trim().split('\n');
    expect(committed).not.toContain('.claude/settings.local.json');
    expect(committed).not.toContain('.mcp.json');
    for (const f of committed) {
      const text = readFileSync(join(owner.project, f), 'utf8');
      expect(text, f).not.toContain(owner.home);
      expect(text, f).not.toContain(owner.intercomHome);
    }

    mate = new Sandbox({ apiUrl: mock.url, name: 'proj-mate', git: false });
    rmSync(mate.project, { recursive: true, force: true });
    git(['clone', '-q', owner.project, mate.project], mate.root);
    screen = await mate.start('MATE');
    const since = mock.nextSeq;
    await screen.submit('MATE-RUN: run one command');
    const after = await withScreens(
      mock.waitFor((r) => r.kind === 'main' && r.sessionId === screen!.sessionId && newText(r).includes('mate-bash'), { since, label: "the teammate's Bash result" }),
      [screen],
    );
    await mock.waitResponded(after);
    const requests = mock.mainRequests(screen.sessionId);
    const everything = requests.map((r) => JSON.stringify(r.body)).join('\n');
    expect(everything).not.toMatch(/hook (failed|error)|Cannot find module/i);
    expect(everything).not.toContain('mcp__intercom__');
    const pane = screen.capture();
    expect(pane).toContain('mate-bash');
    expect(pane).not.toMatch(/hook (failed|error)|Cannot find module/i);
  });

  it('a second HOME without intercom, in the very same folder (local files included), starts without hook errors', async () => {
    other = new Sandbox({ apiUrl: mock.url, name: 'proj-other', git: false });
    other.writeClaudeJson({ projects: { [owner.project]: { hasTrustDialogAccepted: true } } });
    const s = await other.start('OTHER', { cwd: owner.project });
    const since = mock.nextSeq;
    await s.submit('MATE-RUN: run one command');
    const after = await withScreens(
      mock.waitFor((r) => r.kind === 'main' && r.sessionId === s.sessionId && newText(r).includes('mate-bash'), { since, label: "the other HOME's Bash result" }),
      [s],
    );
    await mock.waitResponded(after);
    const everything = mock.mainRequests(s.sessionId).map((r) => JSON.stringify(r.body)).join('\n');
    expect(everything).not.toMatch(/hook (failed|error)|Cannot find module/i);
    // The owner's server is in the owner's ~/.claude.json: this HOME has no intercom tools.
    expect(everything).not.toContain('mcp__intercom__');
    expect(s.capture()).not.toMatch(/hook (failed|error)|Cannot find module/i);
  });
});
