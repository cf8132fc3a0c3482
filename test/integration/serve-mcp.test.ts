import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { codeOf, startSession } from '../support/mcp.js';
import { tempDir } from '../support/temp.js';

/** Every file under a directory, recursively (to prove nothing was written outside the store). */
function listing(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      out.push(p);
      if (e.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out.sort();
}

function setup() {
  const root = tempDir('ci-mcp-');
  const env = { CLAUDE_INTERCOM_HOME: join(root, 'store') };
  const projA = join(root, 'repo-a');
  const projB = join(root, 'repo-b');
  mkdirSync(join(projA, '.git'), { recursive: true });
  mkdirSync(join(projA, 'sub'), { recursive: true });
  mkdirSync(join(projB, '.git'), { recursive: true });
  return { root, env, projA, projB };
}

describe('serve through a real MCP client', () => {
  it('two servers with different parents see each other and talk: who, send, peek, reply, ack', async () => {
    const { env, projA } = setup();
    const a = await startSession(env, projA);
    const b = await startSession(env, join(projA, 'sub'));
    const [ca, cb] = [codeOf(a), codeOf(b)];
    expect(ca).not.toBe(cb);
    expect(a.instructions).toMatch(/never with the built-in SendMessage/);

    const who = await a.call('who');
    expect(who.isError).toBe(false);
    expect(who.text).toContain(`${ca} (you)`);
    expect(who.text).toContain(cb);
    expect(who.text).toContain('project repo-a');

    const sent = await a.call('send', { to: cb, message: 'I am editing src/store.ts' });
    expect(sent.isError).toBe(false);
    const id = /Sent message ([0-9a-z]{17})/.exec(sent.text)?.[1];
    expect(id).toBeDefined();

    const peek = await b.call('peek');
    expect(peek.text).toContain(`id="${id}"`);
    expect(peek.text).toContain(`from="${ca}"`);
    expect(peek.text).toContain('I am editing src/store.ts');
    // Peeking does not acknowledge: it is still there.
    expect((await b.call('peek')).text).toContain(`id="${id}"`);

    const reply = await b.call('reply', { message_id: id, message: 'ok, I keep off it' });
    expect(reply.isError).toBe(false);
    const replyId = /Sent reply ([0-9a-z]{17})/.exec(reply.text)?.[1];
    expect((await b.call('peek')).text).toMatch(/No unacknowledged messages/);

    const back = await a.call('peek');
    expect(back.text).toContain(`reply_to="${id}"`);
    expect(back.text).toContain('ok, I keep off it');
    expect((await a.call('ack', { message_id: replyId })).isError).toBe(false);
    expect((await a.call('ack', { message_id: replyId })).isError).toBe(true);
    expect((await a.call('peek')).text).toMatch(/No unacknowledged/);
  });

  it('a broadcast reaches every other session of the project and none of another project', async () => {
    const { env, projA, projB } = setup();
    const a = await startSession(env, projA);
    const b = await startSession(env, projA);
    const c = await startSession(env, join(projA, 'sub'));
    const other = await startSession(env, projB);
    const res = await a.call('send', { to: 'all', message: 'heads up: rebasing main' });
    expect(res.isError).toBe(false);
    for (const s of [b, c]) expect((await s.call('peek')).text).toContain('heads up: rebasing main');
    expect((await a.call('peek')).text).toMatch(/No unacknowledged/);
    expect((await other.call('peek')).text).toMatch(/No unacknowledged/);
    expect((await other.call('who', { scope: 'all' })).text).toContain(codeOf(a));
    expect((await other.call('who')).text).not.toContain(codeOf(a));
  });

  it('an unknown or dead code is an isError result that lists the live codes', async () => {
    const { env, projA } = setup();
    const a = await startSession(env, projA);
    const b = await startSession(env, projA);
    const cb = codeOf(b);
    await b.close();
    const res = await a.call('send', { to: cb, message: 'are you there?' });
    expect(res.isError).toBe(true);
    expect(res.text).toContain(`No live session has the code ${cb}`);
    const c = await startSession(env, projA);
    const res2 = await a.call('send', { to: 'zzzz', message: 'x' });
    expect(res2.isError).toBe(true);
    expect(res2.text).toContain(codeOf(c));
  });

  it('peek shows a page of the oldest 50 and the count, claiming only what it shows', async () => {
    const { env, projA } = setup();
    const a = await startSession(env, projA);
    const b = await startSession(env, projA);
    for (let i = 0; i < 60; i++) expect((await a.call('send', { to: codeOf(b), message: `n${i}` })).isError).toBe(false);
    const page = await b.call('peek');
    expect(page.text).toMatch(/^60 unacknowledged message\(s\) for [a-z0-9]{4}; the oldest 50/);
    expect(page.text.match(/<intercom-message /g)).toHaveLength(50);
    expect(page.text).toContain('>\nn0\n<');
    expect(page.text).not.toContain('>\nn50\n<');
    expect((await b.call('ack_all')).text).toContain('60');
  });

  it('removes its presence when its stdin closes', async () => {
    const { env, projA } = setup();
    const a = await startSession(env, projA);
    const b = await startSession(env, projA);
    const cb = codeOf(b);
    expect((await a.call('who')).text).toContain(cb);
    const exited = new Promise<void>((r) => (b.transport.onclose = () => r()));
    await b.close();
    await exited;
    // The server removes its record before it exits, and its parent exits only after it.
    const text = (await a.call('who')).text;
    expect(text).not.toContain(cb);
  });

  it('hostile codes, ids and texts give clear errors and touch no file outside the store', async () => {
    const { root, env, projA } = setup();
    const a = await startSession(env, projA);
    const b = await startSession(env, projA);
    const before = listing(root).filter((p) => !p.includes(`${join(root, 'store')}/`));
    const bad: Array<[string, Record<string, unknown>]> = [
      ['send', { to: '../../x', message: 'hi' }],
      ['send', { to: '/etc/passwd', message: 'hi' }],
      ['send', { to: `${codeOf(b)}\u0000`, message: 'hi' }],
      ['send', { to: 'x'.repeat(5000), message: 'hi' }],
      ['send', { to: codeOf(b), message: 'nul\u0000byte' }],
      ['send', { to: codeOf(b), message: 'x'.repeat(20_000) }],
      ['send', { to: codeOf(b), message: 'bell\u0007' }],
      ['reply', { message_id: '../../../etc/passwd', message: 'hi' }],
      ['reply', { message_id: '/tmp/x', message: 'hi' }],
      ['ack', { message_id: '../log/x' }],
      ['ack', { message_id: 'a'.repeat(17) }],
    ];
    for (const [tool, args] of bad) {
      const res = await a.call(tool, args);
      expect(res.isError, `${tool} ${JSON.stringify(args).slice(0, 60)}`).toBe(true);
      expect(res.text.length).toBeGreaterThan(10);
      expect(res.text.length).toBeLessThan(400);
    }
    const after = listing(root).filter((p) => !p.includes(`${join(root, 'store')}/`));
    expect(after).toEqual(before);
    expect((await b.call('peek')).text).toMatch(/No unacknowledged/);
  });
});
