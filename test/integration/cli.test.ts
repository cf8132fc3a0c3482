import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { codeOf, startSession } from '../support/mcp.js';
import { spawnCli, waitForOutput, withTimeout } from '../support/processes.js';
import { ROOT, tempDir } from '../support/temp.js';

function setup() {
  const root = tempDir('ci-cli-');
  const proj = join(root, 'repo');
  mkdirSync(join(proj, '.git'), { recursive: true });
  return { root, proj, env: { CLAUDE_INTERCOM_HOME: join(root, 'store'), USER: 'ada' } };
}

const run = (args: string[], env: Record<string, string>) => withTimeout(spawnCli(args, env).exited, 20_000, args.join(' '));

describe('the command line (built binary)', () => {
  it('--help lists every subcommand with a purpose; --version prints the version', async () => {
    const { env } = setup();
    const help = await run(['--help'], env);
    expect(help.code).toBe(0);
    for (const cmd of ['serve', 'hook', 'watch', 'install', 'uninstall', 'doctor', 'who', 'send', 'log']) {
      expect(help.stdout).toMatch(new RegExp(`claude-intercom ${cmd}\\b.*\\s{2,}\\S`));
    }
    const version = await run(['--version'], env);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(version.stdout.trim()).toBe(pkg.version);
    const bad = await run(['frobnicate'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/Unknown argument|Unknown command/i);
  });

  it('who, send and log for people; a session reply to a person shows in the log', async () => {
    const { env, proj } = setup();
    const b = await startSession(env, proj);
    const cb = codeOf(b);
    const who = await run(['who', '--json'], env);
    // `who` runs from the test's cwd (not the project): --all sees it.
    expect(JSON.parse(who.stdout)).toEqual([]);
    const all = JSON.parse((await run(['who', '--all', '--json'], env)).stdout) as Array<{ code: string; project: string }>;
    expect(all.map((s) => [s.code, s.project])).toEqual([[cb, 'repo']]);

    const sent = await run(['send', cb, 'hello', 'from', 'a', 'person', '--json'], env);
    expect(sent.code).toBe(0);
    const msg = JSON.parse(sent.stdout) as { id: string; from: string; recipients: string[] };
    expect(msg.from).toBe('human:ada');
    expect(msg.recipients).toEqual([cb]);
    expect((await b.call('peek')).text).toContain('hello from a person');

    const reply = await b.call('reply', { message_id: msg.id, message: 'hi ada' });
    expect(reply.isError).toBe(false);
    const log = await run(['log', '--json'], env);
    const lines = log.stdout.trim().split('\n').map((l) => JSON.parse(l) as { to: string; text: string; replyTo?: string });
    expect(lines.at(-1)).toMatchObject({ to: 'human:ada', text: 'hi ada', replyTo: msg.id });
    const plain = await run(['log'], env);
    expect(plain.stdout).toContain(`${cb} -> human:ada`);
  });

  it('log --follow streams messages as they are sent', async () => {
    const { env, proj } = setup();
    const b = await startSession(env, proj);
    const follow = spawnCli(['log', '--follow'], env);
    await waitForOutput(follow, 'Following new messages');
    const sent = JSON.parse((await run(['send', codeOf(b), 'streamed', 'line', '--json'], env)).stdout) as { id: string };
    await waitForOutput(follow, sent.id);
    follow.child.kill('SIGINT');
    expect((await follow.exited).stdout).toContain('streamed line');
  });

  it('hostile input to the commands: clear errors, exit 2, nothing written', async () => {
    const { env } = setup();
    for (const to of ['../../x', '/etc/passwd', 'AB12', 'x'.repeat(300)]) {
      const r = await run(['send', to, 'hi'], env);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/Invalid recipient/);
      expect(r.stderr.length).toBeLessThan(400);
    }
    const big = await run(['send', 'all', 'x'.repeat(17_000)], env);
    expect(big.code).toBe(2);
    expect(big.stderr).toMatch(/16 KiB/);
    const nobody = await run(['send', 'all', 'hi'], env);
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toMatch(/No other live session/);
    expect((await run(['log', '--json'], env)).stdout).toBe('');
  });

  it('refuses a store open to other users, and says how to fix it', async () => {
    const { env, root } = setup();
    mkdirSync(join(root, 'store'), { mode: 0o777 });
    const { chmodSync } = await import('node:fs');
    chmodSync(join(root, 'store'), 0o777);
    const r = await run(['who'], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/open to other users/);
    expect(r.stderr).toMatch(/chmod -R go-rwx/);
  });
});
