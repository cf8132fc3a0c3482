import { describe, expect, it } from 'vitest';
import { InvalidInputError, NotFoundError } from '../../src/core/errors.js';
import { Intercom, type Speaker } from '../../src/core/intercom.js';
import { processStart } from '../../src/os/proc.js';
import { handleHookEvent, MAX_PER_DELIVERY } from '../../src/claude/hook-handler.js';
import { FsStore } from '../../src/store/fs/fs-store.js';
import { fakeClaude, tempDir } from '../support/temp.js';

function world() {
  const store = FsStore.open(tempDir());
  const intercom = new Intercom(store);
  const session = (root = '/repo'): Speaker & { kind: 'session' } => {
    const pid = fakeClaude().pid;
    return {
      kind: 'session',
      session: store.register({ pid, pidStart: processStart(pid)!, serverPid: process.pid, projectRoot: root, projectName: root.slice(1), cwd: root, startedAt: Date.now() }),
    };
  };
  return { store, intercom, session };
}

describe('the intercom rules', () => {
  it('refuses sending to yourself, and a broadcast with nobody to hear it', async () => {
    const { intercom, session } = world();
    const a = session();
    await expect(intercom.send(a, a.session.code, 'hi')).rejects.toThrow(InvalidInputError);
    await expect(intercom.send(a, 'all', 'hi')).rejects.toThrow(NotFoundError);
  });

  it('a reply goes to the original sender, keeps the thread, and acknowledges the original', async () => {
    const { intercom, session, store } = world();
    const a = session();
    const b = session();
    const { message } = await intercom.send(a, b.session.code, 'question');
    const r = await intercom.reply(b, message.id, 'answer');
    expect(r.message).toMatchObject({ from: b.session.code, to: a.session.code, replyTo: message.id });
    expect(store.inbox(b.session.code)).toEqual([]);
    expect(store.inbox(a.session.code).map((m) => m.text)).toEqual(['answer']);
  });

  it('refuses replies to messages that were not yours, your own, or from a session that ended', async () => {
    const { intercom, session, store } = world();
    const a = session();
    const b = session();
    const c = session();
    const { message } = await intercom.send(a, b.session.code, 'for b only');
    await expect(intercom.reply(c, message.id, 'butting in')).rejects.toThrow(/not sent to you/);
    await expect(intercom.reply(a, message.id, 'talking to myself')).rejects.toThrow(/your own/);
    store.unregister(a.session.code);
    await expect(intercom.reply(b, message.id, 'too late')).rejects.toThrow(/has ended/);
  });

  it('a broadcast answered by one session goes back to the broadcaster only', async () => {
    const { intercom, session, store } = world();
    const a = session();
    const b = session();
    const c = session();
    const { message, recipients } = await intercom.send(a, 'all', 'who has the lock?');
    expect(recipients.sort()).toEqual([b.session.code, c.session.code].sort());
    await intercom.reply(c, message.id, 'me');
    expect(store.inbox(a.session.code).map((m) => m.text)).toEqual(['me']);
    expect(store.inbox(b.session.code).map((m) => m.text)).toEqual(['who has the lock?']);
  });

  it('peek marks messages shown, so no hook delivers them again', async () => {
    const { intercom, session, store } = world();
    const a = session();
    const b = session();
    await intercom.send(a, b.session.code, 'x');
    expect((await intercom.peek(b.session.code)).map((m) => m.state)).toEqual(['shown']);
    expect(store.claim(b.session.code)).toEqual([]);
  });
});

describe('the hook handler', () => {
  it(`delivers at most ${MAX_PER_DELIVERY} messages at a time and says more are waiting`, async () => {
    const { intercom, session, store } = world();
    const a = session();
    const b = session();
    for (let i = 0; i < MAX_PER_DELIVERY + 5; i++) await intercom.send(a, b.session.code, `m${i}`);
    const env = { CLAUDE_PID: String(b.session.pid) };
    const first = await handleHookEvent(store, { hook_event_name: 'PostToolUse' }, env, process.pid);
    expect(first.delivered).toHaveLength(MAX_PER_DELIVERY);
    expect(first.stdout).toContain('More messages are waiting');
    const second = await handleHookEvent(store, { hook_event_name: 'PostToolUseFailure' }, env, process.pid);
    expect(second.delivered).toHaveLength(5);
    expect(second.stdout).not.toContain('More messages are waiting');
    expect(JSON.parse(second.stdout!).hookSpecificOutput.hookEventName).toBe('PostToolUseFailure');
  });

  it('does nothing for an unknown session or an event that cannot carry context', async () => {
    const { intercom, session, store } = world();
    const a = session();
    const b = session();
    await intercom.send(a, b.session.code, 'x');
    expect((await handleHookEvent(store, { hook_event_name: 'Stop' }, { CLAUDE_PID: String(b.session.pid) }, process.pid)).delivered).toEqual([]);
    expect((await handleHookEvent(store, { hook_event_name: 'PostToolUse' }, { CLAUDE_PID: '4000000' }, process.pid)).delivered).toEqual([]);
    expect(store.hasUnread(b.session.code)).toBe(true);
  });
});
