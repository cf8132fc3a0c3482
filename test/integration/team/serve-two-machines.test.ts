import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, type Session, startSession } from '../../support/mcp.js';
import { type Engine, startEngine } from '../../support/redis-engine.js';
import { CLI, tempDir } from '../../support/temp.js';

// Two "machines": two HOMEs, two local stores, two machine names, one engine. The real built CLI:
// `install --backend`, `serve` (behind a stand-in for Claude Code), `who`, `send`.
const run = promisify(execFile);
const PASSWORD = 'team-a-pw';
let engine: Engine;

beforeAll(async () => {
  engine = await startEngine();
});
afterAll(async () => {
  await engine.stop();
});

interface Machine {
  name: string;
  home: string;
  env: Record<string, string>;
  repo: string;
  stderr: string[];
}

function machine(name: string): Machine {
  const home = tempDir(`ci-home-${name}-`);
  // The same repository cloned on both machines, in different folders.
  const repo = join(home, 'src', `app-on-${name}`);
  mkdirSync(join(repo, '.git'), { recursive: true });
  writeFileSync(join(repo, '.git', 'config'), `[remote "origin"]\n\turl = git@github.com:org/app.git\n`);
  const env = { HOME: home, CLAUDE_INTERCOM_MACHINE: name, CLAUDE_INTERCOM_PRESENCE_TTL_MS: '1000', USER: `user-${name}` };
  return { name, home, env, repo, stderr: [] };
}

async function cli(m: Machine, args: string[], cwd = m.repo): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', ...m.env }, cwd });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function serve(m: Machine): Promise<Session> {
  const s = await startSession(m.env, m.repo);
  s.transport.stderr?.on('data', (b: Buffer) => m.stderr.push(b.toString()));
  return s;
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.push(p);
    }
  };
  walk(dir);
  return out;
}

/** Poll a CLI/tool answer until it holds what we wait for (another machine's relay is asynchronous). */
async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 8000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() - t0 > timeoutMs) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('two machines with real serve processes', () => {
  it('install --backend refuses a wrong password and another prefix, writing nothing; then saves the URL 0600', async () => {
    const a = machine('A');
    const wrong = await cli(a, ['install', '--yes', '--no-mcp', '--no-hooks', '--no-skill', '--no-allow', '--backend', engine.url('team-a', 'not-the-password')]);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/refused the user name or password/);
    expect(wrong.stderr).not.toContain('not-the-password');
    const other = await cli(a, ['install', '--yes', '--no-mcp', '--no-hooks', '--no-skill', '--no-allow', '--backend', `${engine.url('team-a')}?prefix=team-b`]);
    expect(other.code).not.toBe(0);
    expect(other.stderr).toMatch(/NOPERM/);
    expect(() => statSync(join(a.home, '.claude-intercom', 'backend.url'))).toThrow();
    const ok = await cli(a, ['install', '--yes', '--no-mcp', '--no-hooks', '--no-skill', '--no-allow', '--backend', engine.url('team-a')]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('redis://team-a:***@127.0.0.1');
    expect(ok.stdout).not.toContain(PASSWORD);
    expect(statSync(join(a.home, '.claude-intercom', 'backend.url')).mode & 0o777).toBe(0o600);
  });

  it('sessions on two machines see each other and talk; the password is in no file but backend.url, and in no output', async () => {
    const [a, b] = [machine('A'), machine('B')];
    for (const m of [a, b]) {
      expect((await cli(m, ['install', '--yes', '--scope', 'user', '--backend', engine.url('team-a')])).code).toBe(0);
    }
    const sa = await serve(a);
    const sb = await serve(b);
    const [ca, cb] = [codeOf(sa), codeOf(sb)];

    const who = await until(
      () => sa.call('who'),
      (r) => r.text.includes(cb),
    );
    expect(who.text).toContain(`${ca} (you)`);
    expect(who.text).toMatch(new RegExp(`${cb}  project app-on-B  machine B`));

    const sent = await sa.call('send', { to: cb, message: 'from machine A' });
    expect(sent.isError).toBe(false);
    const id = /Sent message ([0-9a-z]{17})/.exec(sent.text)![1]!;
    const peek = await until(
      () => sb.call('peek'),
      (r) => r.text.includes(id),
    );
    expect(peek.text).toContain(`from="${ca}"`);
    expect(peek.text).toContain('machine="A"');
    expect(peek.text).toContain('from machine A');

    // A broadcast from a person on machine B reaches the project's sessions on both machines.
    const human = await cli(b, ['send', 'all', 'hello', 'team', '--json']);
    expect(human.code).toBe(0);
    expect((JSON.parse(human.stdout) as { recipients: string[] }).recipients.sort()).toEqual([ca, cb].sort());
    await until(
      () => sa.call('peek'),
      (r) => r.text.includes('hello team'),
    ).then((r) => expect(r.text).toContain('hello team'));

    const whoCli = await cli(a, ['who', '--json']);
    const listed = JSON.parse(whoCli.stdout) as Array<{ code: string; machine?: string }>;
    expect(listed.map((s) => s.code).sort()).toEqual([ca, cb].sort());
    expect(listed.find((s) => s.code === cb)?.machine).toBe('B');

    await sa.close();
    await sb.close();
    // Every file the tool wrote, in both homes (stores, Claude Code's settings, logs), and everything it printed.
    const leaks: string[] = [];
    for (const m of [a, b]) {
      for (const f of filesUnder(m.home)) {
        if (f === join(m.home, '.claude-intercom', 'backend.url')) continue;
        if (readFileSync(f).includes(PASSWORD)) leaks.push(f);
      }
      if (m.stderr.join('').includes(PASSWORD)) leaks.push(`${m.name}: serve stderr`);
    }
    expect(leaks).toEqual([]);
    expect(a.stderr.join('')).toContain('team engine redis://team-a:***@');
  });

  it('a broken team URL does not take the machine down: serve says why and works locally', async () => {
    const m = machine('A');
    m.env = { ...m.env, CLAUDE_INTERCOM_URL: 'redis://nobody@10.255.0.1:6379' }; // no password, not loopback: refused
    const s1 = await serve(m);
    const s2 = await serve(m);
    const sent = await s1.call('send', { to: codeOf(s2), message: 'still here' });
    expect(sent.isError).toBe(false);
    expect((await s2.call('peek')).text).toContain('still here');
    await until(
      async () => m.stderr.join(''),
      (t) => t.includes('team engine not used'),
    );
    expect(m.stderr.join('')).toMatch(/team engine not used: The backend URL has no password, and 10\.255\.0\.1 is not this machine/);
  });

  it("a machine's serve killed with SIGKILL: its session is gone from the other machine's who within the ttl + 1 s", async () => {
    const [a, b] = [machine('A'), machine('B')];
    for (const m of [a, b]) m.env = { ...m.env, CLAUDE_INTERCOM_URL: engine.url('team-a') };
    const sa = await serve(a);
    const sb = await serve(b);
    const cb = codeOf(sb);
    const listed = async (): Promise<Array<{ code: string; serverPid: number }>> => JSON.parse((await cli(a, ['who', '--all', '--json'])).stdout);
    const seen = await until(listed, (l) => l.some((s) => s.code === cb));
    const serverPid = seen.find((s) => s.code === cb)!.serverPid;
    process.kill(serverPid, 'SIGKILL'); // no unregister, no goodbye: as when B's machine dies
    const t0 = Date.now();
    const after = await until(listed, (l) => !l.some((s) => s.code === cb), 5000);
    const gone = Date.now() - t0;
    expect(after.map((s) => s.code)).not.toContain(cb);
    expect(gone).toBeLessThan(1000 + 1000); // CLAUDE_INTERCOM_PRESENCE_TTL_MS=1000, + 1 s
    await sa.close();
  });
});
